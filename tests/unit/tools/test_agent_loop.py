"""The agent loop against ScriptedOpenAIServer with the real openai client."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.agent_loop import AgentError, AgentLoop, AgentSettings
from tests.fakes import ScriptedOpenAIServer, ToolCall

ADD = Tool(
    name="add",
    version="1.0.0",
    description="Add two integers.",
    code="def run(a, b):\n    return {'sum': a + b}\n",
    input_schema={
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    },  # fmt: skip
)
OUT = {"type": "object", "properties": {"total": {"type": "integer"}}, "required": ["total"]}


def run_loop(server: ScriptedOpenAIServer, *, tools: list[Tool] = (ADD,), **overrides: Any):
    from airflow_canvas.tools.execute import execute_tool

    waits: list[float] = []
    base = {"model": "gpt-4o-mini", "prompt": "add 2 and 3", "system_prompt": "be exact", "output_schema": OUT,
            "request_timeout_seconds": 5}  # fmt: skip
    settings = AgentSettings(**{**base, **overrides})
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="sk-secret-key", max_retries=0)
    loop = AgentLoop(client, settings, list(tools), lambda t, args: execute_tool(t, args), sleep=waits.append)
    return loop, waits


def test_tool_call_then_structured_answer(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_tool_call("add", {"a": 2, "b": 3}).add_json({"total": 5})
    loop, _ = run_loop(openai_server)
    result = loop.run()
    assert result.output == {"total": 5} and result.steps == 2
    assert result.usage == {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30}
    assert result.cost_usd == pytest.approx((20 * 0.15 + 10 * 0.60) / 1e6)
    first, second = openai_server.chat_requests()
    assert first.body["tools"][0]["function"]["name"] == "add"
    assert first.body["tools"][0]["function"]["parameters"] == ADD.input_schema
    assert first.body["response_format"]["json_schema"]["schema"] == OUT
    assert first.messages[:2] == [
        {"role": "system", "content": "be exact"},
        {"role": "user", "content": "add 2 and 3"},
    ]
    tool_message = second.messages[-1]
    assert tool_message["role"] == "tool" and json.loads(tool_message["content"]) == {"output": {"sum": 5}}
    assert [e["kind"] for e in result.transcript] == ["tool_call", "answer"]
    assert all("sk-secret-key" not in json.dumps(r.body) for r in openai_server.requests)


def test_malformed_arguments_are_sent_back_and_recovered(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_tool_calls([ToolCall("add", '{"a": 2, "b": ')])  # truncated JSON
    openai_server.add_tool_call("add", {"a": "two", "b": 3})  # schema violation
    openai_server.add_tool_call("nope", {})  # unknown tool
    openai_server.add_tool_call("add", {"a": 2, "b": 3}).add_json({"total": 5})
    result = run_loop(openai_server)[0].run()
    assert result.output == {"total": 5}
    errors = [json.loads(r.messages[-1]["content"])["error"] for r in openai_server.chat_requests()[1:4]]
    assert "not valid JSON" in errors[0]
    assert "do not match the tool's schema" in errors[1] and "'two' is not of type 'integer'" in errors[1]
    assert "unknown tool 'nope'" in errors[2]


def test_429_and_500_are_retried_with_backoff(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_error(429, "rate limited", retry_after=7).add_error(503, "busy").add_json({"total": 1})
    loop, waits = run_loop(openai_server, tools=[], backoff_seconds=0.5)
    assert loop.run().output == {"total": 1}
    assert waits == [7.0, 1.0]  # Retry-After honoured, then the doubled backoff


def test_retries_are_bounded(openai_server: ScriptedOpenAIServer) -> None:
    for _ in range(3):
        openai_server.add_error(500, "down")
    loop, waits = run_loop(openai_server, tools=[], max_retries=2)
    with pytest.raises(AgentError, match="kept failing after 3 attempts") as info:
        loop.run()
    assert info.value.kind == "retries_exhausted" and len(waits) == 2


def test_client_errors_are_not_retried(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_error(401, "bad key")
    with pytest.raises(AgentError, match="refused") as info:
        run_loop(openai_server, tools=[])[0].run()
    assert info.value.kind == "api_error" and len(openai_server.chat_requests()) == 1


def test_per_call_timeout_is_retried(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_text("late", delay=1.5).add_json({"total": 2})
    loop, waits = run_loop(openai_server, tools=[], request_timeout_seconds=0.3)
    assert loop.run().output == {"total": 2} and len(waits) == 1


def test_invalid_output_is_re_asked_then_accepted(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_text("the total is 5").add_json({"total": "5"}).add_json({"total": 5})
    result = run_loop(openai_server, tools=[])[0].run()
    assert result.output == {"total": 5}
    repair = openai_server.chat_requests()[2].messages[-1]["content"]
    assert (
        "does not match the required output JSON Schema" in repair
        and "'5' is not of type 'integer'" in repair
    )


def test_invalid_output_fails_within_bounds(openai_server: ScriptedOpenAIServer) -> None:
    for _ in range(3):
        openai_server.add_json({"wrong": True})
    with pytest.raises(AgentError, match="after 2 re-asks") as info:
        run_loop(openai_server, tools=[])[0].run()
    assert info.value.kind == "invalid_output" and len(openai_server.chat_requests()) == 3


def test_step_limit(openai_server: ScriptedOpenAIServer) -> None:
    for _ in range(3):
        openai_server.add_tool_call("add", {"a": 1, "b": 1})
    with pytest.raises(AgentError, match="max_steps=3") as info:
        run_loop(openai_server, max_steps=3)[0].run()
    assert info.value.kind == "step_limit" and len(info.value.transcript) == 3


def test_tool_failure_is_reported_to_the_model(openai_server: ScriptedOpenAIServer) -> None:
    boom = Tool(name="boom", version="1.0.0", code="def run():\n    raise RuntimeError('disk on fire')\n")
    openai_server.add_tool_call("boom", {}).add_json({"total": 0})
    assert run_loop(openai_server, tools=[boom])[0].run().output == {"total": 0}
    sent = json.loads(openai_server.chat_requests()[1].messages[-1]["content"])
    assert sent == {"error": "RuntimeError: disk on fire"}


def test_without_output_schema_answer_is_text(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_text("hello")
    result = run_loop(openai_server, tools=[], output_schema={})[0].run()
    assert result.output == {"answer": "hello"}
    assert "response_format" not in openai_server.requests[0].body
