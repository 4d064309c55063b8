"""Changing a node's type keeps everything that still applies (id, name, description, schemas,
parameters, templates, execution policy, notifications, group, appearance) and drops, with a
report, what belongs only to the old type: its tool/operator reference, process or agent
configuration, and policies the new type cannot use (mapping on input/output nodes)."""

from __future__ import annotations

from typing import Any

from airflow_canvas.spec.models import AgentConfig, EdgeKind, Node, NodeType, ProcessConfig, Workflow
from airflow_canvas.spec.problems import Problem, pointer

# Node fields that only one type uses.
TYPE_ONLY_FIELDS: dict[str, NodeType] = {
    "tool": NodeType.TOOL,
    "operator": NodeType.TOOL,
    "process": NodeType.PROCESS,
    "agent": NodeType.AGENT,
}
# Execution policies that only make sense for nodes that do work on upstream data.
_WORKER_TYPES = {NodeType.TOOL, NodeType.PROCESS, NodeType.AGENT}
_WORKER_ONLY_EXECUTION = ("map_over",)


def _summary(value: Any) -> str:
    if hasattr(value, "model_dump"):
        value = value.model_dump(exclude_defaults=True)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def change_node_type(
    node: Node, new_type: NodeType | str, *, base_pointer: str = ""
) -> tuple[Node, list[Problem]]:
    """The node as ``new_type`` and one warning per dropped field (pointer relative to
    ``base_pointer``, e.g. "/nodes/3")."""
    new_type = NodeType(new_type)
    if new_type == node.type:
        return node, []
    data = node.model_dump(mode="python")
    dropped: list[Problem] = []

    def drop(path: tuple[str, ...], value: Any, why: str) -> None:
        dropped.append(
            Problem(
                code="W_TYPE_CHANGE_DROPPED",
                message=f"Changing {node.id!r} from {node.type.value} to {new_type.value} drops "
                f"{'.'.join(path)} = {_summary(value)}: {why}",
                pointer=base_pointer + pointer(*path),
                node_id=node.id,
                severity="warning",
            )
        )

    for field_name, owner in TYPE_ONLY_FIELDS.items():
        value = getattr(node, field_name)
        if value is not None and owner != new_type:
            drop((field_name,), value, f"only {owner.value} nodes use it.")
            data[field_name] = None
    if new_type not in _WORKER_TYPES:
        for key in _WORKER_ONLY_EXECUTION:
            value = getattr(node.execution, key)
            if value is not None:
                drop(("execution", key), value, f"{new_type.value} nodes do not run per item.")
                data["execution"][key] = None
    # Give the new type its default configuration so the node is usable at once.
    if new_type == NodeType.PROCESS and data.get("process") is None:
        data["process"] = ProcessConfig().model_dump()
    if new_type == NodeType.AGENT and data.get("agent") is None:
        data["agent"] = AgentConfig().model_dump()
    data["type"] = new_type
    return Node.model_validate(data), dropped


def change_type_in_workflow(
    wf: Workflow, node_id: str, new_type: NodeType | str
) -> tuple[Workflow, list[Problem]]:
    """The workflow with one node's type changed, plus what was dropped and which edges no longer
    fit (edges are kept: the user decides, the validator reports them too)."""
    index = next((i for i, n in enumerate(wf.nodes) if n.id == node_id), None)
    if index is None:
        raise KeyError(f"No node {node_id!r} in workflow {wf.id!r}.")
    node, problems = change_node_type(wf.nodes[index], new_type, base_pointer=pointer("nodes", index))
    new_type = node.type
    for edge_index, edge in enumerate(wf.edges):
        if new_type == NodeType.INPUT and edge.target == node_id and edge.kind == EdgeKind.DATA_FLOW:
            problems.append(
                Problem(
                    code="W_TYPE_CHANGE_EDGE",
                    message=f"Input node {node_id!r} takes its data from the run's params, so the data "
                    f"flowing in from {edge.source!r} is not used.",
                    pointer=pointer("edges", edge_index),
                    node_id=node_id,
                    edge_id=edge.key,
                    severity="warning",
                    hint="Delete the edge, or make it a dependency edge.",
                )
            )
    nodes = list(wf.nodes)
    nodes[index] = node
    return wf.model_copy(update={"nodes": nodes}), problems
