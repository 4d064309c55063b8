"""Checks of the graph's shape: ids, edges, groups and cycles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise

from airflow_canvas.spec.graph import (
    AIRFLOW_ID_LEN,
    GENERATED_SUFFIXES,
    dependency_graph,
    find_cycles,
    group_chains,
    group_loops,
    group_task_id,
    is_virtual,
    node_task_id,
)
from airflow_canvas.spec.models import Group, Node
from airflow_canvas.spec.problems import OwnerKind, did_you_mean, owned_by, pointer
from airflow_canvas.validation.context import ValidationContext


def check_duplicate_ids(ctx: ValidationContext) -> None:
    collections: tuple[tuple[OwnerKind, Sequence[Node | Group]], ...] = (
        ("node", ctx.wf.nodes),
        ("group", ctx.wf.groups),
    )
    for kind, items in collections:
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                ctx.add(
                    f"E_{kind.upper()}_ID_DUPLICATE",
                    f"{kind.capitalize()} id {item.id!r} is used again (first at /{kind}s/{first[item.id]}).",
                    pointer(f"{kind}s", i, "id"),
                    hint=f"Give each {kind} its own id, e.g. {item.id + '_2'!r}.",
                    **owned_by(kind, item.id),
                )
            else:
                first[item.id] = i
    seen: dict[str, int] = {}
    for i, edge in enumerate(ctx.wf.edges):
        key = edge.key
        if key in seen:
            hint = (
                "Set a distinct `id` on one of the edges."
                if edge.id
                else "Two edges join the same nodes: merge their mappings into one edge, or give each an `id`."
            )
            ctx.add(
                "E_EDGE_ID_DUPLICATE",
                f"Edge id {key!r} is used again (first at /edges/{seen[key]}).",
                pointer("edges", i, "id" if edge.id else "source"),
                edge_id=key,
                hint=hint,
            )
        else:
            seen[key] = i


def check_task_ids(ctx: ValidationContext) -> None:
    """Ids that become bad Airflow task ids: generated-name clashes, length, case-only twins."""
    wf = ctx.wf
    owners: dict[str, tuple[str, str, int]] = {}  # full task id -> (kind, id, index)
    chains = group_chains(wf)
    entries: list[tuple[OwnerKind, str, int, str]] = [
        ("node", n.id, i, node_task_id(wf, n.id, n.group, chains)) for i, n in enumerate(wf.nodes)
    ]
    entries += [("group", g.id, i, group_task_id(wf, g.id, chains)) for i, g in enumerate(wf.groups)]
    for kind, item_id, i, full in entries:
        where = owned_by(kind, item_id)
        for suffix in GENERATED_SUFFIXES:
            if item_id.endswith(suffix):
                ctx.add(
                    "E_ID_RESERVED",
                    f"{kind.capitalize()} id {item_id!r} ends with {suffix!r}, which the compiler "
                    "uses for the tasks it generates.",
                    pointer(f"{kind}s", i, "id"),
                    hint=f"Rename it, e.g. {item_id[: -len(suffix)] + suffix.replace('__', '_')!r}.",
                    **where,
                )
        if len(full) > AIRFLOW_ID_LEN:
            ctx.add(
                "E_TASK_ID_TOO_LONG",
                f"The Airflow id {full[:60]}... of {kind} {item_id!r} is {len(full)} characters with its "
                f"group prefixes; Airflow allows {AIRFLOW_ID_LEN}.",
                pointer(f"{kind}s", i, "id"),
                hint="Shorten this id or the ids of the groups around it.",
                **where,
            )
        other = owners.get(full)
        if other is None:
            owners[full] = (kind, item_id, i)
        elif other[0] != kind:  # same-kind repeats are reported as duplicate ids
            ctx.add(
                "E_ID_CLASH",
                f"{kind.capitalize()} {item_id!r} and {other[0]} {other[1]!r} would both be Airflow id "
                f"{full!r}; task and TaskGroup ids share one namespace.",
                pointer(f"{kind}s", i, "id"),
                hint="Rename one of them.",
                **where,
            )
    by_lower: dict[str, str] = {}
    for kind, item_id, i, full in entries:
        twin = by_lower.setdefault(full.lower(), full)
        if twin != full:
            ctx.add(
                "W_ID_CASE",
                f"{full!r} differs from {twin!r} only by letter case; that confuses people and breaks on "
                "case-insensitive databases and file systems.",
                pointer(f"{kind}s", i, "id"),
                severity="warning",
                hint="Rename one of them.",
                **owned_by(kind, item_id),
            )


def check_edges(ctx: ValidationContext) -> None:
    node_ids = list(ctx.node_index)
    pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, edge in enumerate(ctx.wf.edges):
        for end in ("source", "target"):
            ref = getattr(edge, end)
            if ref not in ctx.node_index:
                ctx.add(
                    f"E_EDGE_{end.upper()}_UNKNOWN",
                    f"Edge {edge.key!r} has {end} {ref!r}, which is not a node.",
                    pointer("edges", i, end),
                    edge_id=edge.key,
                    hint=did_you_mean(ref, node_ids) or f"Known nodes: {', '.join(node_ids[:10]) or 'none'}.",
                )
        if edge.source == edge.target:
            ctx.add(
                "E_EDGE_SELF_LOOP",
                f"Edge {edge.key!r} connects node {edge.source!r} to itself.",
                pointer("edges", i),
                edge_id=edge.key,
                node_id=edge.source,
                hint="Remove the edge; a node cannot run after itself.",
            )
        pairs[(edge.source, edge.target)].append(i)
    for (source, target), indexes in pairs.items():
        edges = [ctx.wf.edges[i] for i in indexes]
        if len(indexes) < 2 or len({e.key for e in edges}) < len(edges):
            continue  # a single edge, or already reported as a duplicate id
        conditional = [i for i in indexes if ctx.wf.edges[i].condition]
        if conditional:
            i = conditional[0] if conditional[0] != indexes[0] else indexes[1]
            ctx.add(
                "E_CONDITION_AMBIGUOUS",
                f"{len(indexes)} edges join {source!r} to {target!r} and at least one has a condition, so "
                "whether the target runs is ambiguous.",
                pointer("edges", i, "condition"),
                edge_id=ctx.wf.edges[i].key,
                hint="Keep one edge between the two nodes and combine the conditions with `&&` or `||`.",
            )
        else:
            ctx.add(
                "W_EDGE_PARALLEL",
                f"{len(indexes)} edges join {source!r} to {target!r}.",
                pointer("edges", indexes[1]),
                edge_id=ctx.wf.edges[indexes[1]].key,
                severity="warning",
                hint="Merge their mappings into one edge.",
            )


def check_groups(ctx: ValidationContext) -> None:
    wf = ctx.wf
    group_ids = list(ctx.group_index)
    for i, group in enumerate(wf.groups):
        if group.parent is not None and group.parent not in ctx.group_index:
            ctx.add(
                "E_GROUP_PARENT_UNKNOWN",
                f"Group {group.id!r} has parent {group.parent!r}, which is not a group.",
                pointer("groups", i, "parent"),
                group_id=group.id,
                hint=did_you_mean(group.parent, group_ids) or "Remove `parent` or add that group.",
            )
    for loop in group_loops(wf):
        first = loop[0]
        ctx.add(
            "E_GROUP_CYCLE",
            f"Groups nest in a loop: {' -> '.join(repr(g) for g in loop)} (each is the parent of the one "
            "before it).",
            pointer("groups", ctx.group_index[first], "parent"),
            group_id=first,
            hint=f"Set the `parent` of group {first!r} to a group outside the loop, or remove it.",
        )
    used: set[str] = set()
    for i, node in enumerate(wf.nodes):
        if node.group is None:
            continue
        used.add(node.group)
        if node.group not in ctx.group_index:
            ctx.add(
                "E_NODE_GROUP_UNKNOWN",
                f"Node {node.id!r} is in group {node.group!r}, which is not a group.",
                pointer("nodes", i, "group"),
                node_id=node.id,
                hint=did_you_mean(node.group, group_ids) or "Remove `group` or add that group.",
            )
    used.update(g.parent for g in wf.groups if g.parent)
    for i, group in enumerate(wf.groups):
        if group.id not in used:
            ctx.add(
                "W_GROUP_EMPTY",
                f"Group {group.id!r} holds no nodes and no groups.",
                pointer("groups", i),
                group_id=group.id,
                severity="warning",
                hint="Move nodes into it or delete it.",
            )


def _edge_index(ctx: ValidationContext, source: str, target: str) -> int | None:
    return next((i for i, e in enumerate(ctx.wf.edges) if e.source == source and e.target == target), None)


def check_cycles(ctx: ValidationContext) -> None:
    """Cycles through explicit edges, the implicit order of sequential groups and fallbacks."""
    graph = dependency_graph(ctx.wf)
    for cycle in find_cycles(graph, ctx.node_index):
        shown: list[str] = []
        for vertex in cycle:
            if is_virtual(vertex):
                shown.append(f"(sequential group {vertex[5:].rsplit('#', 1)[0]!r})")
            else:
                shown.append(repr(vertex))
        real = [v for v in cycle if not is_virtual(v)]
        closing = next((i for a, b in pairwise(cycle) if (i := _edge_index(ctx, a, b)) is not None), None)
        where = (
            pointer("edges", closing) if closing is not None else pointer("nodes", ctx.node_index[real[0]])
        )
        ctx.add(
            "E_CYCLE",
            f"The workflow has a cycle: {' -> '.join(shown)}.",
            where,
            node_id=real[0],
            edge_id=ctx.wf.edges[closing].key if closing is not None else None,
            hint="Remove or reverse one edge on the cycle; a DAG cannot loop. Fallbacks and sequential "
            "groups add implicit edges too.",
        )
