"""Co-pilot context building (secrets stripped, selection filtered, run tails bounded) and the wizards."""

from __future__ import annotations

import json

from airflow_canvas.copilot.context import MAX_LOG_TAIL_LINES, ChatContext, build_context, strip_secrets
from airflow_canvas.copilot.patch import apply_patch, parse_ops
from airflow_canvas.copilot.wizards import list_wizards, wizard_step
from airflow_canvas.spec import Workflow

from .conftest import base_spec


def test_strip_secrets_keys_and_values() -> None:
    data = {
        "password": "hunter2",
        "api_key": "abc",
        "url": "postgres://bob:s3cret@db/x",
        "ok": "hello",
        "nested": [{"Authorization": "Bearer abcdefghijklmnop"}],
        "text": "use sk-abcdefghijklmnopqrstuv now",
        "token_count": 0,
        "use_token": True,
    }
    out = strip_secrets(data)
    assert out["password"] == out["api_key"] == "***" and out["ok"] == "hello"
    assert out["url"] == "postgres://bob:***@db/x" and out["nested"][0]["Authorization"] == "***"
    assert "sk-" not in out["text"] and out["token_count"] == 0 and out["use_token"] is True


def test_context_payload() -> None:
    spec = base_spec()
    spec["nodes"][0]["parameters"] = {"headers": {"X-Api-Key": "k-123456789"}}
    chat = ChatContext.model_validate(
        {
            "workflow": spec,
            "selection": ["a", "ghost"],
            "recent_actions": [{"label": f"step {i}"} for i in range(15)],
            "run": {
                "run_id": "r",
                "nodes": {
                    "a": {"state": "failed", "log_tail": "\n".join(f"l{i}" for i in range(100))},
                    "b": {"state": "success", "output": {"big": "x" * 10}},
                },
            },
        }
    )
    ctx = build_context(chat)
    payload = ctx.prompt_payload()
    assert payload["selection"] == ["a"]  # unknown ids are dropped
    assert len(payload["recent_actions"]) == 10 and payload["recent_actions"][-1]["label"] == "step 14"
    assert len(payload["latest_run"]["failures"]["a"]["log_tail"].splitlines()) == MAX_LOG_TAIL_LINES
    assert (
        "b" not in payload["latest_run"]["failures"]
        and payload["latest_run"]["node_states"]["b"] == "success"
    )
    assert "k-123456789" not in json.dumps(payload) and "ui" not in payload["workflow"]["nodes"][0]


def test_wizard_list_and_tool_node(workflow: Workflow) -> None:
    assert {w.name for w in list_wizards(workflow)} == {"new_agent_node", "new_tool_node", "schedule"}
    first = wizard_step("new_tool_node", workflow, {}, -1)
    assert first.step is not None and "http_get@1.2.0" in first.step.fields[0].options
    missing = wizard_step("new_tool_node", workflow, {}, 0)
    assert missing.problems[0]["code"] == "E_WIZARD_MISSING"
    answers = {"tool": "http_get@1.2.0", "after": "fetch", "parameters": '{"url": "https://x"}'}
    assert wizard_step("new_tool_node", workflow, answers, 0).step.index == 1
    done = wizard_step("new_tool_node", workflow, answers, 1)
    out = apply_patch(workflow, parse_ops(done.proposal.ops))
    assert out.node("http_get").parameters == {"url": "https://x"} and "fetch->http_get" in [
        e.key for e in out.edges
    ]


def test_wizard_bad_json_and_schedule(workflow: Workflow) -> None:
    bad = wizard_step("new_tool_node", workflow, {"tool": "http_get@1.2.0", "parameters": "{nope"}, 1)
    assert bad.proposal is None and bad.problems[0]["code"] == "E_WIZARD_INVALID"
    done = wizard_step("schedule", workflow, {"kind": "cron", "value": "0 6 * * *"}, 0)
    assert apply_patch(workflow, parse_ops(done.proposal.ops)).triggers.schedule.value == "0 6 * * *"
    invalid = wizard_step("schedule", workflow, {"kind": "cron", "value": "whenever"}, 0)
    assert invalid.proposal is None and invalid.problems[0]["code"] == "E_SCHEDULE_INVALID"


def test_run_log_lines_are_readable() -> None:
    from airflow_canvas.copilot.runs import _error_of, _log_line

    record = {
        "level": "error",
        "event": "Task failed with exception",
        "error_detail": [{"exc_type": "ConnectionError", "exc_value": "503 Service Unavailable"}],
    }
    line = _log_line(json.dumps(record) + "\n")
    assert line == "ERROR Task failed with exception | ConnectionError: 503 Service Unavailable"
    assert _log_line("plain text line\n") == "plain text line"
    assert _error_of("INFO start\n" + line + "\nINFO done") == line


def test_failed_node_inputs_are_rebuilt_from_upstream_outputs() -> None:
    from airflow_canvas.copilot.runs import MAX_VALUE_CHARS, inputs_from, small
    from airflow_canvas.spec import parse_workflow

    wf = parse_workflow(
        {
            "id": "w",
            "nodes": [{"id": n, "type": "process"} for n in ("a", "b", "c", "d")],
            "edges": [
                {"source": "a", "target": "d"},
                {"source": "b", "target": "d", "mapping": [{"source": "body.items", "target": "rows"}]},
                {"source": "c", "target": "d", "kind": "dependency"},
            ],
        }
    )
    outputs = {"a": {"url": "https://x"}, "b": {"body": {"items": [1, 2]}}, "c": {"ignored": True}}
    assert inputs_from(wf, "d", outputs) == {"url": "https://x", "rows": [1, 2]}
    assert inputs_from(wf, "a", outputs) is None
    assert small({"k": "v"}) == {"k": "v"}
    big = small({"k": "x" * 10_000})
    assert isinstance(big, str) and len(big) < MAX_VALUE_CHARS + 50
