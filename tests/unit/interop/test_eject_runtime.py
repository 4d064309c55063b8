"""The ejected node operators behave like airflow-canvas's own: same outputs, same failures, same
skips, for the same arguments (a drift detector between operators/ and eject_runtime.py), and
the node logic in an ejected file is the core's own source, not a copy kept by hand."""

from __future__ import annotations

import ast
import inspect
import types
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowSkipException

import airflow_canvas.operators as canvas
from airflow_canvas.exporters import eject
from airflow_canvas.runtime import core

# What an ejected file carries: the core's source and the operators, run as their own module.
runtime = types.ModuleType("ejected_runtime")
exec(compile(eject._runtime_source(), "<ejected runtime>", "exec"), runtime.__dict__)


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


def test_ejected_runtime_is_the_core_source_plus_airflow_glue() -> None:
    source = eject._runtime_source()
    for name, value in vars(core).items():  # every function and class of the core, verbatim
        if (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == core.__name__:
            assert inspect.getsource(value) in source, name
    assert "airflow_canvas" not in source.replace("airflow-canvas", "")
    glue = ast.unparse(ast.parse(eject.RUNTIME.read_text(encoding="utf-8")))  # the code, no comments
    # The glue holds no node logic of its own: JSON Schema, JMESPath and the process/branch/output
    # rules are only reachable through the core's functions.
    for logic in (
        "jsonschema",
        "jmespath.",
        "import jmespath",
        "deepcopy",
        "'properties'",
        "mapping.items()",
    ):
        assert logic not in glue, logic
    tree = ast.parse(source)
    assert [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "__future__"] == []


def test_the_ejected_check_fails_like_the_canvas_one() -> None:
    kwargs = {"upstream_outputs": {"a": {"x": "s"}}, "merge_upstream": ["a"],
              "input_schema": {"type": "object", "properties": {"x": {"type": "integer"}}}}  # fmt: skip
    failures = []
    for module in (canvas, runtime):
        with pytest.raises(ValueError) as caught:
            module.ProcessOperator(task_id="p", **kwargs).execute({})
        failures.append((type(caught.value).__name__, str(caught.value)))
    assert (
        failures[0]
        == failures[1]
        == (
            "CanvasInputError",
            "Node 'p': input does not match its schema: x: 's' is not of type 'integer'",
        )
    )
