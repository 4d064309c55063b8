"""Patch operations: each op's effect, validation against the spec and the validator, and errors
that name the operation and the node."""

from __future__ import annotations

import pytest

from airflow_canvas.copilot.patch import (
    AddEdge,
    AddGroup,
    AddNode,
    BulkUpdate,
    Patch,
    PatchError,
    RemoveEdge,
    RemoveGroup,
    RemoveNode,
    RenameNode,
    SetProperty,
    SetTrigger,
    UpdateEdge,
    UpdateGroup,
    UpdateNode,
    apply_patch,
    check_patch,
    parse_ops,
    patch_json_schema,
)
from airflow_canvas.copilot.responses import describe_diff
from airflow_canvas.spec import Edge, Group, Node, Schedule, Workflow
from airflow_canvas.spec.diff import workflow_diff
from airflow_canvas.spec.models import NodeType


def test_add_node_and_edge(workflow: Workflow) -> None:
    out = apply_patch(
        workflow,
        [
            AddNode(node=Node(id="post", type=NodeType.PROCESS)),
            AddEdge(edge=Edge(source="summarize", target="post")),
        ],
    )
    assert out.node("post") is not None
    assert [e.key for e in out.edges][-1] == "summarize->post"
    assert workflow.node("post") is None  # the input is never mutated


def test_update_node_deep_merges_and_null_resets(workflow: Workflow) -> None:
    out = apply_patch(workflow, [UpdateNode(node_id="summarize", changes={"agent": {"max_steps": 3}})])
    assert out.node("summarize").agent.max_steps == 3
    assert out.node("summarize").agent.prompt == "Summarise {{ inputs }}"  # untouched sibling field
    out2 = apply_patch(out, [UpdateNode(node_id="summarize", changes={"agent": {"max_steps": None}})])
    assert out2.node("summarize").agent.max_steps == 8


def test_update_node_cannot_change_id(workflow: Workflow) -> None:
    result = check_patch(workflow, [UpdateNode(node_id="a", changes={"id": "z"})])
    assert not result.ok and "rename_node" in result.problems[0].message


def test_remove_node_removes_its_edges(workflow: Workflow) -> None:
    out = apply_patch(workflow, [RemoveNode(node_id="summarize")])
    assert out.node("summarize") is None and all("summarize" not in e.key for e in out.edges)


def test_rename_rewrites_edges_and_fallbacks(workflow: Workflow) -> None:
    wf = apply_patch(
        workflow,
        [UpdateNode(node_id="b", changes={"execution": {"on_error": "fallback", "fallback_node": "c"}})],
    )
    out = apply_patch(
        wf, [RenameNode(node_id="c", new_id="cleanup"), RenameNode(node_id="a", new_id="start")]
    )
    assert out.node("b").execution.fallback_node == "cleanup"
    assert "start->b" in [e.key for e in out.edges]


def test_rename_to_taken_id_is_refused(workflow: Workflow) -> None:
    result = check_patch(workflow, [RenameNode(node_id="a", new_id="b")])
    assert result.problems[0].code == "E_PATCH_OP" and result.problems[0].pointer == "/ops/0"


def test_edge_update_and_remove(workflow: Workflow) -> None:
    out = apply_patch(workflow, [UpdateEdge(edge_id="a->b", changes={"kind": "dependency", "label": "then"})])
    assert out.edges[1].kind.value == "dependency" and out.edges[1].label == "then"
    out = apply_patch(out, [RemoveEdge(edge_id="a->b")])
    assert [e.key for e in out.edges] == ["fetch->summarize"]


def test_group_add_update_remove(workflow: Workflow) -> None:
    out = apply_patch(
        workflow,
        [
            AddGroup(group=Group(id="enrich"), members=["a", "b"]),
            UpdateGroup(group_id="enrich", changes={"label": "Enrich"}),
        ],
    )
    assert out.node("a").group == "enrich" and out.groups[0].label == "Enrich"
    out = apply_patch(out, [RemoveGroup(group_id="enrich")])
    assert out.groups == [] and out.node("a").group is None


def test_set_property_by_id_pointer(workflow: Workflow) -> None:
    out = apply_patch(
        workflow,
        [
            SetProperty(path="/nodes/summarize/execution/retry/retries", value=3),
            SetProperty(path="/settings/catchup", value=True),
            SetProperty(path="/tags/-", value="ai"),
        ],
    )
    assert out.node("summarize").execution.retry.retries == 3
    assert out.settings.catchup is True and out.tags == ["ai"]


def test_set_property_bad_pointer_names_op(workflow: Workflow) -> None:
    result = check_patch(workflow, [SetProperty(path="/nodes/sumarize/name", value="x")])
    problem = result.problems[0]
    assert (
        problem.pointer == "/ops/0" and problem.node_id == "sumarize" and "summarize" in (problem.hint or "")
    )
    assert not check_patch(workflow, [SetProperty(path="/id", value="other")]).ok


def test_set_property_type_error_is_a_field_problem(workflow: Workflow) -> None:
    result = check_patch(workflow, [SetProperty(path="/nodes/a/execution/retry/retries", value="many")])
    assert not result.ok
    assert result.problems[0].node_id == "a" and "retries" in result.problems[0].pointer


def test_set_trigger(workflow: Workflow) -> None:
    out = apply_patch(workflow, [SetTrigger(schedule=Schedule(kind="preset", value="@daily"))])
    assert out.triggers.schedule.value == "@daily"
    bad = check_patch(workflow, [SetTrigger(schedule=Schedule(kind="cron", value="not a cron"))])
    assert not bad.ok and bad.problems[0].code == "E_SCHEDULE_INVALID"


def test_bulk_update(workflow: Workflow) -> None:
    out = apply_patch(
        workflow, [BulkUpdate(node_ids=["a", "b", "c"], changes={"execution": {"retry": {"retries": 3}}})]
    )
    assert [out.node(n).execution.retry.retries for n in "abc"] == [3, 3, 3]


def test_validator_errors_block_patch(workflow: Workflow) -> None:
    with pytest.raises(PatchError) as info:
        apply_patch(workflow, [AddEdge(edge=Edge(source="summarize", target="fetch"))])  # a cycle
    assert any(p.code == "E_CYCLE" for p in info.value.problems)
    result = check_patch(workflow, [AddEdge(edge=Edge(source="b", target="nope"))])
    assert result.problems[0].edge_id == "b->nope"


def test_existing_errors_do_not_block_unrelated_fixes(workflow: Workflow) -> None:
    broken = workflow.model_copy(update={"edges": [*workflow.edges, Edge(source="c", target="ghost")]})
    result = check_patch(broken, [UpdateNode(node_id="a", changes={"name": "Start"})])
    assert result.ok and any(p.edge_id == "c->ghost" for p in result.warnings)
    fixed = apply_patch(broken, [RemoveEdge(edge_id="c->ghost")])
    assert "c->ghost" not in [e.key for e in fixed.edges]


def test_parse_ops_from_json_and_errors() -> None:
    ops = parse_ops([{"op": "remove_node", "node_id": "a"}, {"op": "set", "path": "/name", "value": "x"}])
    assert [type(o) for o in ops] == [RemoveNode, SetProperty]
    with pytest.raises(PatchError) as info:
        parse_ops([{"op": "teleport"}])
    assert info.value.problems[0].pointer.startswith("/ops/0")
    with pytest.raises(PatchError):
        parse_ops([{"op": "add_node", "node": {"id": "bad id!", "type": "tool"}}])


def test_empty_patch_is_refused(workflow: Workflow) -> None:
    assert check_patch(workflow, []).problems[0].code == "E_PATCH_EMPTY"


def test_check_patch_reads_a_generator_once(workflow: Workflow) -> None:
    typed = (
        op
        for op in [
            AddNode(node=Node(id="post", type=NodeType.PROCESS)),
            AddEdge(edge=Edge(source="summarize", target="post")),
        ]
    )
    result = check_patch(workflow, typed)
    assert result.ok, result.problems
    assert result.workflow is not None and result.workflow.node("post") is not None
    assert [e.key for e in result.workflow.edges][-1] == "summarize->post"
    # JSON dicts mixed with a typed op: the mixed path re-parses, which must not re-read the generator
    mixed = (
        op
        for op in [
            {"op": "add_node", "node": {"id": "post", "type": "process"}},
            AddEdge(edge=Edge(source="summarize", target="post")),
        ]
    )
    out = apply_patch(workflow, mixed)
    assert [e.key for e in out.edges][-1] == "summarize->post"
    bad = (op for op in [{"op": "teleport"}])
    assert check_patch(workflow, bad).problems[0].pointer.startswith("/ops/0")


def test_json_schema_covers_every_op() -> None:
    schema = patch_json_schema()
    text = str(schema)
    for name in (
        "add_node",
        "update_node",
        "remove_node",
        "rename_node",
        "add_edge",
        "update_edge",
        "remove_edge",
        "add_group",
        "update_group",
        "remove_group",
        "set",
        "set_trigger",
        "bulk_update",
    ):
        assert f"'{name}'" in text
    assert Patch.model_validate({"summary": "s", "ops": [{"op": "remove_node", "node_id": "a"}]})


def test_diff_describes_changes(workflow: Workflow) -> None:
    out = apply_patch(
        workflow,
        [
            AddNode(node=Node(id="post", type=NodeType.PROCESS)),
            RemoveEdge(edge_id="a->b"),
            UpdateNode(node_id="a", changes={"name": "Start"}),
        ],
    )
    diff = workflow_diff(workflow, out)
    assert diff["nodes"]["added"] == ["post"] and diff["edges"]["removed"] == ["a->b"]
    assert diff["nodes"]["changed"] == {"a": ["name"]}
    assert "Adds node `post`." in describe_diff(diff)
