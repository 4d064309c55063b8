"""Do the tools' schemas fit the workflow's data edges? For each data_flow edge with a mapping:
the source field must exist in the upstream node's output schema (when it declares properties),
the target field must be accepted by the downstream input schema (when it is closed), and the two
fields' types must overlap. Agent nodes' tool references must resolve. Per-node argument checks
(unknown parameters, missing required inputs) live in spec/checks_nodes.py."""

from __future__ import annotations

from typing import Any

from airflow_canvas.spec.models import EdgeKind, Node, NodeType, Tool, Workflow
from airflow_canvas.spec.problems import Problem, did_you_mean, pointer
from airflow_canvas.tools.registry import ToolResolutionError, resolve_tool


def _tool(node: Node, wf: Workflow) -> Tool | None:
    if node.type is not NodeType.TOOL or not node.tool:
        return None
    try:
        return resolve_tool(node.tool, wf.tools)
    except (ToolResolutionError, ValueError):
        return None  # reported by validation (E_TOOL_UNKNOWN and friends)


def output_schema_of(node: Node, wf: Workflow) -> dict[str, Any]:
    tool = _tool(node, wf)
    return node.output_schema or (tool.output_schema if tool else {})


def input_schema_of(node: Node, wf: Workflow) -> dict[str, Any]:
    tool = _tool(node, wf)
    return tool.input_schema if tool else node.input_schema


def _field(schema: dict[str, Any], dotted: str) -> tuple[dict[str, Any] | None, str | None]:
    """The sub-schema at a dotted path, or (None, missing segment) when a declared object lacks it."""
    current = schema
    for part in [p for p in dotted.split(".") if p]:
        props = current.get("properties")
        if not isinstance(props, dict) or not props:
            return {}, None  # not declared: anything goes
        if part not in props:
            return None, part
        current = props[part]
    return current, None


def _types(schema: dict[str, Any]) -> set[str] | None:
    value = schema.get("type")
    if value is None:
        return None
    types = {value} if isinstance(value, str) else set(value)
    if "number" in types:
        types.add("integer")
    if "integer" in types:
        types.add("number")  # an integer fits a number field, and vice versa when whole
    return types


def check_compatibility(wf: Workflow) -> list[Problem]:
    problems: list[Problem] = []
    nodes = {n.id: n for n in wf.nodes}
    for i, edge in enumerate(wf.edges):
        source, target = nodes.get(edge.source), nodes.get(edge.target)
        if edge.kind is not EdgeKind.DATA_FLOW or source is None or target is None:
            continue
        out_schema, in_schema = output_schema_of(source, wf), input_schema_of(target, wf)
        for j, mapping in enumerate(edge.mapping):
            where = pointer("edges", i, "mapping", j)
            src, missing = _field(out_schema, mapping.source)
            if src is None:
                known = list((out_schema.get("properties") or {}).keys())
                problems.append(Problem(
                    "E_MAPPING_SOURCE_UNKNOWN",
                    f"Edge {edge.key}: {source.id!r} does not output {mapping.source!r} ({missing!r} is not in its "
                    "output schema).",
                    where + "/source", edge_id=edge.key, node_id=source.id,
                    hint=did_you_mean(missing or "", known) or f"It outputs: {', '.join(known) or 'nothing declared'}.",
                ))  # fmt: skip
                continue
            top = mapping.target.split(".")[0]
            props = in_schema.get("properties") or {}
            if in_schema.get("additionalProperties") is False and top not in props:
                problems.append(Problem(
                    "E_MAPPING_TARGET_UNKNOWN",
                    f"Edge {edge.key}: {target.id!r} takes no input {top!r}.",
                    where + "/target", edge_id=edge.key, node_id=target.id,
                    hint=did_you_mean(top, list(props)) or f"Its inputs: {', '.join(props)}.",
                ))  # fmt: skip
                continue
            dst = props.get(top) if "." not in mapping.target else None
            if mapping.transform or not isinstance(dst, dict):
                continue  # a transform reshapes the value; nested targets are not typed here
            have, want = _types(src), _types(dst)
            if have and want and not have & want:
                problems.append(Problem(
                    "E_MAPPING_TYPE_MISMATCH",
                    f"Edge {edge.key}: {source.id}.{mapping.source} is {'/'.join(sorted(have))} but "
                    f"{target.id}.{top} expects {'/'.join(sorted(want))}.",
                    where, edge_id=edge.key, node_id=target.id,
                    hint="Add a transform to the mapping, or map another field.",
                ))  # fmt: skip
    problems += _agent_tools(wf)
    return problems


def type_problems(wf: Workflow) -> list[Problem]:
    """Only what spec validation does not check itself (it covers unknown mapping fields and agent
    tool references): fields whose types cannot meet across an edge."""
    return [p for p in check_compatibility(wf) if p.code == "E_MAPPING_TYPE_MISMATCH"]


def _agent_tools(wf: Workflow) -> list[Problem]:
    problems = []
    for i, node in enumerate(wf.nodes):
        if node.type is not NodeType.AGENT or node.agent is None:
            continue
        for j, ref in enumerate(node.agent.tools):
            try:
                resolve_tool(ref, wf.tools)
            except (ToolResolutionError, ValueError) as exc:
                candidates = getattr(exc, "candidates", [])
                problems.append(Problem(
                    "E_AGENT_TOOL_UNRESOLVED", f"Node {node.id!r}: agent tool {ref!r}: {exc}",
                    pointer("nodes", i, "agent", "tools", j), node_id=node.id,
                    hint=did_you_mean(ref.split("@")[0], candidates) if candidates else None,
                ))  # fmt: skip
    return problems
