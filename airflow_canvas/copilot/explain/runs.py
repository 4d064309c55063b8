"""Run failures explained: why a node failed (transient, timeout, data), the fixes that apply, and
the debug summary of a whole run."""

from __future__ import annotations

import json
import re
from typing import Any

from airflow_canvas.copilot.context import CopilotContext, NodeRun
from airflow_canvas.copilot.explain.problems import Fix
from airflow_canvas.copilot.patch import (
    UpdateNode,
    check_patch,
    ops_to_json,
)
from airflow_canvas.copilot.responses import CodePart, Reply, Suggestion, SuggestionsPart
from airflow_canvas.spec.graph import stable_order
from airflow_canvas.spec.models import Workflow

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
    return [f for f in fixes if check_patch(ctx.workflow, f.ops, problems=ctx.problems).ok]


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
    lines: list[str] = []
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
