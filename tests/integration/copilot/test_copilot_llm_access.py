"""Through the real API server: what the model is told of besides the workflow follows the user's
permissions in Airflow (connections only for users Airflow lets read them, code only for Canvas
Code), lookups refuse what the user's role could not read, and a connection's password and extra
never reach the model."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fakes.openai_server import ScriptedOpenAIServer, ToolCall
from tests.integration.api.conftest import API, chain_spec

from .test_copilot_api import body, llm  # noqa: F401

Headers = Callable[[str], dict[str, str]]
CHAT = f"{API}/copilot/chat"
PASSWORD = "int-Pa55-never-leaves-7731"
EXTRA = "int-extra-never-leaves-9912"


@pytest.fixture
def crm_connection(api_users: Any) -> Iterator[str]:
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    conn_id = "crm_access_test"
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == conn_id).delete()
        session.add(
            Connection(
                conn_id=conn_id,
                conn_type="http",
                host="crm.internal.example",
                password=PASSWORD,
                extra=json.dumps({"token": EXTRA}),
            )
        )
    yield conn_id
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == conn_id).delete()


def _available(server: ScriptedOpenAIServer) -> dict[str, Any]:
    request = server.chat_requests()[-1]
    text = next(m["content"] for m in request.messages if str(m.get("content")).startswith("Current context"))
    return json.loads(text.split("\n", 1)[1])["available"]


def _everything_sent(server: ScriptedOpenAIServer) -> str:
    return "".join(json.dumps(r.body) + json.dumps(r.headers) for r in server.requests)


def test_op_sees_connections_and_may_save_code(
    client: TestClient,
    auth: Headers,
    llm: ScriptedOpenAIServer,  # noqa: F811
    crm_connection: str,
) -> None:
    llm.add_text("ok")
    r = client.post(
        CHAT, headers=auth("Op"), json=body("what can I use?", chain_spec("cp_access_op"), stream=False)
    )
    assert r.status_code == 200, r.text
    available = _available(llm)
    assert [crm_connection, "http"] in available["connections"]
    assert "default_pool" in [p[0] for p in available["pools"]]
    assert available["you_may"] == {"use_published_tools": True, "save_code": True}
    assert "smtp" in available["notifiers"]
    sent = _everything_sent(llm) + r.text
    assert PASSWORD not in sent and EXTRA not in sent and "crm.internal.example" not in sent


def test_user_gets_no_connections_no_code_and_only_what_its_role_reads(
    client: TestClient,
    auth: Headers,
    llm: ScriptedOpenAIServer,  # noqa: F811
    crm_connection: str,
) -> None:
    """The User role may chat but Airflow does not let it read connections, and it lacks Canvas
    Code: the model is told neither the connection ids nor that code could be saved."""
    llm.add_tool_calls([ToolCall("get_tool", {"name": "http_request"}, id="c1")])
    llm.add_text("ok")
    r = client.post(CHAT, headers=auth("User"), json=body("hi", chain_spec("cp_access_user"), stream=False))
    assert r.status_code == 200, r.text
    first = llm.chat_requests()[0]
    text = next(m["content"] for m in first.messages if str(m.get("content")).startswith("Current context"))
    available = json.loads(text.split("\n", 1)[1])["available"]
    assert "connections" not in available
    assert available["you_may"]["save_code"] is False
    assert llm.chat_requests()[1].tool_results()["c1"]["ref"] == "http_request@1.0.0"
    assert crm_connection not in _everything_sent(llm)


def test_roles_without_the_copilot_cannot_reach_the_model(
    client: TestClient,
    auth: Headers,
    llm: ScriptedOpenAIServer,  # noqa: F811
) -> None:
    for role in ("Viewer", "NoCanvas"):
        r = client.post(CHAT, headers=auth(role), json=body("list connections", chain_spec("cp_access_no")))
        assert r.status_code == 403
    assert llm.chat_requests() == []
