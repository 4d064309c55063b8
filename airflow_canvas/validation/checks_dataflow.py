"""Checks of what flows along edges: field mappings, transforms, conditions, and input nodes.

Conditions are allowed only where the compiler can build a branch from them. Precisely, a
condition is on non-branching structure (E_CONDITION_EDGE_KIND / E_CONDITION_SOURCE /
E_CONDITION_AMBIGUOUS) when:
- it sits on a dependency or trigger edge: a branch reads the source's output, which only a
  data_flow edge carries, and a trigger edge runs its target whatever the source did;
- its source is an output node: output nodes end a flow and publish Assets, they do not choose;
- two or more edges join the same source and target and one of them has a condition: the branch
  could both follow and skip the target.
"""

from __future__ import annotations

from typing import TypeGuard

from airflow_canvas.spec.models import EdgeKind, Node, NodeType, is_identifier
from airflow_canvas.spec.problems import did_you_mean, pointer
from airflow_canvas.spec.schema_paths import field_known, property_names
from airflow_canvas.validation.checks_nodes import jmespath_error, name_hint
from airflow_canvas.validation.context import ValidationContext


def _operator_backed(node: Node | None) -> TypeGuard[Node]:
    return node is not None and node.type is NodeType.TOOL and bool(node.operator)


def _check_mapping_fields(ctx: ValidationContext, i: int) -> None:
    edge = ctx.wf.edges[i]
    source, target = ctx.node(edge.source), ctx.node(edge.target)
    for k, mapping in enumerate(edge.mapping):
        if _operator_backed(target) and not is_identifier(mapping.target):
            # Into an Airflow operator a mapped field is a keyword argument: `Op(target=<XComArg>)`.
            ctx.add(
                "E_OPERATOR_ARGUMENT",
                f"Edge {edge.key!r} maps into {mapping.target!r}, which cannot be a keyword argument of "
                f"{target.operator} (node {target.id!r}).",
                pointer("edges", i, "mapping", k, "target"),
                edge_id=edge.key,
                node_id=target.id,
                hint=name_hint(mapping.target),
            )
        if source is not None and mapping.source:
            known, fields = field_known(ctx.output_schema(source), mapping.source)
            if not known:
                ctx.add(
                    "E_MAPPING_SOURCE_FIELD",
                    f"Edge {edge.key!r} maps {mapping.source!r}, which is not in the output schema of "
                    f"node {source.id!r}.",
                    pointer("edges", i, "mapping", k, "source"),
                    edge_id=edge.key,
                    node_id=source.id,
                    hint=did_you_mean(mapping.source.split(".")[-1], fields)
                    or f"Output fields: {', '.join(fields) or 'none'}.",
                )
        if target is not None:
            known, fields = field_known(ctx.input_schema(target), mapping.target)
            if not known:
                ctx.add(
                    "E_MAPPING_TARGET_FIELD",
                    f"Edge {edge.key!r} maps into {mapping.target!r}, which is not in the input schema of "
                    f"node {target.id!r}.",
                    pointer("edges", i, "mapping", k, "target"),
                    edge_id=edge.key,
                    node_id=target.id,
                    hint=did_you_mean(mapping.target.split(".")[-1], fields)
                    or f"Input fields: {', '.join(fields) or 'none'}.",
                )
        if mapping.transform is not None:
            error = jmespath_error(mapping.transform)
            if error:
                ctx.add(
                    "E_JMESPATH_INVALID",
                    f"Edge {edge.key!r}: the transform of {mapping.target!r} is not valid JMESPath: {error}",
                    pointer("edges", i, "mapping", k, "transform"),
                    edge_id=edge.key,
                    hint="Try it at https://jmespath.org; e.g. `[*].title` or `length(@)`.",
                )


def check_mappings(ctx: ValidationContext) -> None:
    receivers: dict[tuple[str, str], tuple[int, int]] = {}  # (target node, field) -> first mapping
    for i, edge in enumerate(ctx.wf.edges):
        if edge.mapping and edge.kind is not EdgeKind.DATA_FLOW:
            ctx.add(
                "E_MAPPING_EDGE_KIND",
                f"Edge {edge.key!r} is a {edge.kind.value} edge, which carries no data, but it has a mapping.",
                pointer("edges", i, "mapping"),
                edge_id=edge.key,
                hint='Make it a "data_flow" edge, or remove the mapping.',
            )
            continue
        _check_mapping_fields(ctx, i)
        for k, mapping in enumerate(edge.mapping):
            key = (edge.target, mapping.target)
            if not mapping.target:
                continue  # '' merges the whole value into the inputs; several such merges are fine
            if key in receivers:
                first_edge, first_k = receivers[key]
                ctx.add(
                    "E_MAPPING_TARGET_CONFLICT",
                    f"Input {mapping.target!r} of node {edge.target!r} is fed twice (also by "
                    f"/edges/{first_edge}/mapping/{first_k}).",
                    pointer("edges", i, "mapping", k, "target"),
                    edge_id=edge.key,
                    node_id=edge.target,
                    hint="Feed each input field from one place; combine values in a process node.",
                )
            else:
                receivers[key] = (i, k)


def check_merges(ctx: ValidationContext) -> None:
    """A data_flow edge without mapping merges the source's whole output into the target's inputs;
    fields the target's closed input schema rejects would fail the run."""
    for i, edge in enumerate(ctx.wf.edges):
        if edge.kind is not EdgeKind.DATA_FLOW or edge.mapping:
            continue
        source, target = ctx.node(edge.source), ctx.node(edge.target)
        if source is None or target is None or target.type is NodeType.INPUT:
            continue
        accepted = ctx.input_schema(target)
        if not (
            isinstance(accepted.get("properties"), dict) and accepted.get("additionalProperties") is False
        ):
            continue
        extra = [f for f in property_names(ctx.output_schema(source)) if f not in accepted["properties"]]
        if extra:
            ctx.add(
                "W_MERGE_EXTRA_FIELDS",
                f"Edge {edge.key!r} passes all of {source.id!r}'s output to {target.id!r}, whose input schema "
                f"does not accept {', '.join(map(repr, extra))}.",
                pointer("edges", i),
                edge_id=edge.key,
                node_id=target.id,
                severity="warning",
                hint="Add a mapping that picks the fields the target takes.",
            )


def check_conditions(ctx: ValidationContext) -> None:
    for i, edge in enumerate(ctx.wf.edges):
        if edge.condition is None:
            continue
        where = pointer("edges", i, "condition")
        if edge.kind is not EdgeKind.DATA_FLOW:
            ctx.add(
                "E_CONDITION_EDGE_KIND",
                f"Edge {edge.key!r} is a {edge.kind.value} edge; only data_flow edges can carry a condition "
                "(a branch reads the source's output).",
                where,
                edge_id=edge.key,
                hint='Make it a "data_flow" edge, or remove the condition.',
            )
        source = ctx.node(edge.source)
        if source is not None and source.type is NodeType.OUTPUT:
            ctx.add(
                "E_CONDITION_SOURCE",
                f"Edge {edge.key!r} has a condition but starts at output node {edge.source!r}; output nodes "
                "do not branch.",
                where,
                edge_id=edge.key,
                node_id=edge.source,
                hint="Put the condition on an edge that leaves a process, tool, agent or input node.",
            )
        error = jmespath_error(edge.condition) if edge.condition.strip() else "the condition is empty"
        if error:
            ctx.add(
                "E_JMESPATH_INVALID",
                f"Edge {edge.key!r}: the condition is not valid JMESPath: {error}",
                where,
                edge_id=edge.key,
                hint="A condition is JMESPath over the source's output, e.g. `score > `0.5`` or "
                "`category == 'billing'`.",
            )


def check_inputs(ctx: ValidationContext) -> None:
    """Input nodes become DAG Params: nothing may feed them data, and names must be unique."""
    for i, edge in enumerate(ctx.wf.edges):
        target = ctx.node(edge.target)
        if target is not None and target.type is NodeType.INPUT and edge.kind is EdgeKind.DATA_FLOW:
            ctx.add(
                "E_INPUT_HAS_UPSTREAM_DATA",
                f"Edge {edge.key!r} feeds data into input node {edge.target!r}; input nodes take their "
                "values from the run's parameters.",
                pointer("edges", i, "target"),
                edge_id=edge.key,
                node_id=edge.target,
                hint="Point the edge at a process node instead, or make it a dependency edge.",
            )
    owner: dict[str, str] = {}
    for i, node in enumerate(ctx.wf.nodes):
        if node.type is not NodeType.INPUT:
            continue
        for name in property_names(node.input_schema or node.output_schema):
            if name in owner and owner[name] != node.id:
                ctx.add(
                    "E_PARAM_DUPLICATE",
                    f"Input nodes {owner[name]!r} and {node.id!r} both declare parameter {name!r}; a DAG has "
                    "one parameter of each name.",
                    pointer(
                        "nodes",
                        i,
                        "input_schema" if node.input_schema else "output_schema",
                        "properties",
                        name,
                    ),
                    node_id=node.id,
                    hint=f"Rename it, e.g. {node.id + '_' + name!r}, or read it from {owner[name]!r}.",
                )
            owner.setdefault(name, node.id)
    for name in ctx.wf.params:
        if name in owner:
            ctx.add(
                "E_PARAM_DUPLICATE",
                f"Workflow parameter {name!r} is also declared by input node {owner[name]!r}.",
                pointer("params", name),
                node_id=owner[name],
                hint="Keep one of them; input nodes already make their fields DAG parameters.",
            )
