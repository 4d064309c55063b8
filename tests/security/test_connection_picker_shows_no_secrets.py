"""The connection picker (GET /connections) lists which Airflow connections exist, for the forms'
connection fields. It must never carry what a connection holds (host, login, password, port,
schema, extra), and it lists nothing to a role that Airflow does not let read connections (the
same answer Airflow's own GET /api/v2/connections gives it: 403), nor to a user without the
canvas (403 before anything is read)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API

Headers = Callable[[str], dict[str, str]]
SECRETS = ("picker-secret-host.internal", "picker_login_x", "picker-password-s3cr3t", "picker-extra-token")
IDS = ("picker_http_crm", "picker_pg_dw")


@pytest.fixture
def picker_connections(api_users: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    host, login, password, token = SECRETS
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id.in_(IDS)).delete()
        session.add(Connection(conn_id=IDS[0], conn_type="http", host=host, login=login, password=password,
                               extra=json.dumps({"token": token}), description="The CRM's REST API"))  # fmt: skip
        session.add(Connection(conn_id=IDS[1], conn_type="postgres", host=host, password=password))
    monkeypatch.setenv("AIRFLOW_CONN_PICKER_ENV_HTTP", f"http://{login}:{password}@{host}/")
    yield
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id.in_(IDS)).delete()


def _get(client: TestClient, headers: dict[str, str], query: str = "") -> Any:
    return client.get(f"{API}/connections{query}", headers=headers)


def test_lists_ids_types_and_descriptions_filtered_by_type(
    client: TestClient, auth: Headers, picker_connections: None
) -> None:
    body = _get(client, auth("Op"), "?conn_type=http").json()
    assert body["readable"] and body["conn_types"] == ["http"]
    by_id = {c["connection_id"]: c for c in body["connections"]}
    assert by_id[IDS[0]] == {
        "connection_id": IDS[0],
        "conn_type": "http",
        "description": "The CRM's REST API",
    }
    assert by_id["picker_env_http"]["conn_type"] == "http"  # AIRFLOW_CONN_* variables too
    assert IDS[1] not in by_id and all(c["conn_type"] == "http" for c in body["connections"])
    both = _get(client, auth("Admin"), "?conn_type=http,postgres").json()
    assert {IDS[0], IDS[1]} <= {c["connection_id"] for c in both["connections"]}


@pytest.mark.parametrize("role", ["Admin", "Op", "User", "Viewer"])
def test_no_secret_field_is_ever_in_the_answer(
    client: TestClient, auth: Headers, picker_connections: None, role: str
) -> None:
    response = _get(client, auth(role))
    assert response.status_code == 200, response.text
    text = response.text
    assert not any(secret in text for secret in SECRETS)
    for choice in response.json()["connections"]:
        assert set(choice) == {"connection_id", "conn_type", "description"}


@pytest.mark.parametrize("role", ["User", "Viewer"])
def test_a_role_that_may_not_read_connections_in_airflow_lists_none(
    client: TestClient, auth: Headers, picker_connections: None, role: str
) -> None:
    assert client.get("/api/v2/connections", headers=auth(role)).status_code == 403  # Airflow agrees
    body = _get(client, auth(role), "?conn_type=http").json()
    assert body["readable"] is False and body["connections"] == []
    assert not any(name in json.dumps(body) for name in IDS)


def test_a_user_without_the_canvas_gets_403(
    client: TestClient, auth: Headers, picker_connections: None
) -> None:
    response = _get(client, auth("NoCanvas"))
    assert response.status_code == 403
    assert not any(name in response.text for name in IDS)


def test_too_many_types_is_a_clear_422(client: TestClient, auth: Headers) -> None:
    response = _get(client, auth("Admin"), "?conn_type=" + ",".join(f"t{i}" for i in range(21)))
    assert response.status_code == 422 and "at most 20" in response.text
