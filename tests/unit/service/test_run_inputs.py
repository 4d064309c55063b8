"""A node's inputs in a real run, derived from the upstream outputs by the compiler's own wiring
(service/run_inputs.py): merged upstreams, field mappings, a failed node's fallback standing in,
the item of each mapped instance, an input node's params, and no guess for operator nodes."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_canvas.service.run_inputs import NoInputs, node_inputs
from airflow_canvas.spec.load import parse_workflow


def _process(node_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "type": "process", "process": {"language": "jmespath", "expression": "@"}, **extra}


WF = parse_workflow({
    "id": "w",
    "nodes": [
        {"id": "start", "type": "input"},
        _process("src"),
        _process("backup"),
        _process("each", execution={"map_over": "docs"}, input_schema={"type": "object", "properties": {"docs": {"type": "array"}}}),
        _process("risky", execution={"on_error": "fallback", "fallback_node": "backup"}),
        _process("after"),
        _process("pick"),
        {"id": "shell", "type": "tool", "operator": "airflow.providers.standard.operators.bash.BashOperator", "parameters": {"bash_command": "true"}},
    ],
    "edges": [
        {"source": "start", "target": "src"},
        {"source": "src", "target": "each", "mapping": [{"source": "docs", "target": "docs"}]},
        {"source": "src", "target": "risky"},
        {"source": "risky", "target": "after"},
        {"source": "src", "target": "pick", "mapping": [{"source": "docs", "target": "first", "transform": "[0]"}]},
    ],
})  # fmt: skip
SRC = {"docs": ["a", "b", "c"], "n": 3}


def test_merged_upstream_and_field_mapping() -> None:
    assert node_inputs(WF, "risky", {"src": SRC}) == SRC
    assert node_inputs(WF, "pick", {"src": SRC}) == {"first": "a"}


def test_a_failed_upstreams_fallback_stands_in() -> None:
    assert node_inputs(WF, "after", {"risky": {"ok": 1}, "backup": {"spare": 2}}) == {"ok": 1}
    assert node_inputs(WF, "after", {"risky": None, "backup": {"spare": 2}}) == {"spare": 2}


def test_each_mapped_instance_gets_its_item() -> None:
    outputs = {"src": SRC, "each__items": ["a", "b", "c"]}
    assert node_inputs(WF, "each", outputs, map_indexes=[0, 2]) == [{"docs": "a"}, {"docs": "c"}]


def test_an_input_node_receives_the_runs_params() -> None:
    assert node_inputs(WF, "start", {}, params={"topic": "rain"}) == {"topic": "rain"}


def test_no_guess_for_operator_nodes_or_unknown_nodes() -> None:
    with pytest.raises(NoInputs, match="Rendered Template"):
        node_inputs(WF, "shell", {"src": SRC})
    with pytest.raises(NoInputs, match="no node 'ghost'"):
        node_inputs(WF, "ghost", {})
