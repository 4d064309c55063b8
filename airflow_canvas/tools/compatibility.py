"""Schemas across a data edge: which schema a node produces and accepts (one rule: the node's own
first, then its tool's), and E_MAPPING_TYPE_MISMATCH, mapped fields whose declared types cannot
meet. Validation runs the type check (``validation.checks_tools.check_mapping_types``) next to its
own checks of unknown mapping fields and tool references; ``/tools/compatibility`` is a filter over
validation (``validation/compatibility.py``), so it reports the same problems under the same codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow_canvas.spec.graph import fallback_targets
from airflow_canvas.spec.models import EdgeKind, Node, NodeType, Tool, Workflow
from airflow_canvas.spec.problems import Problem, pointer
from airflow_canvas.tools.registry import ToolResolutionError, resolve_tool

SchemaOf = Callable[[Node], dict[str, Any]]


def _tool(node: Node, wf: Workflow) -> Tool | None:
    if node.type is not NodeType.TOOL or not node.tool:
        return None
    try:
        return resolve_tool(node.tool, wf.tools)
    except (ToolResolutionError, ValueError):
        return None  # reported by validation (E_TOOL_UNKNOWN and friends)


def node_output_schema(node: Node, tool: Tool | None) -> dict[str, Any]:
    """What a node produces: its own output schema first, then its tool's. An input node
    produces its params, so either of its schemas says. The one rule: validation's
    ``ValidationContext.output_schema`` calls it with the tool it resolved."""
    if node.output_schema:
        return node.output_schema
    if node.type is NodeType.INPUT:
        return node.input_schema
    return tool.output_schema if tool else {}


def node_input_schema(node: Node, tool: Tool | None) -> dict[str, Any]:
    """What a node accepts: its own input schema first (the task checks its inputs against it),
    then its tool's. The one rule, shared with ``ValidationContext.input_schema``."""
    if node.input_schema:
        return node.input_schema
    return tool.input_schema if tool else {}


def output_schema_of(node: Node, wf: Workflow) -> dict[str, Any]:
    return node_output_schema(node, _tool(node, wf))


def input_schema_of(node: Node, wf: Workflow) -> dict[str, Any]:
    return node_input_schema(node, _tool(node, wf))


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


_TRANSFORM_FOR = {"string": "to_string(@)", "number": "to_number(@)", "integer": "to_number(@)"}


class _MappingTypes:
    """E_MAPPING_TYPE_MISMATCH for one workflow's mappings: the source field's declared types and
    the target input's cannot overlap. An error when the run certainly fails, else a warning that
    says why it might not."""

    def __init__(self, wf: Workflow) -> None:
        self.wf = wf
        self.fallbacks = fallback_targets(wf)

    def mismatch(
        self, i: int, j: int, source: Node, target: Node, src: dict[str, Any], in_schema: dict[str, Any]
    ) -> Problem | None:
        """Mapping ``j`` of edge ``i``; ``src`` is the source field's schema, ``in_schema`` the
        target node's input schema."""
        edge = self.wf.edges[i]
        mapping = edge.mapping[j]
        top = mapping.target.split(".")[0]
        props = in_schema.get("properties") or {}
        dst = props.get(top) if "." not in mapping.target else None
        if mapping.transform or not isinstance(dst, dict):
            return None  # a transform reshapes the value; nested targets are not typed here
        have, want = _types(src), _types(dst)
        if not have or not want or have & want:
            return None
        transform = next((_TRANSFORM_FOR[t] for t in sorted(want) if t in _TRANSFORM_FOR), None)
        example = f" (e.g. `{transform}`)" if transform else ""
        hint = f"Add a transform to the mapping{example}, or map another field."
        why = self._uncertain(source, target, top, want)
        if why is not None:
            hint += f" A warning, not an error: {why}."
        return Problem(
            "E_MAPPING_TYPE_MISMATCH",
            f"Edge {edge.key}: {source.id}.{mapping.source} is {'/'.join(sorted(have))} but "
            f"{target.id}.{top} expects {'/'.join(sorted(want))}.",
            pointer("edges", i, "mapping", j),
            edge_id=edge.key,
            node_id=target.id,
            hint=hint,
            severity="error" if why is None else "warning",
        )

    def _uncertain(self, source: Node, target: Node, field: str, want: set[str]) -> str | None:
        """Why a run might pass although the declared types cannot meet; None when the target's
        input check rejects every value that can arrive. It can: a source's declared output schema
        is enforced when it runs, and a field it leaves out (or a source that failed and continued,
        or was skipped) arrives as null."""
        wf = self.wf
        if "null" in want:
            return f"{target.id}.{field} accepts null, which arrives when {source.id} gives no value for it"
        if source.id in self.fallbacks:
            return f"{self.fallbacks[source.id]!r}'s output stands in for {source.id!r}'s when it fails"
        if source.operator or target.operator:
            return "the schemas of Airflow operator nodes are not checked at run time"
        if source.execution.map_over or wf.defaults.map_over:
            return f"{source.id!r} is mapped, so its output is the list of every instance's output"
        if (target.execution.map_over or wf.defaults.map_over) == field:
            return f"{target.id!r} maps over {field!r}, so each instance checks one item of it"
        if target.type is NodeType.INPUT:
            return f"the run's params override {target.id}.{field}"
        return None


def type_problems(
    wf: Workflow, output_schema: SchemaOf | None = None, input_schema: SchemaOf | None = None
) -> list[Problem]:
    """Mapped fields whose declared types cannot meet across an edge (E_MAPPING_TYPE_MISMATCH):
    the part of this module that validation runs (it checks unknown mapping fields and agent tool
    references itself), so unknown source fields are skipped here.

    ``output_schema``/``input_schema``: what a node produces/accepts; by default
    ``output_schema_of``/``input_schema_of``; validation passes its own, which resolves tools once
    and applies the same rule.
    """
    out_of = output_schema or (lambda node: output_schema_of(node, wf))
    in_of = input_schema or (lambda node: input_schema_of(node, wf))
    nodes: dict[str, Node] = {}
    for node in wf.nodes:
        nodes.setdefault(node.id, node)
    types = _MappingTypes(wf)
    problems: list[Problem] = []
    for i, edge in enumerate(wf.edges):
        source, target = nodes.get(edge.source), nodes.get(edge.target)
        if edge.kind is not EdgeKind.DATA_FLOW or not edge.mapping or source is None or target is None:
            continue
        out_schema, in_schema = out_of(source), in_of(target)
        for j, mapping in enumerate(edge.mapping):
            src, _ = _field(out_schema, mapping.source)
            if src is None:
                continue  # an unknown source field is a problem of its own
            mismatch = types.mismatch(i, j, source, target, src, in_schema)
            if mismatch is not None:
                problems.append(mismatch)
    return problems
