"""Groups explained: their members in run order, their state in the last run, the edges that cross
their border and the fixes that touch them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from airflow_canvas.copilot.context import CopilotContext, RunInfo
from airflow_canvas.copilot.explain.problems import (
    Fix,
    explain_problem,
    fix_suggestions,
    working_fixes,
)
from airflow_canvas.copilot.explain.runs import explain_run_failure
from airflow_canvas.copilot.patch import (
    UpdateGroup,
    check_patch,
    ops_to_json,
)
from airflow_canvas.copilot.responses import Reply, Suggestion, SuggestionsPart
from airflow_canvas.spec.graph import dependency_graph, group_task_id, is_virtual, stable_order
from airflow_canvas.spec.models import Edge, EdgeKind, Group, GroupMode, Node, Workflow
from airflow_canvas.spec.problems import did_you_mean
from airflow_canvas.spec.states import aggregate_state

_STATE_ICONS = {"success": "✓", "failed": "✗", "upstream_failed": "↑✗", "skipped": "↷", "running": "…"}


def _state_words(state: str | None, node_ids: list[str], states: dict[str, str | None]) -> str:
    if state is not None:
        return state
    return "not finished" if any(states.get(n) for n in node_ids) else "not run"


def group_label(group: Group) -> str:
    return f"`{group.id}`" + (f" “{group.label}”" if group.label and group.label != group.id else "")


@dataclass
class Member:
    """One member of a group as the run sees it: a node, or a child group with its own members."""

    node: Node | None = None
    group: Group | None = None
    members: list[Member] = field(default_factory=list)

    def node_ids(self) -> list[str]:
        if self.node is not None:
            return [self.node.id]
        return [n for m in self.members for n in m.node_ids()]


def _run_rank(wf: Workflow) -> dict[str, int]:
    """Node id -> place in a run order: every ordering constraint (edges, sequential groups,
    fallbacks) respected, ties broken by the canvas order; nodes on a cycle follow in canvas order."""
    graph = dependency_graph(wf)
    position = {n.id: i for i, n in enumerate(wf.nodes)}
    vertices = set(graph) | {t for targets in graph.values() for t in targets}
    # Virtual vertices (sequential links) go first when ready: they only pass the order on.
    key = {v: (-1 if is_virtual(v) else position.get(v, len(position))) for v in vertices}
    ordered, _ = stable_order(graph, key)
    rank: dict[str, int] = {}
    for vertex in ordered:
        if not is_virtual(vertex) and vertex in position:
            rank.setdefault(vertex, len(rank))
    for node in wf.nodes:
        rank.setdefault(node.id, len(rank))
    return rank


def group_members(wf: Workflow, group_id: str, rank: dict[str, int] | None = None) -> list[Member]:
    """A group's direct nodes and child groups (each with its members), in run order.

    A sequential group runs its members in canvas order (a child group where its first node is, as
    the compiler chains them); a parallel group's members are listed in data-flow order. Groups
    that hold nothing come last. Nesting loops (invalid) are cut where they come back.
    """
    rank = rank if rank is not None else _run_rank(wf)
    position = {n.id: i for i, n in enumerate(wf.nodes)}

    def build(gid: str, seen: frozenset[str]) -> list[Member]:
        group = next(g for g in wf.groups if g.id == gid)
        order = position if group.mode is GroupMode.SEQUENTIAL else rank
        members = [Member(node=n) for n in wf.nodes if n.group == gid]
        members += [
            Member(group=g, members=build(g.id, seen | {g.id}))
            for g in wf.groups
            if g.parent == gid and g.id not in seen
        ]

        def sort_key(member: Member) -> tuple[int, int]:
            ids = member.node_ids()
            return (0, min(order[n] for n in ids)) if ids else (1, 0)

        return sorted(members, key=sort_key)

    return build(group_id, frozenset({group_id}))


def _member_lines(
    members: list[Member], sequential: bool, states: dict[str, str | None] | None, indent: str = ""
) -> list[str]:
    lines = []
    for k, member in enumerate(members, start=1):
        bullet = f"{k}." if sequential else "-"
        if member.node is not None:
            node = member.node
            name = f" “{node.name}”" if node.name and node.name != node.id else ""
            text = f"`{node.id}`{name} ({node.type.value} node)"
            if states is not None:
                state = states.get(node.id)
                text += f": {_STATE_ICONS.get(state or '', '·')} {state or 'not run'}"
            lines.append(f"{indent}{bullet} {text}")
            continue
        group = member.group
        assert group is not None
        count = len(member.node_ids())
        size = f"{count} node{'s' if count != 1 else ''}" if member.members else "empty"
        text = f"group {group_label(group)} ({group.mode.value}, {size})"
        if states is not None and count:
            state = aggregate_state(states.get(n) for n in member.node_ids())
            text += f": {_STATE_ICONS.get(state or '', '·')} {_state_words(state, member.node_ids(), states)}"
        lines.append(f"{indent}{bullet} {text}")
        child_sequential = group.mode is GroupMode.SEQUENTIAL
        lines += _member_lines(member.members, child_sequential, states, indent + "   ")
    return lines


def _edge_words(edge: Edge) -> str:
    text = f"`{edge.source}` → `{edge.target}`"
    if edge.kind is not EdgeKind.DATA_FLOW:
        text += f" ({edge.kind.value.replace('_', ' ')})"
    return text


def _touches(fix: Fix, node_ids: set[str], group_ids: set[str], edge_keys: set[str]) -> bool:
    for op in ops_to_json(fix.ops):
        if op.get("node_id") in node_ids or op.get("group_id") in group_ids or op.get("edge_id") in edge_keys:
            return True
    return False


def _failed_upstream(wf: Workflow, inside: set[str], run: RunInfo) -> list[str]:
    """Failed nodes outside the group that its nodes wait for (directly or further up)."""
    graph = dependency_graph(wf)
    parents: dict[str, set[str]] = {}
    for vertex, targets in graph.items():
        for t in targets:
            parents.setdefault(t, set()).add(vertex)
    seen: set[str] = set()
    stack = list(inside)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return [
        n.id
        for n in wf.nodes
        if n.id in seen and n.id not in inside and (r := run.nodes.get(n.id)) and r.state == "failed"
    ]


def explain_group(ctx: CopilotContext, group_id: str, reply: Reply) -> Reply:
    """A group in words: mode, members in run order (nested groups too), the connections across its
    border, its members' problems with fixes, the latest run's state and first failure, next steps."""
    wf = ctx.workflow
    group = next(g for g in wf.groups if g.id == group_id)
    members = group_members(wf, group_id)
    node_ids = [n for m in members for n in m.node_ids()]
    inside = set(node_ids)
    nested = [m.group.id for m in _walk(members) if m.group is not None]
    all_groups = {group_id, *nested}
    sequential = group.mode is GroupMode.SEQUENTIAL

    how = (
        "a **sequential** group: its members run one after another, in the order below"
        if sequential
        else "a **parallel** group: its members run as their connections allow"
    )
    text = f"**Group {group_label(group)}** is {how}."
    if group.parent:
        parent = next((g for g in wf.groups if g.id == group.parent), None)
        text += f" It sits inside group {group_label(parent)}." if parent else ""
    text += f" In Airflow it becomes the TaskGroup `{group_task_id(wf, group_id)}`."
    if group.collapsed:
        text += " It is collapsed on the canvas."
    if group.description:
        text += f"\n\n{group.description}"
    reply.text(text)

    run = ctx.run
    states = {n: (r.state if (r := run.nodes.get(n)) else None) for n in node_ids} if run else None
    if members:
        count = f"{len(node_ids)} node{'s' if len(node_ids) != 1 else ''}"
        if nested:
            count += f" in {len(nested) + 1} groups"
        order = "in run order" if sequential else "in data-flow order"
        reply.text(
            f"**Members** ({count}, {order}):\n\n" + "\n".join(_member_lines(members, sequential, states))
        )
    else:
        reply.text("It holds no nodes and no groups yet.")

    incoming = [e for e in wf.edges if e.target in inside and e.source not in inside]
    outgoing = [e for e in wf.edges if e.source in inside and e.target not in inside]
    border = (
        "**Into the group:** "
        + (", ".join(_edge_words(e) for e in incoming) or "nothing outside connects into it")
        + "."
    )
    border += (
        "\n\n**Out of the group:** "
        + (", ".join(_edge_words(e) for e in outgoing) or "nothing outside reads from it")
        + "."
    )
    reply.text(border)

    edge_keys = {e.key for e in wf.edges if e.source in inside or e.target in inside}
    mine = [
        p
        for p in ctx.problems
        if p.group_id in all_groups or p.node_id in inside or (p.edge_id and p.edge_id in edge_keys)
    ]
    items: list[Suggestion] = []
    if mine:
        reply.text(
            f"**Problems** ({len(mine)}):\n\n" + "\n".join(f"- {explain_problem(p, wf)}" for p in mine)
        )
        fixes = [f for f in working_fixes(wf, ctx.errors) if _touches(f, inside, all_groups, edge_keys)]
        if fixes:
            reply.parts.append(SuggestionsPart(items=fix_suggestions(fixes, wf)))
    else:
        reply.text("No validation problems in this group.")

    failing: str | None = None
    if run is not None and states is not None and node_ids:
        agg = aggregate_state(states.values())
        counts = Counter(s or "not run" for s in states.values())
        summary = ", ".join(f"{n} {s}" for s, n in counts.most_common())
        words = _state_words(agg, node_ids, states)
        reply.text(f"**Latest run** `{run.run_id}`: the group is **{words}** ({summary}).")
        failing = next((n for n in node_ids if states[n] == "failed"), None)
        if failing is not None:
            reply.text(f"It went wrong first at `{failing}`:")
            explain_run_failure(ctx, failing, run.nodes[failing], reply)
        elif "upstream_failed" in counts:
            culprits = _failed_upstream(wf, inside, run)
            if culprits:
                reply.text(
                    "Its members did not run because "
                    + ", ".join(f"`{c}`" for c in culprits)
                    + ", upstream of the group, failed."
                )
                items += [
                    Suggestion(label=f"Explain `{c}`", action="send", message=f"explain node {c}")
                    for c in culprits[:3]
                ]

    toggle = UpdateGroup(group_id=group_id, changes={"collapsed": not group.collapsed})
    if members and check_patch(wf, [toggle]).ok:
        verb = "Expand" if group.collapsed else "Collapse"
        items.append(
            Suggestion(label=f"{verb} `{group_id}`", action="apply_patch", ops=ops_to_json([toggle]))
        )
    entry = node_ids[0] if node_ids else None
    if entry is not None and failing is None:
        items.append(
            Suggestion(label=f"Run `{entry}` with mock data", action="run_node", node_id=entry, input={})
        )
        items.append(Suggestion(label=f"Show `{entry}`", action="focus_node", node_id=entry))
    related = [group.parent] if group.parent and any(g.id == group.parent for g in wf.groups) else []
    related += [m.group.id for m in members if m.group is not None]
    items += [
        Suggestion(label=f"Explain group `{g}`", action="send", message=f"explain group {g}")
        for g in related[:4]
    ]
    if items:
        reply.parts.append(SuggestionsPart(items=items))
    return reply


def _walk(members: list[Member]) -> Iterator[Member]:
    for member in members:
        yield member
        yield from _walk(member.members)


def unknown_group(ctx: CopilotContext, token: str, reply: Reply) -> Reply:
    """No group by that id or label: say so, guess, and list the groups there are."""
    wf = ctx.workflow
    reply.error = "command"
    text = f"There is no group `{token}`."
    guess = did_you_mean(token, [g.id for g in wf.groups], sentence=True)
    if guess:
        text += f" {guess}"
    node = wf.node(token)
    if node is not None:
        text += f" `{token}` is a node: ask `explain node {token}`."
    if wf.groups:
        rank = _run_rank(wf)
        lines = []
        for g in wf.groups:
            size = sum(len(m.node_ids()) for m in group_members(wf, g.id, rank))
            inside = f", inside `{g.parent}`" if g.parent else ""
            lines.append(f"- {group_label(g)}: {g.mode.value}, {size} node{'s' if size != 1 else ''}{inside}")
        text += "\n\nThe groups of this workflow:\n\n" + "\n".join(lines)
    else:
        text += " This workflow has no groups yet: select nodes and write `group these as <id>`."
    reply.text(text)
    items = [
        Suggestion(label=f"Explain group `{g.id}`", action="send", message=f"explain group {g.id}")
        for g in wf.groups[:8]
    ]
    if node is not None:
        items.insert(
            0, Suggestion(label=f"Explain node `{token}`", action="send", message=f"explain node {token}")
        )
    if items:
        reply.parts.append(SuggestionsPart(items=items))
    return reply
