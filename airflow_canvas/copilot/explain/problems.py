"""Validation problems in plain words, and the fixes for them that already pass ``check_patch``
(a suggested fix never makes the workflow worse)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from airflow_canvas.copilot.context import CopilotContext
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
from airflow_canvas.copilot.responses import Reply, Suggestion, SuggestionsPart
from airflow_canvas.spec.graph import find_cycles
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
                tool_guess = did_you_mean(name or node.id, tool_names)
                guess_name = (
                    tool_guess.split("'")[1] if tool_guess else (node.id if node.id in tool_names else None)
                )
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


def _spelling_fixes(workflow: Workflow, errors: list[Problem]) -> list[Fix]:
    """A misspelt key the validator recognised ("takes no argument 'expresion'", hint "did you mean
    'expression'?"): rename the key, keeping its value (a merge patch: the old key set to null)."""
    fixes: list[Fix] = []
    for problem in errors:
        hint = re.search(r"did you mean '([^']+)'\?", f"{problem.hint or ''} {problem.message}")
        parts = [p.replace("~1", "/").replace("~0", "~") for p in (problem.pointer or "").split("/")[1:]]
        if not hint or len(parts) < 4 or parts[0] != "nodes" or not parts[1].isdigit():
            continue
        index, path, key, guess = int(parts[1]), parts[2:-1], parts[-1], hint.group(1)
        if index >= len(workflow.nodes) or not did_you_mean(key, [guess]):  # a key's typo, not a value's
            continue
        node = workflow.nodes[index]
        parent: Any = node.model_dump(mode="json")
        for part in path:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or key not in parent or guess in parent:
            continue
        changes: dict[str, Any] = {key: None, guess: parent[key]}
        for part in reversed(path):
            changes = {part: changes}
        fixes.append(
            Fix(
                f"Rename `{key}` to `{guess}` on `{node.id}`",
                [UpdateNode(node_id=node.id, changes=changes)],
                node.id,
            )
        )
    return fixes


def working_fixes(workflow: Workflow, errors: list[Problem]) -> list[Fix]:
    """Candidate fixes that apply cleanly and remove at least one error."""
    if not errors:
        return []
    before = len(errors)
    out: list[Fix] = []
    for fix in _candidate_fixes(workflow) + _spelling_fixes(workflow, errors):
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
