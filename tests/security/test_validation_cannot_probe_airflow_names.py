"""Validation's design-time checks name what exists in Airflow (pools, connections, Variables, in
messages and 'did you mean' hints). A user whose role may not read those in Airflow must not learn
them through /validate: for them each kind is not checked at all. A user who may read them gets
the warnings (the reported case: http_request's default connection http_default did not exist,
and only the run said so)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API

Headers = Callable[[str], dict[str, str]]
SECRET_NAMES = ("crm_probe_target", "region_probe_target")


@pytest.fixture
def airflow_names(api_users: Any) -> Iterator[None]:
    from airflow.models.connection import Connection
    from airflow.models.variable import Variable
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == SECRET_NAMES[0]).delete()
        session.query(Variable).filter(Variable.key == SECRET_NAMES[1]).delete()
        session.add(Connection(conn_id=SECRET_NAMES[0], conn_type="http", host="crm.internal.example"))
        session.add(Variable(key=SECRET_NAMES[1], val="eu"))
    yield
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == SECRET_NAMES[0]).delete()
        session.query(Variable).filter(Variable.key == SECRET_NAMES[1]).delete()


def _spec() -> dict[str, Any]:
    """Near misses of the hidden names, so a 'did you mean' hint would reveal them."""
    return {
        "id": "probe",
        "nodes": [
            {
                "id": "fetch",
                "type": "tool",
                "tool": "http_request@1.0.0",
                "parameters": {"conn_id": "crm_probe_targ"},
            },
            {"id": "shape", "type": "process", "templates": {"r": "{{ var.value.region_probe_targ }}"}},
            {"id": "plain", "type": "tool", "tool": "http_request@1.0.0", "parameters": {"endpoint": "/x"}},
        ],
    }


def _resource_problems(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.post(f"{API}/validate", json={"spec": _spec()}, headers=headers)
    assert response.status_code == 200, response.text
    return [p for p in response.json()["problems"] if p["code"].startswith(("W_CONNECTION", "W_VARIABLE"))]


def test_a_role_that_may_read_connections_and_variables_is_warned(
    client: TestClient, auth: Headers, airflow_names: None
) -> None:
    found = {(p["code"], p["node_id"]): p for p in _resource_problems(client, auth("Admin"))}
    assert found[("W_CONNECTION_UNKNOWN", "fetch")]["hint"] == "did you mean 'crm_probe_target'?"
    assert found[("W_VARIABLE_UNKNOWN", "shape")]["hint"] == "did you mean 'region_probe_target'?"
    assert "http_default" in found[("W_CONNECTION_UNKNOWN", "plain")]["message"]


@pytest.mark.parametrize("role", ["User", "Viewer"])
def test_a_role_that_may_not_read_them_learns_nothing(
    client: TestClient, auth: Headers, airflow_names: None, role: str
) -> None:
    response = client.post(f"{API}/validate", json={"spec": _spec()}, headers=auth(role))
    assert response.status_code == 200, response.text
    body = json.dumps(response.json())
    assert not any(name in body for name in SECRET_NAMES)
    assert not _resource_problems(client, auth(role))
