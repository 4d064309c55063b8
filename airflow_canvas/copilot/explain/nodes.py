"""One node explained: what it does, what it reads and feeds, and how its last run went."""

from __future__ import annotations

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.explain.problems import explain_problem, fix_suggestions, working_fixes
from airflow_canvas.copilot.explain.runs import explain_run_failure
from airflow_canvas.copilot.responses import Reply, SuggestionsPart
from airflow_canvas.spec.models import NodeType


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
