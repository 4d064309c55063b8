"""The whole workflow explained: what starts it (schedule in words, assets), its steps in run
order with what each does, its groups, and whether it validates."""

from __future__ import annotations

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.explain.runs import _topological
from airflow_canvas.copilot.responses import Reply, Suggestion, SuggestionsPart

_WHAT = {
    "input": "takes the run's parameters",
    "output": "publishes the result",
    "process": "transforms its inputs",
    "agent": "asks a model",
}


def _step(ctx: CopilotContext, node_id: str) -> str:
    node = ctx.workflow.node(node_id)
    assert node is not None
    what = _WHAT.get(node.type.value, "")
    if node.type.value == "tool":
        what = f"runs `{node.tool or node.operator or 'a tool'}`"
    upstream = [e.source for e in ctx.workflow.edges if e.target == node_id]
    after = f" after {', '.join(f'`{u}`' for u in upstream)}" if upstream else ""
    name = f" “{node.name}”" if node.name else ""
    return f"`{node_id}`{name} ({node.type.value}) {what}{after}"


def explain_workflow(ctx: CopilotContext, reply: Reply) -> Reply:
    from airflow_canvas.copilot.offline.timewords import describe_schedule

    wf = ctx.workflow
    title = f"**{wf.name or wf.id}**" + (f": {wf.description}" if getattr(wf, "description", "") else "")
    schedule = wf.triggers.schedule
    starts = (
        f"It runs on a schedule: {describe_schedule(schedule.kind, schedule.value)} (`{schedule.value}`)."
        if schedule
        else "It has no schedule: it runs when triggered by hand"
        + (" or when its assets update." if wf.triggers.assets else ".")
    )
    if schedule and wf.triggers.assets:
        starts += " It also runs when its assets update."
    order = _topological(wf)
    lines = [f"{i}. {_step(ctx, n)}" for i, n in enumerate(order, 1)]
    text = f"{title}\n\n{starts}\n\nIts {len(order)} steps, in run order:\n\n" + "\n".join(lines)
    if wf.groups:
        text += "\n\nGroups: " + ", ".join(
            f"`{g.id}`" + (f" “{g.label}”" if g.label else "") for g in wf.groups
        )
    errors = ctx.errors
    text += (
        f"\n\nIt has {len(errors)} problem(s) to fix before it can deploy." if errors else "\n\nIt validates."
    )
    reply.text(text)
    items = [
        Suggestion(label=f"Explain `{n}`", action="send", message=f"explain node {n}") for n in order[:3]
    ]
    if errors:
        items.insert(0, Suggestion(label="Explain the problems", action="send", message="explain errors"))
    reply.parts.append(SuggestionsPart(items=items))
    return reply
