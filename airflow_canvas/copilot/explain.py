"""Plain-words explanations of validation problems and run failures, each with fix patches that
have already passed ``check_patch`` (a suggested fix never makes the workflow worse)."""

from __future__ import annotations

import graphlib
import json
import re
from dataclasses import dataclass
from typing import Any

from airflow_canvas.copilot.context import Context, NodeRun
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
from airflow_canvas.spec.models import NodeType, Workflow
from airflow_canvas.spec.problems import Problem, did_you_mean

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
    graph: dict[str, set[str]] = {n.id: set() for n in workflow.nodes}
    for edge in workflow.edges:
        if edge.source in graph and edge.target in graph:
            graph[edge.target].add(edge.source)
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]  # [a, b, ..., a]: consecutive items are joined by an edge
        for a, b in zip(cycle, cycle[1:], strict=False):
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


def explain_errors(ctx: Context, reply: Reply) -> Reply:
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


def run_fixes(ctx: Context, node_id: str, run: NodeRun) -> list[Fix]:
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
    graph: dict[str, set[str]] = {n.id: set() for n in workflow.nodes}
    for edge in workflow.edges:
        if edge.source in graph and edge.target in graph:
            graph[edge.target].add(edge.source)
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError:
        return list(graph)


def _as_json(value: Any) -> str:
    return json.dumps(value, indent=2, default=str)[:4000]


def explain_run_failure(ctx: Context, node_id: str, run: NodeRun, reply: Reply) -> None:
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


def debug_run(ctx: Context, reply: Reply) -> Reply:
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


def explain_node(ctx: Context, node_id: str, reply: Reply) -> Reply:
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
