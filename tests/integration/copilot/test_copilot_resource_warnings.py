"""The co-pilot sees the same design-time warnings as /validate: a connection the workflow names
that does not exist in Airflow (W_CONNECTION_UNKNOWN) is among the problems the model is given,
for a user whom Airflow lets read connections; for one it does not, it is not (so the co-pilot
cannot be used to probe for connection ids either)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fakes.openai_server import ScriptedOpenAIServer
from tests.integration.api.conftest import API

from .test_copilot_api import body, llm  # noqa: F401

Headers = Callable[[str], dict[str, str]]
CHAT = f"{API}/copilot/chat"
REAL = "crm_copilot_warn"


@pytest.fixture
def crm(api_users: Any) -> Iterator[None]:
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == REAL).delete()
        session.add(Connection(conn_id=REAL, conn_type="http", host="crm.internal.example"))
    yield
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == REAL).delete()


def _spec(workflow_id: str) -> dict[str, Any]:
    return {
        "id": workflow_id,
        "nodes": [
            {"id": "fetch", "type": "tool", "tool": "http_request@1.0.0",
             "parameters": {"conn_id": "crm_copilot_wrn", "endpoint": "/x"}},
        ],
    }  # fmt: skip


def _problems(server: ScriptedOpenAIServer) -> list[dict[str, Any]]:
    request = server.chat_requests()[-1]
    text = next(m["content"] for m in request.messages if str(m.get("content")).startswith("Current context"))
    return json.loads(text.split("\n", 1)[1])["problems"]


def test_copilot_context_warns_of_an_unknown_connection(
    client: TestClient,
    auth: Headers,
    llm: ScriptedOpenAIServer,  # noqa: F811
    crm: None,
) -> None:
    llm.add_text("ok")
    r = client.post(
        CHAT, headers=auth("Op"), json=body("why would this fail?", _spec("cp_warn_op"), stream=False)
    )
    assert r.status_code == 200, r.text
    found = [p for p in _problems(llm) if p["code"] == "W_CONNECTION_UNKNOWN"]
    assert len(found) == 1 and found[0]["node_id"] == "fetch"
    assert found[0]["hint"] == f"did you mean '{REAL}'?"


def test_copilot_context_names_no_connection_to_a_role_that_may_not_read_them(
    client: TestClient,
    auth: Headers,
    llm: ScriptedOpenAIServer,  # noqa: F811
    crm: None,
) -> None:
    llm.add_text("ok")
    r = client.post(
        CHAT, headers=auth("User"), json=body("why would this fail?", _spec("cp_warn_user"), stream=False)
    )
    assert r.status_code == 200, r.text
    problems = _problems(llm)
    assert not [p for p in problems if p["code"].startswith("W_CONNECTION")]
    assert REAL not in json.dumps(problems)
