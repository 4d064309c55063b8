"""The real Airflow API server app (``airflow.api_fastapi.app.create_app()``) with the canvas plugin
mounted, FAB users created with ``airflow users create`` for each role, and Bearer tokens from
``POST /auth/token``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import airflow_cli

PASSWORD = "canvas-test-pass"
ROLE_USERS: dict[str, str] = {
    "Admin": "t_admin",
    "Op": "t_op",
    "User": "t_user",
    "Viewer": "t_viewer",
    "NoCanvas": "t_nocanvas",  # a role with no canvas permission at all
}
API = "/airflow-canvas/api"


@pytest.fixture(scope="session")
def api_users(airflow_db: Path) -> dict[str, str]:
    existing = airflow_cli("users", "list", "-o", "plain", check=False).stdout
    airflow_cli("roles", "create", "NoCanvas", check=False)
    for role, user in ROLE_USERS.items():
        if user not in existing:
            airflow_cli(
                "users",
                "create",
                "-u",
                user,
                "-p",
                PASSWORD,
                "-r",
                role,
                "-f",
                user,
                "-l",
                "T",
                "-e",
                f"{user}@example.com",
            )
    return ROLE_USERS


@pytest.fixture(scope="session")
def api_app(api_users: dict[str, str]) -> Any:
    from airflow.api_fastapi.app import create_app

    return create_app()


@pytest.fixture(scope="session")
def client(api_app: Any) -> Iterator[TestClient]:
    with TestClient(api_app) as c:
        yield c


@pytest.fixture(scope="session")
def tokens(client: TestClient, api_users: dict[str, str]) -> dict[str, str]:
    out = {}
    for role, user in api_users.items():
        r = client.post("/auth/token", json={"username": user, "password": PASSWORD})
        assert r.status_code in (200, 201), r.text
        out[role] = r.json()["access_token"]
    return out


@pytest.fixture(scope="session")
def auth(tokens: dict[str, str]) -> Callable[[str], dict[str, str]]:
    def headers(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    return headers


def chain_spec(workflow_id: str, n: int = 3, **extra: Any) -> dict[str, Any]:
    """A valid linear workflow: input -> (n-2) process nodes -> output."""
    n = max(n, 2)
    nodes: list[dict[str, Any]] = [
        {
            "id": "start",
            "type": "input",
            "name": "Start",
            "output_schema": {"type": "object", "properties": {"x": {"type": "integer", "default": 1}}},
        }
    ]
    for i in range(1, n - 1):
        nodes.append(
            {
                "id": f"p{i}",
                "type": "process",
                "process": {"language": "jmespath", "expression": "@"},
                "ui": {"position": {"x": 200 * i, "y": 0}},
            }
        )
    nodes.append({"id": "end", "type": "output", "name": "End"})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]
    return {"id": workflow_id, "name": workflow_id.replace("_", " "), "nodes": nodes, "edges": edges, **extra}
