"""check_patch re-parses only the items a patch changed and keeps the models of the others: the
result must equal parsing the whole patched spec, for every kind of operation, and a changed item
must never keep its old model."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_canvas.copilot.patch import check_patch
from airflow_canvas.spec import Workflow, parse_workflow
from tests.unit.copilot.conftest import base_spec


def _spec_with_duplicates() -> dict[str, Any]:
    spec = base_spec()
    spec["groups"] = [{"id": "g1", "label": "One"}, {"id": "g2", "label": "Two", "parent": "g1"}]
    spec["nodes"][2]["group"] = "g2"
    spec["edges"].append({"id": "b_to_c", "source": "b", "target": "c"})
    return spec


OPS: list[list[dict[str, Any]]] = [
    [{"op": "update_node", "node_id": "a", "changes": {"execution": {"retry": {"retries": 2}}}}],
    [{"op": "bulk_update", "node_ids": ["a", "b", "c"], "changes": {"description": "x"}}],
    [{"op": "add_node", "node": {"id": "d", "type": "process"}}, {"op": "add_edge", "edge": {"source": "c", "target": "d"}}],
    [{"op": "remove_node", "node_id": "b"}, {"op": "add_node", "node": {"id": "b2", "type": "process"}}],
    [{"op": "remove_edge", "edge_id": "a->b"}, {"op": "add_edge", "edge": {"source": "a", "target": "c"}}],
    [{"op": "update_edge", "edge_id": "b_to_c", "changes": {"kind": "dependency", "label": "then"}}],
    [{"op": "update_edge", "edge_id": "a->b", "changes": {"target": "c"}}],
    [{"op": "add_group", "group": {"id": "g3"}, "members": ["fetch", "summarize"]}],
    [{"op": "update_group", "group_id": "g2", "changes": {"mode": "sequential", "label": "Second"}}],
    [{"op": "remove_group", "group_id": "g1"}],
    [{"op": "rename_node", "node_id": "a", "new_id": "a1"}],
    [{"op": "set", "path": "/nodes/c/execution/timeout_seconds", "value": 60}],
    [{"op": "set", "path": "/edges/0/label", "value": "feeds"}],
    [{"op": "set_trigger", "schedule": {"kind": "preset", "value": "@daily"}}],
    # An op that changes a node, then one that may only add: the first change must still count.
    [{"op": "update_node", "node_id": "c", "changes": {"name": "C"}}, {"op": "add_node", "node": {"id": "e", "type": "output"}}],
]  # fmt: skip


@pytest.mark.parametrize("ops", OPS, ids=[",".join(o["op"] for o in ops) for ops in OPS])
def test_result_equals_a_full_parse(ops: list[dict[str, Any]]) -> None:
    before = parse_workflow(_spec_with_duplicates())
    result = check_patch(before, ops)
    assert result.ok, result.problems
    assert result.workflow is not None and result.data is not None
    assert result.workflow == parse_workflow(result.data)
    # A model shared with the draft is one whose item did not change.
    for section in ("nodes", "edges", "groups", "tools"):
        old = {id(m): m for m in getattr(before, section)}
        for item, raw in zip(getattr(result.workflow, section), result.data[section], strict=True):
            if id(item) in old:
                assert item.model_dump(mode="json") == raw


def test_unchanged_items_keep_their_models(workflow: Workflow) -> None:
    result = check_patch(workflow, [{"op": "update_node", "node_id": "a", "changes": {"name": "A"}}])
    assert result.workflow is not None
    shared = [n.id for n, m in zip(result.workflow.nodes, workflow.nodes, strict=True) if n is m]
    assert shared == ["fetch", "summarize", "b", "c"]
    assert result.workflow.node("a").name == "A" and workflow.node("a").name == ""  # type: ignore[union-attr]


def test_duplicate_ids_are_all_parsed_again() -> None:
    spec = base_spec()
    spec["nodes"].append({"id": "a", "type": "process", "name": "second a"})
    before = parse_workflow(spec)
    result = check_patch(before, [{"op": "update_node", "node_id": "a", "changes": {"description": "d"}}])
    assert result.workflow is not None  # the duplicate id was an error before the patch too
    assert result.workflow == parse_workflow(result.data)
    assert all(n is not m for n, m in zip(result.workflow.nodes, before.nodes, strict=True) if n.id == "a")


def test_a_changed_item_that_no_longer_parses_is_reported(workflow: Workflow) -> None:
    result = check_patch(workflow, [{"op": "update_node", "node_id": "b", "changes": {"execution": {"retry": {"retries": -1}}}}])  # fmt: skip
    assert not result.ok
    assert [(p.code, p.node_id, p.pointer) for p in result.problems] == [
        ("E_FIELD_INVALID", "b", "/nodes/3/execution/retry/retries")
    ]
