"""A plan carried out: one action is its grammar command's answer; several (or an add with
details the command cannot carry: a URL, a prompt, a display name) are run one after the other on
the workflow as each leaves it and proposed together, as one change. An ``Ask`` becomes choices."""

from __future__ import annotations

from collections.abc import Callable

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.offline.intents import Action, Ask
from airflow_canvas.copilot.offline.plan import Plan
from airflow_canvas.copilot.patch import AddEdge, AddNode, PatchOp, apply_patch
from airflow_canvas.copilot.responses import Reply, Suggestion, SuggestionsPart
from airflow_canvas.spec.models import Workflow

RunCommand = Callable[[str, CopilotContext], Reply]
EDITS = {
    "add",
    "remove",
    "connect",
    "disconnect",
    "rename",
    "set",
    "group",
    "ungroup",
    "schedule",
    "use_template",
}


def ask_reply(ask: Ask) -> Reply:
    reply = Reply(engine="offline").text(ask.question)
    reply.parts.append(
        SuggestionsPart(
            items=[Suggestion(label=label, action="send", message=cmd) for label, cmd in ask.choices]
        )
    )
    return reply


def _details(ops: list[PatchOp], action: Action) -> None:
    """What the words said about the new nodes that the command could not carry."""
    comps = list(action.add)
    for op in ops:
        if not isinstance(op, AddNode) or not comps:
            continue
        comp, node = comps.pop(0), op.node
        if comp.name and not node.name:
            node.name = comp.name
        node.parameters.update(comp.parameters)
        if comp.prompt and node.agent is not None and not node.agent.prompt:
            node.agent.prompt = comp.prompt


def _note(actions: list[Action]) -> str:
    return "I read this as: " + "; ".join(f"`{a.command}`" for a in actions) + "."


def _gather(
    command: str, ctx: CopilotContext, run: RunCommand
) -> tuple[Reply, list[tuple[str, list[PatchOp]]]]:
    """Run one command, keeping the ops it would propose (not validated here)."""
    from airflow_canvas.copilot.offline.handlers import COLLECT

    token = COLLECT.set([])
    try:
        reply = run(command, ctx)
        return reply, COLLECT.get() or []
    finally:
        COLLECT.reset(token)


def _light_apply(wf: Workflow, ops: list[PatchOp]) -> Workflow:
    """The workflow after a step, for reading the next step only (names, positions): additions are
    appended without re-validating the whole spec; anything else goes through ``apply_patch``. The
    change proposed at the end is validated in full from the original workflow."""
    if all(isinstance(op, AddNode | AddEdge) for op in ops):
        nodes = [op.node for op in ops if isinstance(op, AddNode)]
        edges = [op.edge for op in ops if isinstance(op, AddEdge)]
        return wf.model_copy(update={"nodes": [*wf.nodes, *nodes], "edges": [*wf.edges, *edges]})
    return apply_patch(wf, ops)


def execute(plan: Plan, ctx: CopilotContext, run: RunCommand) -> Reply:
    from airflow_canvas.copilot.offline.handlers import propose

    if plan.ask is not None:
        return ask_reply(plan.ask)
    actions = plan.actions
    edits = [a for a in actions if a.intent in EDITS]
    if len(actions) == 1 and not any(c.name or c.parameters or c.prompt for c in actions[0].add):
        reply = run(actions[0].command, ctx)
        reply.parts.insert(0, Reply(engine="offline").text(_note(actions)).parts[0])
        return reply
    if not edits:  # several questions: answer the first
        return run(actions[0].command, ctx)
    current, ops, summaries = ctx, [], []
    for i, action in enumerate(edits, 1):
        step, gathered = _gather(action.command, current, run)
        if not gathered:
            lead = f"Step {i} of {len(edits)} (`{action.command}`) can't be done, so I changed nothing:"
            step.parts.insert(0, Reply(engine="offline").text(lead).parts[0])
            return step
        step_ops = [op for _, batch in gathered for op in batch]
        _details(step_ops, action)
        ops += step_ops
        summaries += [summary for summary, _ in gathered]
        if i < len(edits):  # the next step reads the workflow as this one leaves it
            current = CopilotContext(
                _light_apply(current.workflow, step_ops), selection=current.selection, problems=[]
            )
    reply = Reply(engine="offline").text(_note(edits))
    return propose(ctx, reply, "; ".join(summaries), ops)
