"""The LLM co-pilot knows its world: what the scripted OpenAI-compatible server receives carries the
tools, connections, pools, notifiers and the workflow's triggers and settings (never a secret);
the lookup functions answer and their answers are fed back; what the user may not read stays out;
a creation from nothing in several calls gives a valid workflow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.copilot.context import Access
from airflow_canvas.copilot.engine import Copilot
from airflow_canvas.copilot.llm import LLMEngine, LLMSettings
from airflow_canvas.copilot.llm_world import Sources
from airflow_canvas.copilot.patch import apply_patch, parse_ops
from airflow_canvas.copilot.responses import Reply
from airflow_canvas.spec import Tool
from airflow_canvas.validation import validate_workflow
from tests.fakes.openai_server import ScriptedOpenAIServer, ToolCall

from .conftest import base_spec, make_ctx

SECRET_PASSWORD = "hunter2-Pa55w0rd-zzq"
SECRET_EXTRA = "xtra-s3cr3t-value-qqv"
EVERYTHING = Access(
    tools=True, catalogue=True, connection_ids=frozenset({"crm_api", "warehouse"}), pools=True, code=False
)
PUBLISHED = Tool.model_validate(
    {
        "name": "crm_lookup",
        "version": "2.1.0",
        "description": "Look a customer up in the CRM. Uses the crm_api connection.",
        "code": "def run(inputs):\n    return {'customer': 'SECRET-CODE-MARKER'}\n",
        "input_schema": {
            "type": "object",
            "properties": {"email": {"type": "string"}},
            "required": ["email"],
        },
        "output_schema": {"type": "object", "properties": {"customer": {"type": "object"}}},
    }
)


def settings(server: ScriptedOpenAIServer) -> LLMSettings:
    return LLMSettings(
        base_url=server.url + "/v1", api_key="test-key", model="gpt-test", timeout=5.0, max_retries=0
    )


def run(server: ScriptedOpenAIServer, message: str, ctx: Any, sources: Sources | None = None) -> Reply:
    engine = LLMEngine(settings(server), sources=sources or fake_sources())
    events = list(engine.turn(message, ctx, []))
    assert events[-1]["type"] == "done"
    return Reply.model_validate(events[-1]["reply"])


def fake_sources(**kw: Any) -> Sources:
    values: dict[str, Any] = {
        "published_tools": lambda: [PUBLISHED],
        "connections": lambda ids: sorted((i, {"crm_api": "http", "warehouse": "postgres"}[i]) for i in ids),
        "pools": lambda: [("default_pool", 128), ("gpu", 2)],
        "notifiers": lambda: [
            {
                "key": "smtp",
                "label": "Email (SMTP)",
                "class_path": "airflow.providers.smtp.notifications.smtp.SmtpNotifier",
                "description": "Send an email.",
                "roles": {"connection_id": "smtp_conn_id", "to": "to", "subject": "subject", "message": None},
                "template_fields": [],
                "parameters_schema": {"type": "object", "properties": {"cc": {"type": "string"}}},
            }
        ],
    }
    return Sources(**(values | kw))


def context_of(request: Any) -> dict[str, Any]:
    text = next(
        m["content"] for m in request.messages if str(m.get("content", "")).startswith("Current context")
    )
    return json.loads(text.split("\n", 1)[1])


def scheduled_spec() -> dict[str, Any]:
    spec = base_spec()
    spec["triggers"] = {"schedule": {"kind": "cron", "value": "0 6 * * *"}}
    spec["settings"] = {"owner": "data-team", "catchup": True}
    spec["defaults"] = {"retry": {"retries": 2}}
    spec["notifications"] = [{"on": ["failure"], "notifier": "smtp", "to": ["ops@example.com"]}]
    return spec


def test_the_context_carries_tools_connections_pools_notifiers_and_triggers(
    openai_server: ScriptedOpenAIServer,
) -> None:
    ctx = make_ctx(scheduled_spec())
    ctx.access = EVERYTHING
    openai_server.add_text("ok")
    run(openai_server, "what can I use?", ctx)
    (request,) = openai_server.chat_requests()
    context = context_of(request)
    available = context["available"]
    refs = [t["ref"] for t in available["tools"]]
    assert "crm_lookup@2.1.0" in refs and "http_request@1.0.0" in refs and "http_get@1.2.0" in refs
    crm = next(t for t in available["tools"] if t["ref"] == "crm_lookup@2.1.0")
    assert crm == {
        "ref": "crm_lookup@2.1.0",
        "does": "Look a customer up in the CRM.",
        "in": {"email*": "string"},
        "out": {"customer": "object"},
    }
    assert available["connections"] == [["crm_api", "http"], ["warehouse", "postgres"]]
    assert available["pools"] == [["default_pool", 128], ["gpu", 2]]
    assert available["notifiers"] == {"smtp": "Email (SMTP)"}
    assert available["you_may"] == {"use_published_tools": True, "save_code": False}
    level = context["workflow_level"]
    assert level["triggers"] == {"schedule": {"kind": "cron", "value": "0 6 * * *"}}
    assert level["settings"]["owner"] == "data-team" and level["settings"]["start_date"] == "2024-01-01"
    assert level["defaults"]["retry"]["retries"] == 2
    assert level["notifications"][0]["to"] == ["ops@example.com"]
    assert "triggers" not in context["workflow"]  # said once, under workflow_level
    assert "SECRET-CODE-MARKER" not in json.dumps(request.body)  # tools are listed without their code
    system = request.messages[0]["content"]
    assert "operator" in system and "on_error" in system and "set_trigger" in system


def test_without_access_only_the_workflow_and_builtins_are_shown(openai_server: ScriptedOpenAIServer) -> None:
    asked: list[str] = []

    def spy(name: str, value: Any) -> Any:
        def read(*args: Any) -> Any:
            asked.append(name)
            return value

        return read

    sources = Sources(
        published_tools=spy("tools", [PUBLISHED]),
        connections=spy("connections", [("crm_api", "http")]),
        pools=spy("pools", [("gpu", 2)]),
        notifiers=spy("notifiers", []),
    )
    ctx = make_ctx(base_spec())  # no Access given: the default grants nothing
    openai_server.add_text("ok")
    run(openai_server, "hi", ctx, sources)
    available = context_of(openai_server.chat_requests()[0])["available"]
    assert asked == []  # nothing the user may not read is even read
    refs = [t["ref"] for t in available["tools"]]
    assert "crm_lookup@2.1.0" not in refs and "http_request@1.0.0" in refs  # built-ins ship with the package
    assert not {"connections", "pools", "notifiers", "operators"} & set(available)
    assert available["you_may"] == {"use_published_tools": False, "save_code": False}


def test_lookups_answer_and_are_fed_back(openai_server: ScriptedOpenAIServer) -> None:
    ctx = make_ctx(base_spec())
    ctx.access = EVERYTHING
    calls = [
        ToolCall("search_operators", {"words": "http"}, id="c_search"),
        ToolCall(
            "get_operator", {"class_path": "airflow.providers.http.operators.http.HttpOperator"}, id="c_op"
        ),
        ToolCall("get_tool", {"name": "crm_lookup"}, id="c_tool"),
        ToolCall("get_notifier", {"key": "smtp"}, id="c_notifier"),
        ToolCall("get_schema", {"part": "execution"}, id="c_schema"),
        ToolCall("search_tools", {"words": "customer crm"}, id="c_tools"),
        ToolCall("get_operator", {"class_path": "no.such.Operator"}, id="c_missing"),
    ]
    openai_server.add_tool_calls(calls)
    openai_server.add_text("HttpOperator takes an http_conn_id.")
    reply = run(openai_server, "how do I call an API?", ctx)
    assert reply.error is None and reply.proposal is None
    results = openai_server.chat_requests()[1].tool_results()
    found = [i["class_path"] for i in results["c_search"]["items"]]
    assert "airflow.providers.http.operators.http.HttpOperator" in found
    op = results["c_op"]
    assert op["ok"] and "endpoint" in op["parameters"] and "http_conn_id" in op["connection_parameters"]
    tool = results["c_tool"]
    assert tool["ref"] == "crm_lookup@2.1.0" and tool["input_schema"]["required"] == ["email"]
    assert "code" not in tool and "SECRET-CODE-MARKER" not in json.dumps(results)
    assert results["c_notifier"]["spec_fields"]["connection_id"] == "smtp_conn_id"
    assert "on_error" in results["c_schema"]["schema"]["properties"]
    assert [t["ref"] for t in results["c_tools"]["items"]] == ["crm_lookup@2.1.0"]
    assert results["c_missing"]["ok"] is False and "No installed operator" in results["c_missing"]["error"]


def test_lookups_respect_access(openai_server: ScriptedOpenAIServer) -> None:
    ctx = make_ctx(base_spec())
    ctx.access = Access(tools=False)
    openai_server.add_tool_calls(
        [
            ToolCall("search_operators", {"words": "bash"}, id="c_ops"),
            ToolCall("get_notifier", {"key": "smtp"}, id="c_notifier"),
            ToolCall("get_tool", {"name": "crm_lookup"}, id="c_tool"),
        ]
    )
    openai_server.add_text("I cannot look those up for you.")
    run(openai_server, "which operators are there?", ctx)
    results = openai_server.chat_requests()[1].tool_results()
    assert results["c_ops"] == {
        "ok": False,
        "error": "This user may not read the operator and notifier catalogues.",
    }
    assert results["c_notifier"]["ok"] is False
    assert results["c_tool"]["ok"] is False and "crm_lookup" in results["c_tool"]["error"]


def test_multi_step_creation_from_nothing_gives_a_valid_workflow(openai_server: ScriptedOpenAIServer) -> None:
    ctx = make_ctx({"id": "page_digest"})
    ctx.access = EVERYTHING
    openai_server.add_tool_call("search_tools", {"words": "http"})
    openai_server.add_tool_call("get_tool", {"name": "http_request"})
    nodes = {
        "summary": "Add the steps",
        "ops": [
            {"op": "add_node", "node": {"id": "page", "type": "input", "input_schema": {"type": "object", "properties": {"endpoint": {"type": "string"}}}}},  # noqa: E501
            {"op": "add_node", "node": {"id": "fetch", "type": "tool", "tool": "http_request@1.0.0", "parameters": {"conn_id": "crm_api"}}},  # noqa: E501
            {"op": "add_node", "node": {"id": "summarize", "type": "agent", "agent": {"prompt": "Summarise {{ inputs.text }}"}}},  # noqa: E501
            {"op": "add_node", "node": {"id": "result", "type": "output"}},
        ],
    }  # fmt: skip
    wire = {
        "summary": "Connect them and run daily",
        "ops": [
            {"op": "add_edge", "edge": {"source": "page", "target": "fetch"}},
            {"op": "add_edge", "edge": {"source": "fetch", "target": "summarize"}},
            {"op": "add_edge", "edge": {"source": "summarize", "target": "result"}},
            {"op": "set_trigger", "schedule": {"kind": "preset", "value": "@daily"}},
            {"op": "set", "path": "/nodes/fetch/execution/retry", "value": {"retries": 3}},
        ],
    }
    openai_server.add_tool_call("propose_patch", nodes)
    openai_server.add_tool_call("propose_patch", wire)
    openai_server.add_text("I built a four-step workflow that runs daily.")
    reply = run(openai_server, "fetch a page from the CRM API each day and summarise it", ctx)
    assert reply.error is None and reply.proposal is not None
    out = apply_patch(ctx.workflow, parse_ops(reply.proposal.ops))
    errors = [p for p in validate_workflow(out) if p.severity == "error"]
    assert not errors, errors
    assert [n.id for n in out.nodes] == ["page", "fetch", "summarize", "result"]
    assert out.triggers.schedule is not None and out.triggers.schedule.value == "@daily"
    requests = openai_server.chat_requests()
    assert len(requests) == 5
    searched, got = requests[2].tool_results().values()  # both answers went back before the proposal
    assert "http_request@1.0.0" in [t["ref"] for t in searched["items"]]
    assert got["ref"] == "http_request@1.0.0" and "endpoint" in got["input_schema"]["properties"]


@pytest.fixture
def secret_connection(airflow_db: Path) -> Iterator[str]:
    from airflow.models.connection import Connection
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session

    conn = Connection(
        conn_id="crm_secret_test",
        conn_type="http",
        host="crm.example.com",
        login="svc",
        password=SECRET_PASSWORD,
        extra=json.dumps({"api_key": SECRET_EXTRA, "note": SECRET_EXTRA}),
    )
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == conn.conn_id).delete()
        session.query(Pool).filter(Pool.pool == "llm_pool_test").delete()
        session.add(conn)
        session.add(Pool(pool="llm_pool_test", slots=3, description="for the test", include_deferred=False))
    yield conn.conn_id
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == conn.conn_id).delete()
        session.query(Pool).filter(Pool.pool == "llm_pool_test").delete()


def test_secrets_of_connections_never_leave(
    openai_server: ScriptedOpenAIServer, secret_connection: str
) -> None:
    """Real connection rows from Airflow's DB: the id and type go to the model, the password and
    the extra appear nowhere in anything the server receives."""
    ctx = make_ctx(base_spec())
    ctx.access = Access(connection_ids=frozenset({secret_connection}), pools=True)
    openai_server.add_tool_call("get_tool", {"name": "http_request"})
    openai_server.add_text("Use crm_secret_test.")
    engine = LLMEngine(settings(openai_server), sources=Sources(published_tools=lambda: []))
    events = list(engine.turn("which connection reaches the CRM?", ctx, []))
    assert events[-1]["type"] == "done" and events[-1]["reply"]["error"] is None
    available = context_of(openai_server.chat_requests()[0])["available"]
    assert [secret_connection, "http"] in available["connections"]
    assert ["llm_pool_test", 3] in available["pools"]
    for request in openai_server.requests:
        wire = json.dumps(request.body) + json.dumps(request.headers)
        assert SECRET_PASSWORD not in wire and SECRET_EXTRA not in wire and "crm.example.com" not in wire
    assert SECRET_PASSWORD not in json.dumps(events) and SECRET_EXTRA not in json.dumps(events)


def test_copilot_facade_keeps_the_access_of_the_context(openai_server: ScriptedOpenAIServer) -> None:
    """The API path goes through ``Copilot``: the access set on the context reaches the prompt."""
    ctx = make_ctx(base_spec())
    ctx.access = Access(code=True)
    openai_server.add_text("ok")
    list(Copilot(settings(openai_server)).turn("hi", ctx))
    assert context_of(openai_server.chat_requests()[0])["available"]["you_may"]["save_code"] is True
