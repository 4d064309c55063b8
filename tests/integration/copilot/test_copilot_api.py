"""The co-pilot routes through Airflow's real API server app: permissions, SSE streaming end to end
with the scripted LLM, the JSON variant, conversations that resume, apply + audit, wizards."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fakes.openai_server import ScriptedOpenAIServer
from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
CP = f"{API}/copilot"


def sse_events(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        event = json.loads(lines["data"])
        assert event["type"] == lines["event"]
        events.append(event)
    return events


def body(message: str, spec: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "message": message,
        "workflow_id": spec["id"],
        "context": {"workflow": spec, **extra.pop("context", {})},
        **extra,
    }


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__COPILOT_CONN_ID", "no_such_llm_conn")


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch, openai_server: ScriptedOpenAIServer) -> ScriptedOpenAIServer:
    conn = {
        "conn_type": "openai",
        "host": openai_server.url + "/v1",
        "password": "k",
        "extra": {"model": "gpt-test", "max_retries": 0, "timeout": 5},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CP_TEST_LLM", json.dumps(conn))
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__COPILOT_CONN_ID", "cp_test_llm")
    return openai_server


def test_permissions(client: TestClient, auth: Headers, offline: None) -> None:
    spec = chain_spec("cp_perm")
    assert client.get(f"{CP}/status").status_code == 401
    assert client.get(f"{CP}/status", headers=auth("Viewer")).status_code == 403  # no co-pilot permission
    assert client.get(f"{CP}/status", headers=auth("User")).json()["engine"] == "offline"
    r = client.post(f"{CP}/chat", json=body("help", spec), headers=auth("Viewer"))
    assert r.status_code == 403
    ops = [{"op": "update_node", "node_id": "p1", "changes": {"name": "X"}}]
    assert (
        client.post(f"{CP}/apply", json={"spec": spec, "ops": ops}, headers=auth("Viewer")).status_code == 403
    )


def test_sse_stream_end_to_end_with_llm(client: TestClient, auth: Headers, llm: ScriptedOpenAIServer) -> None:
    spec = chain_spec("cp_sse")
    llm.add_tool_call(
        "propose_patch",
        {
            "summary": "Retry p1",
            "ops": [
                {"op": "update_node", "node_id": "p1", "changes": {"execution": {"retry": {"retries": 3}}}}
            ],
        },
    )
    llm.add_text("I made `p1` retry 3 times, as you asked.")
    r = client.post(
        f"{CP}/chat",
        headers=auth("User"),
        json=body(
            "make these retry 3 times",
            spec,
            context={"selection": ["p1"], "recent_actions": [{"label": "Selected p1"}]},
        ),
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    types = [e["type"] for e in events]
    assert types[0] == "conversation" and events[0]["engine"] == "llm"
    assert types.count("text") > 1 and types[-3:] == ["usage", "proposal", "done"]
    assert (
        "".join(e["delta"] for e in events if e["type"] == "text")
        == "I made `p1` retry 3 times, as you asked."
    )
    proposal = events[-1]["reply"]["proposal"]
    assert proposal["workflow"]["nodes"][1]["execution"]["retry"]["retries"] == 3
    sent = json.dumps(llm.chat_requests()[0].body["messages"])
    assert '\\"selection\\":[\\"p1\\"]' in sent and "Selected p1" in sent

    conversation_id = events[0]["conversation_id"]
    listed = client.get(f"{CP}/conversations", params={"workflow_id": "cp_sse"}, headers=auth("User")).json()
    (conv,) = [c for c in listed["items"] if c["id"] == conversation_id]
    assert [m["role"] for m in conv["messages"]] == ["user", "assistant"]
    assert conv["usage"]["prompt_tokens"] == 20  # two model calls of 10 prompt tokens
    assert conv["messages"][1]["payload"]["proposal"]["ops"][0]["node_id"] == "p1"

    # Apply: validated, audited with the conversation id, recorded in the conversation.
    r = client.post(
        f"{CP}/apply",
        headers=auth("User"),
        json={
            "spec": spec,
            "ops": proposal["ops"],
            "workflow_id": "cp_sse",
            "conversation_id": conversation_id,
            "proposal_id": proposal["id"],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["spec"]["nodes"][1]["execution"]["retry"]["retries"] == 3
    from airflow.models.log import Log
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(Log).filter(Log.event == "canvas.copilot.apply").all()
        (row,) = [r for r in rows if json.loads(r.extra)["workflow_id"] == "cp_sse"]  # no DAG: dag_id NULL
        assert json.loads(row.extra)["conversation_id"] == conversation_id and row.owner == "t_user"

    # The next turn resumes the conversation: the model sees the earlier exchange.
    llm.add_text("Yes.")
    r = client.post(
        f"{CP}/chat",
        headers=auth("User"),
        json=body("did it work?", spec, conversation_id=conversation_id, stream=False),
    )
    assert r.json()["conversation_id"] == conversation_id
    roles = [m["role"] for m in llm.chat_requests()[-1].body["messages"]]
    assert roles == ["system", "user", "assistant", "system", "user"]


def test_llm_failure_over_sse(client: TestClient, auth: Headers, llm: ScriptedOpenAIServer) -> None:
    llm.add_error(502, "bad gateway")
    r = client.post(f"{CP}/chat", headers=auth("User"), json=body("add a node", chain_spec("cp_fail")))
    events = sse_events(r.text)
    assert [e["type"] for e in events] == ["conversation", "error", "done"]
    assert "HTTP 502" in events[1]["message"] and events[-1]["reply"]["proposal"] is None


def test_offline_json_chat_and_apply_conflict(client: TestClient, auth: Headers, offline: None) -> None:
    spec = chain_spec("cp_offline")
    r = client.post(
        f"{CP}/chat", headers=auth("User"), json=body("add process node clean after p1", spec, stream=False)
    )
    assert r.status_code == 200, r.text
    reply = r.json()["reply"]
    assert reply["engine"] == "offline" and reply["proposal"]["diff"]["nodes"]["added"] == ["clean"]
    stale = dict(
        spec,
        nodes=[n for n in spec["nodes"] if n["id"] != "p1"],
        edges=[{"source": "start", "target": "end"}],
    )
    r = client.post(
        f"{CP}/apply", headers=auth("User"), json={"spec": stale, "ops": reply["proposal"]["ops"]}
    )
    assert r.status_code == 422 and r.json()["problems"][0]["edge_id"] == "p1->clean"
    bad = client.post(
        f"{CP}/chat", headers=auth("User"), json=body("hi", {"id": "x", "nodes": [{"id": "n"}]})
    )
    assert bad.status_code == 422 and bad.json()["problems"][0]["pointer"].startswith("/nodes/0")
    cleared = client.delete(f"{CP}/conversations", params={"workflow_id": "cp_offline"}, headers=auth("User"))
    assert cleared.json()["deleted"] == 1  # the rejected message (422) never started a conversation
    assert client.get(
        f"{CP}/conversations", params={"workflow_id": "cp_offline"}, headers=auth("User")
    ).json() == {"items": []}


def test_wizard_flow(client: TestClient, auth: Headers, offline: None) -> None:
    spec = chain_spec("cp_wizard")
    names = [w["name"] for w in client.get(f"{CP}/wizards", headers=auth("User")).json()["items"]]
    assert "new_agent_node" in names
    url = f"{CP}/wizards/new_agent_node/step"
    answers: dict[str, Any] = {"name": "Triage", "after": "p1"}
    r = client.post(url, headers=auth("User"), json={"spec": spec, "answers": answers, "step": 0}).json()
    assert r["step"]["index"] == 1
    r = client.post(url, headers=auth("User"), json={"spec": spec, "answers": answers, "step": 1}).json()
    assert r["problems"][0]["code"] == "E_WIZARD_MISSING"  # the prompt is required
    answers |= {"prompt": "Is {{ inputs }} urgent?", "model": "gpt-4o-mini"}
    for step in (1, 2):
        assert client.post(
            url, headers=auth("User"), json={"spec": spec, "answers": answers, "step": step}
        ).json()["step"]
    answers["output_schema"] = "urgent:boolean, reason:string"
    r = client.post(url, headers=auth("User"), json={"spec": spec, "answers": answers, "step": 3}).json()
    node = next(n for n in r["proposal"]["workflow"]["nodes"] if n["id"] == "triage")
    assert node["agent"]["model"] == "gpt-4o-mini"
    assert node["output_schema"]["properties"]["urgent"] == {"type": "boolean"}
    assert "p1->triage" in r["proposal"]["diff"]["edges"]["added"]
    assert (
        client.post(f"{CP}/wizards/nope/step", headers=auth("User"), json={"spec": spec}).status_code == 404
    )
