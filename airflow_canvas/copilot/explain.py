"""Plain-words explanations of validation problems and run failures, each with fix patches that
have already passed ``check_patch`` (a suggested fix never makes the workflow worse)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from airflow_canvas.copilot.context import CopilotContext, NodeRun, RunInfo
from airflow_canvas.copilot.patch import (
    PatchOp,
    RemoveEdge,
    UpdateEdge,
    UpdateGroup,
    UpdateNode,
    check_patch,
    ops_to_json,
    validation_problems,
)
from airflow_canvas.copilot.responses import CodePart, Reply, Suggestion, SuggestionsPart
from airflow_canvas.spec.graph import dependency_graph, find_cycles, group_task_id, is_virtual, stable_order
from airflow_canvas.spec.models import Edge, EdgeKind, Group, GroupMode, Node, NodeType, Workflow
from airflow_canvas.spec.problems import Problem, did_you_mean
from airflow_canvas.spec.states import aggregate_state

# Spec fields in words, longest prefix first, for "the <thing> of node x".
_FIELD_WORDS = [
    ("execution.retry", "retry policy"),
    ("execution.timeout_seconds", "timeout"),
    ("execution.on_error", "error handling"),
    ("execution.fallback_node", "fallback node"),
    ("execution.map_over", "'run once per item' field"),
    ("execution.pool", "pool"),
    ("execution", "execution settings"),
    ("input_schema", "input schema"),
    ("output_schema", "output schema"),
    ("agent.tools", "agent's tools"),
    ("agent", "agent settings"),
    ("process.expression", "expression"),
    ("tool", "tool reference"),
    ("group", "group"),
    ("parameters", "parameters"),
    ("source", "source end"),
    ("target", "target end"),
    ("condition", "condition"),
    ("mapping", "field mapping"),
]


def field_words(pointer: str) -> str | None:
    """'/nodes/3/execution/retry/retries' -> 'retry policy'."""
    parts = [p for p in pointer.split("/") if p]
    if len(parts) >= 2 and parts[0] in ("nodes", "edges", "groups"):
        parts = parts[2:]
    dotted = ".".join(parts)
    for prefix, words in _FIELD_WORDS:
        if dotted == prefix or dotted.startswith(prefix + "."):
            return words
    return None


def where(problem: Problem, workflow: Workflow) -> str:
    thing = field_words(problem.pointer)
    if problem.node_id:
        node = workflow.node(problem.node_id)
        owner = f"{node.type.value} node `{problem.node_id}`" if node else f"node `{problem.node_id}`"
    elif problem.edge_id:
        owner = f"the connection `{problem.edge_id}`"
    elif problem.group_id:
        owner = f"group `{problem.group_id}`"
    else:
        owner = "the workflow"
    return f"the {thing} of {owner}" if thing else owner


def explain_problem(problem: Problem, workflow: Workflow) -> str:
    kind = "Problem" if problem.severity == "error" else "Warning"
    text = f"**{kind} in {where(problem, workflow)}**: {problem.message}"
    if problem.hint:
        text += f" *Fix:* {problem.hint}"
    return text


@dataclass
class Fix:
    label: str
    ops: list[PatchOp]
    node_id: str | None = None


def _candidate_fixes(workflow: Workflow) -> list[Fix]:
    """Fixes derived from the workflow's state, so they hold whatever code the validator uses."""
    from airflow_canvas.tools.registry import available_tools

    node_ids = [n.id for n in workflow.nodes]
    group_ids = {g.id for g in workflow.groups}
    fixes: list[Fix] = []
    for edge in workflow.edges:
        for end in ("source", "target"):
            ref = getattr(edge, end)
            if ref in node_ids:
                continue
            close = did_you_mean(ref, node_ids)
            if close:
                guess = close.split("'")[1]
                fixes.append(
                    Fix(
                        f"Point {edge.key} at `{guess}`", [UpdateEdge(edge_id=edge.key, changes={end: guess})]
                    )
                )
            fixes.append(Fix(f"Remove the broken connection {edge.key}", [RemoveEdge(edge_id=edge.key)]))
    tools = available_tools(workflow.tools)
    tool_names = sorted({t.name for t in tools})
    for node in workflow.nodes:
        if node.group and node.group not in group_ids:
            fixes.append(
                Fix(
                    f"Take `{node.id}` out of missing group `{node.group}`",
                    [UpdateNode(node_id=node.id, changes={"group": None})],
                    node.id,
                )
            )
        fallback = node.execution.fallback_node
        if fallback and fallback not in node_ids:
            fixes.append(
                Fix(
                    f"Drop the missing fallback `{fallback}` of `{node.id}`",
                    [
                        UpdateNode(
                            node_id=node.id, changes={"execution": {"fallback_node": None, "on_error": None}}
                        )
                    ],
                    node.id,
                )
            )
        if node.type == NodeType.AGENT and node.agent is None:
            fixes.append(
                Fix(
                    f"Give `{node.id}` default agent settings",
                    [UpdateNode(node_id=node.id, changes={"agent": {}})],
                    node.id,
                )
            )
        if node.type == NodeType.TOOL and not node.operator:
            name = (node.tool or "").partition("@")[0]
            if name not in tool_names:
                guess = did_you_mean(name or node.id, tool_names)
                guess_name = guess.split("'")[1] if guess else (node.id if node.id in tool_names else None)
                if guess_name:
                    version = max((t for t in tools if t.name == guess_name), key=lambda t: t.version).version
                    fixes.append(
                        Fix(
                            f"Use tool `{guess_name}@{version}` in `{node.id}`",
                            [UpdateNode(node_id=node.id, changes={"tool": f"{guess_name}@{version}"})],
                            node.id,
                        )
                    )
    for group in workflow.groups:
        if group.parent and group.parent not in group_ids:
            fixes.append(
                Fix(
                    f"Make group `{group.id}` top-level",
                    [UpdateGroup(group_id=group.id, changes={"parent": None})],
                )
            )
    cycle_edge = _cycle_closing_edge(workflow)
    if cycle_edge:
        fixes.append(Fix(f"Break the cycle by removing {cycle_edge}", [RemoveEdge(edge_id=cycle_edge)]))
    return fixes


def _cycle_closing_edge(workflow: Workflow) -> str | None:
    """The key of an edge on the first cycle of data/control edges (in canvas order), if any."""
    graph: dict[str, list[str]] = {n.id: [] for n in workflow.nodes}
    for edge in workflow.edges:
        if edge.source in graph and edge.target in graph:
            graph[edge.source].append(edge.target)
    for cycle in find_cycles(graph, graph):  # [a, b, ..., a]: consecutive items are joined by an edge
        for a, b in pairwise(cycle):
            for edge in workflow.edges:
                if {edge.source, edge.target} == {a, b}:
                    return edge.key
    return None


def working_fixes(workflow: Workflow, errors: list[Problem]) -> list[Fix]:
    """Candidate fixes that apply cleanly and remove at least one error."""
    if not errors:
        return []
    before = len(errors)
    out: list[Fix] = []
    for fix in _candidate_fixes(workflow):
        result = check_patch(workflow, fix.ops)
        if result.ok and result.workflow is not None:
            remaining = [p for p in validation_problems(result.workflow) if p.severity == "error"]
            if len(remaining) < before:
                out.append(fix)
    # Two fixes for one broken end (retarget / remove): keep the first, which changes less.
    seen: set[str] = set()
    unique = []
    for fix in out:
        target = json.dumps(ops_to_json(fix.ops)[0].get("edge_id") or fix.label)
        if target not in seen:
            seen.add(target)
            unique.append(fix)
    return unique


def fix_suggestions(fixes: list[Fix], workflow: Workflow) -> list[Suggestion]:
    items = [Suggestion(label=f.label, action="apply_patch", ops=ops_to_json(f.ops)) for f in fixes]
    if len(fixes) > 1:
        combined = [op for f in fixes for op in f.ops]
        if check_patch(workflow, combined).ok:
            items.append(Suggestion(label="Apply all fixes", action="apply_patch", ops=ops_to_json(combined)))
    return items


def explain_errors(ctx: CopilotContext, reply: Reply) -> Reply:
    if not ctx.problems:
        return reply.text("The workflow has no validation problems.")
    lines = [f"- {explain_problem(p, ctx.workflow)}" for p in ctx.problems]
    reply.text(
        f"I found {len(ctx.errors)} error(s) and {len(ctx.problems) - len(ctx.errors)} warning(s):\n\n"
        + "\n".join(lines)
    )
    fixes = working_fixes(ctx.workflow, ctx.errors)
    items = fix_suggestions(fixes, ctx.workflow)
    items += [
        Suggestion(label=f"Show `{n}`", action="focus_node", node_id=n)
        for n in dict.fromkeys(p.node_id for p in ctx.errors if p.node_id)
    ]
    if items:
        reply.parts.append(SuggestionsPart(items=items))
    return reply


# -- run failures -----------------------------------------------------------------------------------

_TRANSIENT = re.compile(
    r"(?i)(connection ?(error|reset|refused)|timed? ?out|\b5\d\d\b|\b429\b|rate limit|temporar)"
)
_TIMEOUT = re.compile(r"(?i)(AirflowTaskTimeout|execution_timeout|timeout after|timed out)")
_DATA = re.compile(r"(?i)(KeyError|ValidationError|schema|TypeError|ValueError|JSONDecodeError)")


def run_fixes(ctx: CopilotContext, node_id: str, run: NodeRun) -> list[Fix]:
    node = ctx.workflow.node(node_id)
    if node is None:
        return []
    text = f"{run.error or ''}\n{run.log_tail or ''}"
    fixes: list[Fix] = []
    if _TIMEOUT.search(text):
        current = node.execution.timeout_seconds or ctx.workflow.defaults.timeout_seconds or 300
        fixes.append(
            Fix(
                f"Double the timeout of `{node_id}` to {int(current * 2)} s",
                [UpdateNode(node_id=node_id, changes={"execution": {"timeout_seconds": current * 2}})],
                node_id,
            )
        )
    if _TRANSIENT.search(text) and not (node.execution.retry and node.execution.retry.retries >= 3):
        fixes.append(
            Fix(
                f"Retry `{node_id}` 3 times with backoff",
                [
                    UpdateNode(
                        node_id=node_id,
                        changes={
                            "execution": {
                                "retry": {"retries": 3, "delay_seconds": 30, "exponential_backoff": True}
                            }
                        },
                    )
                ],
                node_id,
            )
        )
    return [f for f in fixes if check_patch(ctx.workflow, f.ops).ok]


def _topological(workflow: Workflow) -> list[str]:
    """Node ids in edge order (canvas order where edges leave a choice); nodes on a cycle last."""
    graph: dict[str, list[str]] = {n.id: [] for n in workflow.nodes}
    for edge in workflow.edges:
        if edge.source in graph and edge.target in graph:
            graph[edge.source].append(edge.target)
    ordered, stuck = stable_order(graph, {node_id: i for i, node_id in enumerate(graph)})
    return ordered + stuck


def _as_json(value: Any) -> str:
    return json.dumps(value, indent=2, default=str)[:4000]


def explain_run_failure(ctx: CopilotContext, node_id: str, run: NodeRun, reply: Reply) -> None:
    reply.text(
        f"**`{node_id}` {run.state}** (try {run.try_number or 1})" + (f": {run.error}" if run.error else ".")
    )
    if run.inputs is not None:
        reply.parts.append(CodePart(language="json", code=_as_json(run.inputs), title=f"Inputs of {node_id}"))
    if run.output is not None:
        reply.parts.append(CodePart(language="json", code=_as_json(run.output), title=f"Output of {node_id}"))
    if run.log_tail:
        reply.parts.append(CodePart(language="log", code=run.log_tail, title=f"Log tail of {node_id}"))
    text = f"{run.error or ''}\n{run.log_tail or ''}"
    if _DATA.search(text):
        reply.text(
            "The data reaching this node does not have the shape it expects. Compare the inputs above "
            "with its input schema, then run it alone with corrected mock data."
        )
    fixes = run_fixes(ctx, node_id, run)
    items = [Suggestion(label=f.label, action="apply_patch", ops=ops_to_json(f.ops)) for f in fixes]
    items.append(
        Suggestion(
            label=f"Run `{node_id}` with mock data",
            action="run_node",
            node_id=node_id,
            input=run.inputs if isinstance(run.inputs, dict) else {},
        )
    )
    items.append(Suggestion(label=f"Show `{node_id}`", action="focus_node", node_id=node_id))
    reply.parts.append(SuggestionsPart(items=items))


def debug_run(ctx: CopilotContext, reply: Reply) -> Reply:
    """Step through the latest run node by node and stop at the first real failure."""
    run = ctx.run
    if run is None:
        return reply.text("I have no run to look at yet. Trigger the workflow, then ask me again.")
    icons = {"success": "✓", "failed": "✗", "upstream_failed": "↑✗", "skipped": "↷", "running": "…"}
    lines = []
    for node_id in _topological(ctx.workflow):
        state = run.nodes.get(node_id)
        label = state.state if state and state.state else "not run"
        took = f" in {state.duration:.1f} s" if state and state.duration else ""
        lines.append(f"{len(lines) + 1}. {icons.get(label, '·')} `{node_id}`: {label}{took}")
    reply.text(f"Run `{run.run_id}` ({run.state or 'unknown'}), step by step:\n\n" + "\n".join(lines))
    roots = [n for n in _topological(ctx.workflow) if (r := run.nodes.get(n)) and r.state == "failed"]
    if not roots:
        return reply.text("No node failed in this run.")
    reply.text(f"The data went wrong at `{roots[0]}`; nodes after it did not run because of it.")
    explain_run_failure(ctx, roots[0], run.nodes[roots[0]], reply)
    return reply


def explain_node(ctx: CopilotContext, node_id: str, reply: Reply) -> Reply:
    wf = ctx.workflow
    node = wf.node(node_id)
    assert node is not None
    upstream = [e.source for e in wf.edges if e.target == node_id]
    downstream = [e.target for e in wf.edges if e.source == node_id]
    what = {
        NodeType.TOOL: f"runs the tool `{node.tool}`" if node.tool else "runs a tool (none chosen yet)",
        NodeType.AGENT: f"asks the model `{(node.agent.model if node.agent else None) or 'of its connection'}` "
        f"in up to {node.agent.max_steps if node.agent else 8} steps",
        NodeType.PROCESS: "transforms its inputs",
        NodeType.INPUT: "takes the run's parameters",
        NodeType.OUTPUT: "publishes the result",
    }[node.type]
    text = f"**`{node_id}`** ({node.type.value} node) {what}."
    if node.description:
        text += f"\n\n{node.description}"
    text += f"\n\nIt reads from {', '.join(f'`{u}`' for u in upstream) or 'nothing'}"
    text += f" and feeds {', '.join(f'`{d}`' for d in downstream) or 'nothing'}."
    retry = node.execution.retry
    text += f" Retries: {retry.retries if retry else 'default'}; timeout: {node.execution.timeout_seconds or 'default'}."
    reply.text(text)
    mine = [p for p in ctx.problems if p.node_id == node_id]
    if mine:
        reply.text("\n".join(f"- {explain_problem(p, wf)}" for p in mine))
        fixes = [f for f in working_fixes(wf, ctx.errors) if f.node_id == node_id]
        if fixes:
            reply.parts.append(SuggestionsPart(items=fix_suggestions(fixes, wf)))
    if ctx.run and (run := ctx.run.nodes.get(node_id)) and run.state in ("failed", "upstream_failed"):
        explain_run_failure(ctx, node_id, run, reply)
    return reply


# -- groups -----------------------------------------------------------------------------------------

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
