"""The LLM engine against the scripted OpenAI-compatible server: what it sends, multi-step
creation, the bounded repair loop, streaming, failures that leave the workflow untouched, and
token/cost accounting."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from airflow_canvas.copilot.engine import Copilot
from airflow_canvas.copilot.llm import LLMSettings, settings_from_connection
from airflow_canvas.copilot.patch import apply_patch, parse_ops
from airflow_canvas.copilot.responses import Reply
from airflow_canvas.validation import validate_workflow
from tests.fakes.openai_server import ScriptedOpenAIServer, ScriptedReply, ToolCall

from .conftest import base_spec, make_ctx


def settings(server: ScriptedOpenAIServer, **kw: Any) -> LLMSettings:
    values: dict[str, Any] = {
        "base_url": server.url + "/v1",
        "api_key": "test-key",
        "model": "gpt-test",
        "timeout": 5.0,
        "max_retries": 0,
    }
    return LLMSettings(**(values | kw))


def run_turn(
    copilot: Copilot, message: str, ctx: Any, history: Any = None
) -> tuple[list[dict[str, Any]], Reply]:
    events = list(copilot.turn(message, ctx, history))
    assert events[-1]["type"] == "done"
    return events, Reply.model_validate(events[-1]["reply"])


def add_nodes_call() -> dict[str, Any]:
    return {
        "summary": "Add triage and post",
        "ops": [
            {
                "op": "add_node",
                "node": {
                    "id": "triage",
                    "type": "agent",
                    "agent": {"prompt": "Is {{ inputs }} urgent?"},
                    "output_schema": {"type": "object", "properties": {"urgent": {"type": "boolean"}}},
                },
            },
            {"op": "add_node", "node": {"id": "post", "type": "tool", "tool": "http_get@1.2.0"}},
        ],
    }


def connect_call() -> dict[str, Any]:
    return {
        "summary": "Wire them",
        "ops": [
            {"op": "add_edge", "edge": {"source": "summarize", "target": "triage"}},
            {"op": "add_edge", "edge": {"source": "triage", "target": "post", "condition": "urgent"}},
        ],
    }


def test_context_is_sent(openai_server: ScriptedOpenAIServer) -> None:
    spec = base_spec()
    spec["edges"].append({"source": "c", "target": "ghost"})  # a validation error the model must see
    spec["nodes"][2]["parameters"] = {"api_key": "sk-live-abcdefghijklmnop", "url": "https://x"}
    ctx = make_ctx(
        spec,
        selection=["a", "b"],
        recent=["Moved node a", "Added edge a->b"],
        run={
            "run_id": "r1",
            "state": "failed",
            "nodes": {"b": {"state": "failed", "error": "KeyError: 'x'", "log_tail": "line1\nKeyError: 'x'"}},
        },
    )
    openai_server.add_text("Node `c` points at a missing node.")
    run_turn(Copilot(settings(openai_server)), "what is wrong with these?", ctx)
    (request,) = openai_server.chat_requests()
    body = request.body
    assert body["stream"] is True and body["model"] == "gpt-test"
    names = [t["function"]["name"] for t in body["tools"]]
    assert names[:2] == ["propose_patch", "suggest_actions"] and "search_operators" in names  # + lookups
    assert "add_node" in json.dumps(body["tools"][0]["function"]["parameters"])
    context_msg = next(m["content"] for m in body["messages"] if m["content"].startswith("Current context"))
    context = json.loads(context_msg.split("\n", 1)[1])
    assert context["selection"] == ["a", "b"]
    assert [a["label"] for a in context["recent_actions"]] == ["Moved node a", "Added edge a->b"]
    assert any(p["edge_id"] == "c->ghost" and p["severity"] == "error" for p in context["problems"])
    assert context["latest_run"]["failures"]["b"]["log_tail"].endswith("KeyError: 'x'")
    assert body["messages"][-1] == {"role": "user", "content": "what is wrong with these?"}
    assert "sk-live-abcdefghijklmnop" not in json.dumps(body)  # secrets never reach the prompt
    assert {k.lower(): v for k, v in request.headers.items()}["authorization"] == "Bearer test-key"


def test_multi_step_creation_gives_a_valid_workflow(openai_server: ScriptedOpenAIServer) -> None:
    ctx = make_ctx(base_spec())
    openai_server.add_tool_call("propose_patch", add_nodes_call())
    openai_server.add_tool_call("propose_patch", connect_call())
    openai_server.add_text("I added a triage agent and a post step for urgent tickets.")
    events, reply = run_turn(Copilot(settings(openai_server)), "post urgent tickets to Slack", ctx)
    assert reply.error is None and reply.proposal is not None
    out = apply_patch(ctx.workflow, parse_ops(reply.proposal.ops))
    assert not [p for p in validate_workflow(out) if p.severity == "error"]
    assert {"summarize->triage", "triage->post"} <= {e.key for e in out.edges}
    assert reply.proposal.summary == "Add triage and post; Wire them"
    assert [p for p in reply.parts if p.type == "diagram"][0].nodes[0]["id"] in ("triage", "post")
    second = openai_server.chat_requests()[1].messages
    tool_result = json.loads(second[-1]["content"])
    assert second[-1]["role"] == "tool" and tool_result["ok"] is True
    assert "Adds node `triage`." in tool_result["changes"]
    assert ctx.workflow.node("triage") is None  # proposals never touch the workflow itself


def test_invalid_and_malformed_calls_are_repaired(openai_server: ScriptedOpenAIServer) -> None:
    ctx = make_ctx(base_spec())
    openai_server.add_tool_call(
        "propose_patch", {"ops": [{"op": "add_edge", "edge": {"source": "a", "target": "zz"}}]}
    )
    openai_server.add_tool_call("propose_patch", '{"ops": [{"op": "add_edge", "edge": ')  # truncated JSON
    openai_server.add_tool_call(
        "propose_patch", {"ops": [{"op": "add_edge", "edge": {"source": "b", "target": "c"}}]}
    )
    openai_server.add_text("Connected b to c.")
    events, reply = run_turn(Copilot(settings(openai_server)), "connect b to c", ctx)
    assert reply.error is None and reply.proposal is not None
    assert reply.proposal.ops == [{"op": "add_edge", "edge": {"source": "b", "target": "c"}}]
    results = [json.loads(r.messages[-1]["content"]) for r in openai_server.chat_requests()[1:3]]
    assert results[0]["ok"] is False and results[0]["problems"][0]["edge_id"] == "a->zz"
    assert "Known nodes" in (results[0]["problems"][0]["hint"] or "")
    assert results[1]["problems"][0]["code"] == "E_ARGUMENTS_JSON"
    assert [e["message"] for e in events if e["type"] == "status"][0].startswith("Repairing")


def test_repair_is_bounded_and_reported(openai_server: ScriptedOpenAIServer) -> None:
    ctx = make_ctx(base_spec())
    bad = {"ops": [{"op": "remove_node", "node_id": "nope"}]}
    for _ in range(4):
        openai_server.add_tool_call("propose_patch", bad)
    events, reply = run_turn(Copilot(settings(openai_server, max_repairs=3)), "remove nope", ctx)
    assert len(openai_server.chat_requests()) == 4  # the first try + 3 repairs, then it stops
    assert reply.error == "invalid_proposal" and reply.proposal is None
    assert "could not produce a valid change" in reply.plain_text() and "nope" in reply.plain_text()


def test_schema_invalid_op_goes_back_to_model(openai_server: ScriptedOpenAIServer) -> None:
    ctx = make_ctx(base_spec())
    openai_server.add_tool_call("propose_patch", {"ops": [{"op": "explode"}]})
    openai_server.add_tool_call("propose_patch", {"ops": [{"op": "remove_node", "node_id": "c"}]})
    openai_server.add_text("Removed c.")
    _, reply = run_turn(Copilot(settings(openai_server)), "remove c", ctx)
    first = json.loads(openai_server.chat_requests()[1].messages[-1]["content"])
    assert first["problems"][0]["code"] == "E_PATCH_INVALID"
    assert reply.proposal is not None and reply.proposal.diff["nodes"]["removed"] == ["c"]


def test_streaming_text_arrives_in_deltas(openai_server: ScriptedOpenAIServer) -> None:
    text = "Here is the fix:\n\n```python\nretries = 3\n```\nApply it when ready."
    openai_server.add_text(text)
    events, reply = run_turn(Copilot(settings(openai_server)), "hi", make_ctx(base_spec()))
    deltas = [e["delta"] for e in events if e["type"] == "text"]
    assert len(deltas) > 3 and "".join(deltas) == text
    assert [p.type for p in reply.parts] == ["text", "code", "text"]
    assert reply.parts[1].language == "python" and reply.parts[1].code == "retries = 3"


def test_timeout_gives_clear_message(openai_server: ScriptedOpenAIServer) -> None:
    ctx = make_ctx(base_spec())
    before = ctx.workflow.model_dump()
    openai_server.add(ScriptedReply(content="late", delay=2.0))
    started = time.monotonic()
    events, reply = run_turn(Copilot(settings(openai_server, timeout=0.5)), "add a node", ctx)
    wall = time.monotonic() - started
    assert reply.error == "timeout" and reply.proposal is None
    # The real elapsed time, not the configured per-read timeout (with retries they differ).
    said = re.search(r"did not answer within (\d+\.\d) s: it sent nothing for 0.5 s", reply.plain_text())
    assert said and 0.5 <= float(said[1]) <= wall + 0.05, reply.plain_text()
    assert "unchanged" in reply.plain_text()
    assert ctx.workflow.model_dump() == before


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_gives_clear_message(openai_server: ScriptedOpenAIServer, status: int) -> None:
    ctx = make_ctx(base_spec())
    openai_server.add_tool_call(
        "propose_patch",
        connect_call()
        | {"ops": connect_call()["ops"][:0] + [{"op": "add_edge", "edge": {"source": "b", "target": "c"}}]},
    )
    openai_server.add_error(status, "overloaded")
    _, reply = run_turn(Copilot(settings(openai_server)), "connect b to c", ctx)
    # A valid step earlier in the turn is dropped too: a half-finished turn proposes nothing.
    assert reply.error == "server_error" and reply.proposal is None
    assert f"HTTP {status}" in reply.plain_text() and "overloaded" in reply.plain_text()


def test_usage_and_cost_are_accounted(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_tool_call(
        "propose_patch",
        {"ops": [{"op": "remove_node", "node_id": "c"}]},
        usage={"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100},
    )
    openai_server.add_text(
        "Done.", usage={"prompt_tokens": 1200, "completion_tokens": 20, "total_tokens": 1220}
    )
    s = settings(openai_server, prompt_cost_per_1k=0.5, completion_cost_per_1k=2.0)
    events, reply = run_turn(Copilot(s), "remove c", make_ctx(base_spec()))
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (2200, 120)
    assert reply.usage.cost == pytest.approx(2.2 * 0.5 + 0.12 * 2.0)
    assert openai_server.chat_requests()[0].body["stream_options"] == {"include_usage": True}


def test_suggestions_from_the_model(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_tool_calls(
        [
            ToolCall(
                "suggest_actions", {"items": [{"label": "Show b", "action": "focus_node", "node_id": "b"}]}
            )
        ]
    )
    openai_server.add_text("Look at b.")
    _, reply = run_turn(Copilot(settings(openai_server)), "where is b?", make_ctx(base_spec()))
    assert [p for p in reply.parts if p.type == "suggestions"][0].items[0].node_id == "b"


def test_history_is_replayed_without_secrets(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_text("ok")
    history = [
        {"role": "user", "content": "my key is sk-abcdefghijklmnopqrst"},
        {"role": "assistant", "content": "noted"},
    ]
    run_turn(Copilot(settings(openai_server)), "continue", make_ctx(base_spec()), history)
    messages = openai_server.chat_requests()[0].messages
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "system", "user"]
    assert "sk-abcdefghijklmnopqrst" not in json.dumps(messages)


def test_slash_commands_use_offline_grammar(openai_server: ScriptedOpenAIServer) -> None:
    _, reply = run_turn(Copilot(settings(openai_server)), "/set retries of c to 2", make_ctx(base_spec()))
    assert reply.engine == "offline" and reply.proposal is not None and not openai_server.requests


def test_settings_from_airflow_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {
        "conn_type": "openai",
        "host": "http://127.0.0.1:9/v1",
        "password": "k",
        "extra": {"model": "gpt-x", "timeout": 7, "prompt_cost_per_1k": 0.1},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CANVAS_LLM", json.dumps(conn))
    s = settings_from_connection()
    assert (s.base_url, s.api_key, s.model, s.timeout, s.prompt_cost_per_1k) == (
        "http://127.0.0.1:9/v1",
        "k",
        "gpt-x",
        7,
        0.1,
    )
    assert Copilot.from_airflow().status() == {"engine": "llm", "model": "gpt-x", "conn_id": "canvas_llm"}
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__COPILOT_CONN_ID", "nothing_here")
    status = Copilot.from_airflow().status()
    assert status["engine"] == "offline" and "nothing_here" in status["reason"]


def test_a_turn_deadline_cuts_a_dripping_model(openai_server: ScriptedOpenAIServer) -> None:
    """Keep-alive comments reset the client's per-read timeout; the turn's deadline still holds, and
    cancelling the turn closes the request to the model."""
    openai_server.add_keepalive_drip(seconds=20, every=0.2)
    started = time.monotonic()
    events = list(
        Copilot(settings(openai_server, timeout=1.0)).turn("hi", make_ctx(base_spec()), timeout=1.5)
    )
    wall = time.monotonic() - started
    assert [e["type"] for e in events] == ["error", "done"] and events[0]["error"] == "timeout"
    said = re.search(
        r"stopped this turn after (\d+\.\d) s: a turn may take at most 1.5 s", events[0]["message"]
    )
    assert said and 1.5 <= float(said[1]) <= wall + 0.05 and wall < 3
    (request,) = openai_server.chat_requests()
    deadline = time.monotonic() + 3
    while request.ended_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert request.client_hung_up


@pytest.mark.parametrize(
    "block",
    [
        "data: {nope\n\n",
        'data: {"choices": [{"delta": 5}]}\n\n',
        'data: {"choices": [{"delta": {"content": 1}}]}\n\n',
    ],
)
def test_an_unreadable_stream_ends_the_turn_with_an_error(
    openai_server: ScriptedOpenAIServer, block: str
) -> None:
    openai_server.add_raw_stream(openai_server.chunk_json({"content": "Hel"}), block)
    events, reply = run_turn(Copilot(settings(openai_server)), "hi", make_ctx(base_spec()))
    assert [e["type"] for e in events] == ["text", "error", "done"]
    assert reply.error == "bad_response" and reply.proposal is None


def test_a_reply_longer_than_the_cap_is_stopped(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_text("x" * 500)
    events = list(Copilot(settings(openai_server)).turn("hi", make_ctx(base_spec()), max_reply_chars=100))
    assert events[-2]["error"] == "reply_too_large"
    assert sum(len(e["delta"]) for e in events if e["type"] == "text") <= 100
