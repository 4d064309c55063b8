"""The IR is complete: the emitter prints it and reads nothing else (not the spec), and notifier
calls reach it as expressions, never as source that is parsed again."""

from __future__ import annotations

import ast
import dataclasses
from typing import Any

import pytest

from airflow_canvas.compiler import spec_hash
from airflow_canvas.compiler.emitter import emit
from airflow_canvas.compiler.ir import build_ir
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow

SPEC: dict[str, Any] = {
    "id": "complete_ir",
    "description": "Nightly run.",
    "notifications": [
        {"on": ["failure", "retry"], "to": ["ops@example.com"], "subject": "failed"},
        {"on": ["deadline_miss"], "to": ["ops@example.com"], "deadline_seconds": 60},
    ],
    "groups": [{"id": "g", "notifications": [{"on": ["retry"], "to": ["g@example.com"]}]}],
    "nodes": [
        {"id": "a", "type": "process", "description": "First."},
        {
            "id": "b",
            "type": "process",
            "group": "g",
            "execution": {"retry": {"retries": 2, "delay_seconds": 90}},
            "notifications": [{"on": ["success"], "to": ["b@example.com"]}],
        },
    ],
    "edges": [{"source": "a", "target": "b"}],
}


def _emit(wf: Workflow) -> tuple[Any, str]:
    ir = build_ir(wf)
    return ir, emit(ir, spec_hash(wf))


def test_the_ir_holds_no_spec_objects() -> None:
    ir, _ = _emit(parse_workflow(SPEC))
    for record in [ir, *ir.tasks.values(), *ir.groups.values()]:
        for f in dataclasses.fields(record):
            value = getattr(record, f.name)
            assert "airflow_canvas.spec" not in type(value).__module__, (type(record).__name__, f.name)


def test_the_emitter_reads_only_the_ir() -> None:
    """Changing the spec after the IR is built changes nothing printed."""
    wf = parse_workflow(SPEC)
    ir, before = _emit(wf)
    object.__setattr__(wf, "description", "Changed.")
    object.__setattr__(wf.nodes[0], "description", "Changed.")
    object.__setattr__(wf, "notifications", [])
    object.__setattr__(wf, "groups", [])
    object.__setattr__(wf, "nodes", [])
    assert emit(ir, spec_hash(parse_workflow(SPEC))) == before
    assert "Nightly run." in before and "SmtpNotifier(" in before and "DeadlineAlert(" in before


def test_notifier_calls_are_not_parsed_back_from_source(monkeypatch: pytest.MonkeyPatch) -> None:
    wf = parse_workflow(SPEC)
    _, expected = _emit(wf)

    calls: list[str] = []
    original = ast.parse

    def counting(source: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(source)[:80])
        return original(source, *args, **kwargs)

    with monkeypatch.context() as patch:  # undone before asserting: pytest's reports parse too
        patch.setattr(ast, "parse", counting)
        source = _emit(wf)[1]
    assert calls == []
    assert source == expected
