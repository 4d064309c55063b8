"""The canvas operators outside a DAG run: input assembly, schemas, on_error=skip, Jinja safety,
JMESPath/Python processing, branching decisions, params, outputs and bundled tools."""

from __future__ import annotations

from pathlib import Path

import pytest
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowSkipException

from airflow_canvas.operators import (
    CanvasOperator,
    ConditionBranchOperator,
    InputOperator,
    OutputOperator,
    ProcessOperator,
    ToolOperator,
)
from airflow_canvas.operators.base import CanvasInputError
from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.bundle import tool_digest, write_tool_files


class Echo(CanvasOperator):
    def run(self, inputs, context):
        return inputs


def test_inputs_merge_map_and_fall_back() -> None:
    op = Echo(
        task_id="echo",
        upstream_outputs={"a": {"x": 1, "y": 2}, "b": {"body": {"text": "hi"}}, "bad": None, "fb": {"z": 9}},
        merge_upstream=["a"],
        input_mapping={"text": '"b"."body"."text"', "z": '"bad"."z"', "n": '"a"."x" | to_string(@)'},
        fallbacks={"bad": "fb"},
    )
    assert op.resolve_inputs({}) == {"x": 1, "y": 2, "text": "hi", "z": 9, "n": "1"}


def test_mapped_instance_gets_one_item_and_is_checked_against_items_schema() -> None:
    op = Echo(
        task_id="each",
        upstream_outputs={"s": {"list": [1, 2]}},
        map_over="item",
        map_item=2,
        input_schema={
            "type": "object",
            "properties": {"item": {"type": "array", "items": {"type": "integer"}}},
        },
    )
    assert op.execute({}) == {"item": 2}


def test_schema_violations_name_the_node_and_field() -> None:
    op = Echo(
        task_id="strict",
        upstream_outputs={"a": {"n": "x"}},
        merge_upstream=["a"],
        input_schema={"type": "object", "properties": {"n": {"type": "integer"}}},
    )
    with pytest.raises(CanvasInputError, match=r"Node 'strict': input .* n: 'x' is not of type 'integer'"):
        op.execute({})
    out = Echo(task_id="out", output_schema={"type": "object", "required": ["must"]})
    with pytest.raises(CanvasInputError, match="output"):
        out.execute({})


def test_on_error_skip_turns_failure_into_skip() -> None:
    op = ProcessOperator(
        task_id="p", language="python", expression="raise ValueError('nope')", on_error="skip"
    )
    with pytest.raises(AirflowSkipException, match="nope"):
        op.execute({})
    failing = ProcessOperator(task_id="q", language="python", expression="raise ValueError('nope')")
    with pytest.raises(ValueError):
        failing.execute({})


def test_parameters_are_never_templated() -> None:
    op = ProcessOperator(task_id="p", parameters={"note": "{{ 7*7 }}"}, templates={"when": "{{ ds }}"})
    assert "parameters" not in op.template_fields
    assert set(op.template_fields) == {"upstream_outputs", "templates"}


def test_process_jmespath_and_python() -> None:
    jp = ProcessOperator(
        task_id="j",
        expression="{n: length(items)}",
        upstream_outputs={"a": {"items": [1, 2]}},
        merge_upstream=["a"],
    )
    assert jp.execute({}) == {"n": 2}
    py = ProcessOperator(
        task_id="py",
        language="python",
        expression="inputs['items'].append(3)\nresult = {'sum': sum(inputs['items']), 'k': parameters['k']}",
        upstream_outputs={"a": {"items": [1, 2]}},
        merge_upstream=["a"],
        parameters={"k": "v"},
    )
    assert py.execute({}) == {"sum": 6, "k": "v"}
    assert py.upstream_outputs == {"a": {"items": [1, 2]}}  # the snippet got a copy
    with pytest.raises(ValueError):
        ProcessOperator(task_id="bad", language="lua")


def test_branch_chooses_targets_by_jmespath_truthiness() -> None:
    op = ConditionBranchOperator(
        task_id="s__branch",
        source="s",
        conditions={"yes": "score > `0.5`", "empty": "tags", "zero": "count", "always": None},
        upstream_outputs={"s": {"score": 0.9, "tags": [], "count": 0}},
    )
    assert op.run({}, {}) == ["yes", "zero", "always"]


def test_input_operator_returns_declared_params() -> None:
    op = InputOperator(task_id="in", input_schema={"type": "object", "properties": {"q": {"type": "string"}}})
    assert op.execute({"params": {"q": "hello", "other": 1}}) == {"q": "hello"}


def test_output_operator_keeps_schema_fields() -> None:
    op = OutputOperator(
        task_id="out",
        upstream_outputs={"a": {"answer": "42", "debug": "x"}},
        merge_upstream=["a"],
        output_schema={
            "type": "object",
            "required": ["answer"],
            "properties": {"answer": {"type": "string"}},
        },
    )
    assert op.execute({}) == {"answer": "42"}


def test_tool_operator_runs_the_bundled_version(tmp_path: Path) -> None:
    tool = Tool(
        name="shout",
        version="1.0.0",
        code="def run(text, suffix='!'):\n    return {'text': text.upper() + suffix}\n",
        input_schema={"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
        output_schema={"type": "object", "required": ["text"]},
    )
    write_tool_files(tmp_path, [tool])
    with DAG(dag_id="tools_dag", schedule=None) as dag:
        op = ToolOperator(
            task_id="t",
            tool="shout@1.0.0",
            tool_digest=tool_digest(tool),
            upstream_outputs={"a": {"text": "hi"}},
            merge_upstream=["a"],
            parameters={"suffix": "?"},
        )
    dag.fileloc = str(tmp_path / "tools_dag.py")
    assert op.execute({}) == {"text": "HI?"}
