"""How the canvas operators are built: each one merges Airflow's default arguments (a deep copy of
the DAG's Params) no more often than a PythonOperator does, which keeps a generated DAG file as
cheap to parse as a hand-written one (benchmarks/compile_parse.py), and is still built the way
Airflow expects (default_args, XComArg dependencies, partial/expand argument checks)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Param, TaskGroup
from airflow.sdk.bases import operator as airflow_operator

from airflow_canvas.operators import (
    AgentOperator,
    ConditionBranchOperator,
    InputOperator,
    OutputOperator,
    ProcessOperator,
    ToolOperator,
)

# Each kind with the arguments it needs; node fields common to all of them are added below.
KINDS: list[tuple[type, dict[str, Any]]] = [
    (InputOperator, {}),
    (OutputOperator, {}),
    (ProcessOperator, {"language": "python", "expression": "result = inputs"}),
    (ToolOperator, {"tool": "builtin.echo", "tool_digest": "sha256:ab", "memory_limit_mb": 64}),
    (ConditionBranchOperator, {"source": "up", "conditions": {"a": "ok"}}),
    (AgentOperator, {"model": "m", "prompt": "p", "tools": ["t"], "max_steps": 3}),
]


def merges_per_instance(build: Any) -> int:
    real = airflow_operator.get_merged_defaults
    with mock.patch.object(airflow_operator, "get_merged_defaults", side_effect=real) as merged:
        build()
    return merged.call_count


def _dag(dag_id: str) -> DAG:
    return DAG(dag_id=dag_id, schedule=None, params={"value": Param(1, type="integer")})


@pytest.mark.parametrize(("cls", "extra"), KINDS, ids=[k.__name__ for k, _ in KINDS])
def test_each_kind_merges_defaults_as_often_as_a_python_operator(cls: type, extra: dict[str, Any]) -> None:
    with _dag(f"merges_{cls.__name__}"):
        python = merges_per_instance(lambda: PythonOperator(task_id="py", python_callable=print))
        canvas = merges_per_instance(lambda: cls(task_id="node", **extra))
    assert python == 2
    assert canvas <= python, f"{cls.__name__} merges Airflow's defaults {canvas} times per task"


@pytest.mark.parametrize(("cls", "extra"), KINDS, ids=[k.__name__ for k, _ in KINDS])
def test_each_kind_keeps_its_fields_defaults_and_dependencies(cls: type, extra: dict[str, Any]) -> None:
    with _dag(f"fields_{cls.__name__}") as dag, TaskGroup(group_id="g", default_args={"retries": 2}):
        up = ProcessOperator(task_id="up")
        op = cls(
            task_id="node",
            upstream_outputs={"up": up.output},
            input_mapping={"x": '"up"."x"'},
            on_error="skip",
            workflow_id="wf",
            execution_timeout=timedelta(seconds=5),
            params={"extra": Param("e", type="string")},
            **extra,
        )
    assert op.task_id == "g.node" and op.canvas_node_id == "node" and op.dag is dag
    assert op.retries == 2  # the group's default_args reach Airflow's own arguments
    assert op.execution_timeout == timedelta(seconds=5)
    assert set(op.params) == {"value", "extra"}  # DAG and task Params merged
    assert op.upstream_task_ids == {"g.up"}  # the XComArg in upstream_outputs made the dependency
    assert op.on_error == "skip" and op.workflow_id == "wf" and op.input_mapping == {"x": '"up"."x"'}
    assert op.templates == {} and op.fallbacks == {} and op.merge_upstream == []
    for name, value in extra.items():
        assert getattr(op, name) == value, name
    assert op._BaseOperator__init_kwargs["upstream_outputs"] == {"up": up.output}  # for task.map


def test_node_fields_are_still_checked() -> None:
    with pytest.raises(ValueError, match="language must be one of"):
        ProcessOperator(task_id="p", language="cobol")
    with pytest.raises(ValueError, match="on_error must be one of"):
        ProcessOperator(task_id="p", on_error="explode")
    with pytest.raises(TypeError, match="tool"):
        ToolOperator(task_id="t")


def test_partial_and_expand_know_every_node_field() -> None:
    with _dag("mapped"):
        up = ProcessOperator(task_id="up")
        mapped = ProcessOperator.partial(
            task_id="each", language="jmespath", expression="@", upstream_outputs={"up": up.output}
        ).expand(map_item=up.output)
        with pytest.raises(TypeError, match="no_such_field"):
            ProcessOperator.partial(task_id="bad", no_such_field=1)
    assert mapped.upstream_task_ids == {"up"}
    assert mapped.partial_kwargs["language"] == "jmespath"
