"""The ejected node operators behave like airflow-canvas's own: same outputs, same failures, same
skips, for the same arguments (a drift detector between operators/ and eject_runtime.py)."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowSkipException

import airflow_canvas.operators as canvas
from airflow_canvas.exporters import eject

_spec = importlib.util.spec_from_file_location("ejected_runtime", eject.RUNTIME)
runtime = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runtime)  # type: ignore[union-attr]


def _outcome(cls: type, context: dict[str, Any], **kwargs: Any) -> tuple[str, Any]:
    try:
        return "ok", cls(task_id="n", **kwargs).execute(context)
    except AirflowSkipException:
        return "skipped", None
    except Exception as exc:  # the message names the node and the schema failure
        return "failed", str(exc).split(":")[0]


UPSTREAM = {"a": {"x": 1, "tags": ["p", "q"]}, "b": None, "c": {"y": 2}}
CASES = [
    (
        "ProcessOperator",
        {
            "upstream_outputs": UPSTREAM,
            "merge_upstream": ["a"],
            "fallbacks": {"b": "c"},
            "input_mapping": {"z": "b.y"},
            "language": "python",
            "expression": "result = {'s': inputs['x'] + inputs['z'], 'p': parameters['k']}",
            "parameters": {"k": "v"},
        },
    ),
    ("ProcessOperator", {"upstream_outputs": UPSTREAM, "merge_upstream": ["a"], "expression": "tags[0]"}),
    (
        "ProcessOperator",
        {
            "upstream_outputs": UPSTREAM,
            "merge_upstream": ["a"],
            "expression": "x",
            "output_schema": {"type": "string"},
        },
    ),
    (
        "ProcessOperator",
        {
            "upstream_outputs": UPSTREAM,
            "merge_upstream": ["a"],
            "expression": "x",
            "output_schema": {"type": "string"},
            "on_error": "skip",
        },
    ),
    (
        "ProcessOperator",
        {
            "upstream_outputs": UPSTREAM,
            "merge_upstream": ["a"],
            "input_schema": {"type": "object", "required": ["nope"]},
        },
    ),
    ("InputOperator", {"input_schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}),
    (
        "OutputOperator",
        {
            "upstream_outputs": UPSTREAM,
            "merge_upstream": ["a"],
            "output_schema": {"type": "object", "properties": {"x": {"type": "integer"}}},
        },
    ),
]


STATUSES = ["ok", "ok", "failed", "skipped", "failed", "ok", "ok"]


@pytest.mark.parametrize(
    ("name", "kwargs", "status"), [(*c, s) for c, s in zip(CASES, STATUSES, strict=True)]
)
def test_same_behaviour(name: str, kwargs: dict[str, Any], status: str) -> None:
    context = {"params": {"n": 5, "other": 1}}
    expected = _outcome(getattr(canvas, name), context, **kwargs)
    assert expected[0] == status
    assert _outcome(getattr(runtime, name), context, **kwargs) == expected


def test_branch_choices_match() -> None:
    kwargs = {
        "upstream_outputs": {"a": {"score": 0, "flag": []}},
        "source": "a",
        "conditions": {"hi": "score", "flagged": "flag", "always": None, "low": "score == `0`"},
    }
    value = {"score": 0, "flag": []}
    real = canvas.ConditionBranchOperator(task_id="br", **kwargs)
    ejected = runtime.ConditionBranchOperator(task_id="br", **kwargs)
    assert real.choose(value) == ejected.run({}, {}) == ["hi", "always", "low"]


def test_ejected_builtin_tool_runs_like_the_canvas_tool(tmp_path) -> None:
    from airflow_canvas.exporters import export_workflow
    from airflow_canvas.spec.load import parse_workflow

    wf = parse_workflow({
        "id": "eject_builtin",
        "nodes": [
            {"id": "pick", "type": "tool", "tool": "json_transform@1.0.0", "parameters": {"expression": "a.b"}},
        ],
    })  # fmt: skip
    source = export_workflow(wf, "python")
    assert "airflow_canvas" not in source.replace("airflow-canvas", "")
    namespace: dict[str, Any] = {"__name__": "ejected_dag"}
    exec(compile(source, str(tmp_path / "ejected.py"), "exec"), namespace)  # defines the DAG, runs nothing
    assert "json_transform@1.0.0" in namespace["CANVAS_TOOLS"]
    kwargs = {
        "tool": "json_transform@1.0.0",
        "parameters": {"expression": "a.b"},
        "upstream_outputs": {"src": {"data": {"a": {"b": 7}}}},
        "merge_upstream": ["src"],
    }
    ejected = namespace["ToolOperator"](task_id="pick", **kwargs).execute({})
    real = canvas.ToolOperator(task_id="pick", **kwargs).execute({})
    assert ejected == real == {"result": 7}
