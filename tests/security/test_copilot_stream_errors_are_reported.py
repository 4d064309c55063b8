"""Whatever a model endpoint streams, and whatever a client sends, a co-pilot turn ends with a clear
answer, and what the co-pilot stores is bounded (issue 13, finding 6).

Before the fix a garbage SSE line or a chunk of the wrong shape from the model endpoint raised out
of the turn: the SSE stream was cut after ``conversation`` (no ``error``, no ``done``) and the JSON
variant answered a plain 500. A model that streamed without end filled the reply (and the database)
without limit, and a conversation grew without bound. These tests script a broken endpoint with the
fake OpenAI server (the real ``openai`` client reads it over loopback) and drive the real API app as
the lowest role that may chat (User)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fakes.fixtures import openai_server  # noqa: F401
from tests.fakes.openai_server import ScriptedOpenAIServer
from tests.integration.api.conftest import API, chain_spec

CP = f"{API}/copilot"
Headers = Callable[[str], dict[str, str]]
ENV = "AIRFLOW__AIRFLOW_CANVAS__"


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch, openai_server: ScriptedOpenAIServer) -> ScriptedOpenAIServer:  # noqa: F811
    conn = {
        "conn_type": "openai",
        "host": openai_server.url + "/v1",
        "password": "k",
        "extra": {"model": "gpt-test", "max_retries": 0, "timeout": 10},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CP_BROKEN_LLM", json.dumps(conn))
    monkeypatch.setenv(f"{ENV}COPILOT_CONN_ID", "cp_broken_llm")
    return openai_server


def body(message: str, workflow_id: str, **extra: Any) -> dict[str, Any]:
    spec = chain_spec(workflow_id, extra.pop("nodes", 3))
    return {"message": message, "workflow_id": workflow_id, "context": {"workflow": spec}, **extra}


def sse_events(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        event = json.loads(lines["data"])
        assert event["type"] == lines["event"]
        events.append(event)
    return events


def stored_messages(client: TestClient, auth: Headers, workflow_id: str, conversation_id: str) -> list[Any]:
    items = client.get(f"{CP}/conversations", params={"workflow_id": workflow_id}, headers=auth("User"))
    (conversation,) = [c for c in items.json()["items"] if c["id"] == conversation_id]
    return conversation["messages"]


def conversation_size(conversation_id: str) -> int:
    from airflow import settings

    from airflow_canvas.copilot.conversations import conversation_size as size

    session = settings.Session.session_factory()
    try:
        return size(session, conversation_id)
    finally:
        session.close()


def _text(content: str) -> str:
    return ScriptedOpenAIServer().chunk_json({"content": content})


# What a broken endpoint streams after the headers, and the error the turn must end with.
BROKEN: dict[str, tuple[list[str], str]] = {
    "garbage_data_line": ([_text("Let me"), "data: {this is not json\n\n"], "bad_response"),
    "choices_not_a_list": (['data: {"id": "c", "choices": "nope"}\n\n'], "bad_response"),
    "delta_not_an_object": (['data: {"id": "c", "choices": [{"index": 0, "delta": 5}]}\n\n'], "bad_response"),
    "content_not_a_string": (
        ['data: {"id": "c", "choices": [{"index": 0, "delta": {"content": {"a": 1}}}]}\n\n'],
        "bad_response",
    ),
    "tool_call_index_not_a_number": (
        [
            'data: {"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": "first", '
            '"id": "t", "function": {"name": "propose_patch", "arguments": "{}"}}]}}]}\n\n'
        ],
        "bad_response",
    ),
    "chunk_is_a_list": (["data: [1, 2, 3]\n\n"], "bad_response"),
    "error_object_mid_stream": (
        [_text("Working on it"), 'data: {"error": {"message": "upstream model crashed"}}\n\n'],
        "model_error",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_model_stream_ends_with_error_and_done(
    client: TestClient, auth: Headers, llm: ScriptedOpenAIServer, case: str
) -> None:
    blocks, kind = BROKEN[case]
    llm.add_raw_stream(*blocks)
    r = client.post(f"{CP}/chat", headers=auth("User"), json=body("add a node", "cp_broken"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    types = [e["type"] for e in events]
    assert types[0] == "conversation" and types[-2:] == ["error", "done"], types
    assert "proposal" not in types
    error, done = events[-2], events[-1]
    assert error["error"] == kind and done["reply"]["error"] == kind and done["reply"]["proposal"] is None
    assert "unchanged" in error["message"]
    if kind == "model_error":
        assert "upstream model crashed" in error["message"]
    # The failed turn is in the conversation like any other answer.
    messages = stored_messages(client, auth, "cp_broken", events[0]["conversation_id"])
    assert messages[-1]["role"] == "assistant" and messages[-1]["payload"]["error"] == kind


@pytest.mark.parametrize("case", ["garbage_data_line", "delta_not_an_object"])
def test_a_broken_model_stream_is_a_json_reply_not_a_500(
    client: TestClient, auth: Headers, llm: ScriptedOpenAIServer, case: str
) -> None:
    blocks, kind = BROKEN[case]
    llm.add_raw_stream(*blocks)
    r = client.post(f"{CP}/chat", headers=auth("User"), json=body("add a node", "cp_broken", stream=False))
    assert r.status_code == 200, r.text
    reply = r.json()["reply"]
    assert reply["error"] == kind and reply["proposal"] is None
    assert "could not be read" in reply["parts"][0]["markdown"]


@pytest.mark.parametrize("route", ["/chat", "/apply", "/wizards/new_agent_node/step"])
def test_an_invalid_json_body_is_a_clear_4xx(client: TestClient, auth: Headers, route: str) -> None:
    for raw in (b'{"message": "hi",', b"{not json}", b"\x00\xff"):
        r = client.post(
            f"{CP}{route}", content=raw, headers={**auth("User"), "Content-Type": "application/json"}
        )
        assert 400 <= r.status_code < 500, (raw, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/json") and r.json()["detail"], r.text


def test_a_reply_streamed_past_the_cap_is_stopped(
    client: TestClient, auth: Headers, llm: ScriptedOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"{ENV}COPILOT_MAX_REPLY_CHARS", "2000")
    llm.add_text("spam " * 2000)  # 10000 characters
    r = client.post(f"{CP}/chat", headers=auth("User"), json=body("say a lot", "cp_reply_cap"))
    events = sse_events(r.text)
    assert [e["type"] for e in events][-2:] == ["error", "done"]
    assert events[-2]["error"] == "reply_too_large" and "limit of 2000 characters" in events[-2]["message"]
    streamed = "".join(e["delta"] for e in events if e["type"] == "text")
    assert len(streamed) <= 2000 + llm.chunk_size
    messages = stored_messages(client, auth, "cp_reply_cap", events[0]["conversation_id"])
    assert len(messages[-1]["content"]) + len(json.dumps(messages[-1]["payload"])) <= 2000


def test_a_stored_reply_is_capped_and_says_so(
    client: TestClient, auth: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"{ENV}COPILOT_CONN_ID", "no_such_llm_conn")  # the offline engine
    monkeypatch.setenv(f"{ENV}COPILOT_MAX_REPLY_CHARS", "2000")
    r = client.post(
        f"{CP}/chat", headers=auth("User"), json=body("show code", "cp_store_cap", nodes=30, stream=False)
    )
    assert r.status_code == 200, r.text
    live = r.json()["reply"]
    source = next(p["code"] for p in live["parts"] if p["type"] == "code")
    assert len(source) > 4000  # the user sees the whole reply ...
    (_, stored) = stored_messages(client, auth, "cp_store_cap", r.json()["conversation_id"])
    # ... the conversation keeps at most 2000 characters of it, says so, and is still a reply to show.
    assert len(stored["content"]) + len(json.dumps(stored["payload"])) <= 2000
    assert conversation_size(r.json()["conversation_id"]) <= 2000 + 200  # + the user's message
    kept = stored["payload"]["parts"][0]["markdown"]
    assert kept.startswith("```python\n" + source[:200])
    assert "Only the beginning of this reply is kept" in kept and "copilot_max_reply_chars" in kept
    assert stored["payload"]["truncated"]["limit"] == 2000


def test_a_full_conversation_says_so_and_refuses_more(
    client: TestClient, auth: Headers, llm: ScriptedOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cap = 6000
    monkeypatch.setenv(f"{ENV}COPILOT_MAX_CONVERSATION_CHARS", str(cap))
    llm.add_text("Noted.")
    first = client.post(
        f"{CP}/chat", headers=auth("User"), json=body("a" * 1500, "cp_conv_cap", stream=False)
    ).json()
    conversation_id = first["conversation_id"]
    llm.add_text("c" * 2500)  # more than the room left
    second = client.post(
        f"{CP}/chat",
        headers=auth("User"),
        json=body("b" * 1500, "cp_conv_cap", conversation_id=conversation_id, stream=False),
    ).json()
    assert second["conversation_id"] == conversation_id
    last = second["reply"]["parts"][-1]["markdown"]
    assert "This conversation is now full" in last and "start a new conversation" in last
    assert conversation_size(conversation_id) <= cap

    third = client.post(
        f"{CP}/chat",
        headers=auth("User"),
        json=body("one more", "cp_conv_cap", conversation_id=conversation_id),
    )
    assert third.status_code == 409, third.text
    assert "This conversation is full" in third.json()["detail"]
    assert "Start a new conversation" in third.json()["detail"]
    assert third.json()["problems"][0]["code"] == "E_CONVERSATION_FULL"
    assert len(llm.chat_requests()) == 2  # the refused turn never reached the model

    # Applying a proposal in a full conversation does not grow it past the cap either.
    ops = [{"op": "update_node", "node_id": "p1", "changes": {"description": "x" * 3000}}]
    applied = client.post(
        f"{CP}/apply",
        headers=auth("User"),
        json={"spec": chain_spec("cp_conv_cap"), "ops": ops, "conversation_id": conversation_id},
    )
    assert applied.status_code == 200, applied.text
    assert conversation_size(conversation_id) <= cap

    # A new conversation works.
    llm.add_text("Fresh start.")
    fresh = client.post(f"{CP}/chat", headers=auth("User"), json=body("hello", "cp_conv_cap", stream=False))
    assert fresh.status_code == 200 and fresh.json()["conversation_id"] != conversation_id
