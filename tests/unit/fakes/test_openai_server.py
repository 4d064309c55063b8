"""The scripted server must look like the real API to the real `openai` client."""

from __future__ import annotations

import json

import openai
import pytest
from openai import OpenAI

from tests.fakes import ScriptedOpenAIServer, ToolCall


def _client(server: ScriptedOpenAIServer, **kwargs) -> OpenAI:
    return OpenAI(base_url=server.url + "/v1", api_key="test-key", **kwargs)


def test_text_reply_and_request_recorded(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_text("hello there")
    reply = _client(openai_server).chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": "hi"}]
    )
    assert reply.choices[0].message.content == "hello there"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None and reply.usage.total_tokens == 15
    sent = openai_server.chat_requests()[0]
    assert sent.body["messages"] == [{"role": "user", "content": "hi"}]
    assert sent.headers["authorization"] == "Bearer test-key"


def test_tool_calls_and_malformed_arguments(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_tool_calls([ToolCall("lookup", {"city": "Oslo"}), ToolCall("broken", "{not json")])
    reply = _client(openai_server).chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": "weather?"}]
    )
    calls = reply.choices[0].message.tool_calls
    assert reply.choices[0].finish_reason == "tool_calls"
    assert [c.function.name for c in calls] == ["lookup", "broken"]
    assert json.loads(calls[0].function.arguments) == {"city": "Oslo"}
    assert calls[1].function.arguments == "{not json"


def test_structured_json(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_json({"answer": 42})
    schema = {"type": "object", "properties": {"answer": {"type": "integer"}}}
    reply = _client(openai_server).chat.completions.create(
        model="gpt-test",
        messages=[{"role": "user", "content": "q"}],
        response_format={"type": "json_schema", "json_schema": {"name": "out", "schema": schema}},
    )
    assert json.loads(reply.choices[0].message.content) == {"answer": 42}
    assert openai_server.requests[0].body["response_format"]["json_schema"]["schema"] == schema


def test_429_with_retry_after_is_retried_by_client(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_error(429, "slow down", retry_after=0).add_text("ok")
    reply = _client(openai_server, max_retries=1).chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": "x"}]
    )
    assert reply.choices[0].message.content == "ok"
    assert len(openai_server.chat_requests()) == 2


def test_500_surfaces_as_api_error(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_error(500, "boom")
    with pytest.raises(openai.InternalServerError, match="boom"):
        _client(openai_server, max_retries=0).chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": "x"}]
        )


def test_empty_queue_fails_loudly(openai_server: ScriptedOpenAIServer) -> None:
    with pytest.raises(openai.InternalServerError, match="no scripted response left"):
        _client(openai_server, max_retries=0).chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": "x"}]
        )


def test_delay_triggers_client_timeout(openai_server: ScriptedOpenAIServer) -> None:
    # The timeout error itself proves the client gave up before the scripted delay ended (no
    # wall-clock bound here: a loaded machine must not fail a unit test).
    openai_server.add_text("late", delay=1.0)
    with pytest.raises(openai.APITimeoutError):
        _client(openai_server, max_retries=0, timeout=0.2).chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": "x"}]
        )


def test_streaming_text_and_tool_calls(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_text("a streamed answer that spans chunks")
    openai_server.add_tool_call("lookup", {"city": "Bergen"})
    client = _client(openai_server)
    stream = client.chat.completions.create(
        model="gpt-test",
        messages=[{"role": "user", "content": "x"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "a streamed answer that spans chunks"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 15

    args, name = "", None
    for chunk in client.chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": "x"}], stream=True
    ):
        for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            name = call.function.name or name
            args += call.function.arguments or ""
    assert name == "lookup" and json.loads(args) == {"city": "Bergen"}


def test_models_endpoint(openai_server: ScriptedOpenAIServer) -> None:
    models = [m.id for m in _client(openai_server).models.list()]
    assert models == ["gpt-test", "gpt-test-mini"]


def test_responder_callable_sees_request(openai_server: ScriptedOpenAIServer) -> None:
    from tests.fakes import ScriptedReply

    openai_server.add(lambda req: ScriptedReply(content=f"you said {req.messages[-1]['content']}"))
    reply = _client(openai_server).chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": "ping"}]
    )
    assert reply.choices[0].message.content == "you said ping"
