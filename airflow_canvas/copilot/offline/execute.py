"""A plan carried out: one action is its grammar command's answer; several (or an add with
details the command cannot carry: a URL, a prompt, a display name) are run one after the other on
the workflow as each leaves it and proposed together, as one change. An ``Ask`` becomes choices."""

from __future__ import annotations

from collections.abc import Callable

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.offline.intents import Action, Ask
from airflow_canvas.copilot.offline.plan import Plan
from airflow_canvas.copilot.patch import AddNode, PatchOp, apply_patch, parse_ops
from airflow_canvas.copilot.responses import Reply, Suggestion, SuggestionsPart

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
        step = run(action.command, current)
        if step.proposal is None:
            lead = f"Step {i} of {len(edits)} (`{action.command}`) can't be done, so I changed nothing:"
            step.parts.insert(0, Reply(engine="offline").text(lead).parts[0])
            return step
        step_ops = parse_ops(step.proposal.ops)
        _details(step_ops, action)
        ops += step_ops
        summaries.append(step.proposal.summary)
        if i < len(edits):
            current = CopilotContext(apply_patch(current.workflow, step_ops), selection=current.selection)
    reply = Reply(engine="offline").text(_note(edits))
    return propose(ctx, reply, "; ".join(summaries), ops)
