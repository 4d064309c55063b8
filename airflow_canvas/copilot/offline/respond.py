"""Answering a message: a message in the grammar's own words runs as that command; anything else
(or a command naming something by a name the grammar does not take) is read as plain language
(plan.py) and carried out (execute.py); what neither reads gets suggestions built from the
workflow (suggest.py)."""

from __future__ import annotations

import logging
import re

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.offline.grammar import COMMANDS, INTENTS
from airflow_canvas.copilot.offline.parsing import CommandError
from airflow_canvas.copilot.responses import Reply

log = logging.getLogger(__name__)


def _normalise(message: str) -> str:
    text = message.strip().rstrip(".!")
    text = re.sub(r"^(please|can you|could you|co-?pilot,?)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r",?\s+please$", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text)


def run_command(text: str, ctx: CopilotContext) -> Reply:
    """One command of the grammar, exactly; a text reply with ``error`` set when it fails."""
    reply, _, _ = _grammar(text, ctx)
    return (
        reply
        if reply is not None
        else Reply(engine="offline", error="not_understood").text(f"`{text}` is not a command.")
    )


def _grammar(text: str, ctx: CopilotContext) -> tuple[Reply | None, str, dict[str, str] | None]:
    """(reply, intent, slots) of the first command matching ``text``, slots None when it failed;
    (None, '', None) when no command matches."""
    for command in COMMANDS:
        m = command.match(text)
        if m is None:
            continue
        reply = Reply(engine="offline")
        try:
            slots = {
                k: v.strip("`'\"“”‘’ ") for k, v in m.groupdict().items() if k in ("node", "group") and v
            }
            return command.handler(ctx, m, reply), INTENTS[command.name], slots
        except CommandError as exc:
            reply.error = "command"
            return reply.text(str(exc)), INTENTS[command.name], None
    return None, "", None


def interpret(
    message: str, ctx: CopilotContext, history: list[dict[str, str]] | None = None
) -> tuple[Reply, str, dict[str, str]]:
    """(reply, intent, slots). A message in the grammar's own words is run as it is; anything
    else (or a command naming something by a name the grammar does not take) is read as plain
    language (plan.py) and carried out (execute.py). Never raises for user input."""
    from airflow_canvas.copilot.offline.execute import execute
    from airflow_canvas.copilot.offline.plan import understand
    from airflow_canvas.copilot.offline.suggest import not_understood

    text = _normalise(message)
    reply, intent, slots = _grammar(text, ctx)
    if reply is not None and slots is not None:
        return reply, intent, slots
    try:
        plan = understand(message, ctx, history)
    except Exception:  # a reading rule's bug must not cost the user the grammar's answer
        log.exception("offline co-pilot: could not read %r", message[:200])
        plan = None
    if plan is None:
        return (
            (reply, intent, {}) if reply is not None else (not_understood(text, ctx.workflow), "unknown", {})
        )
    if reply is not None and plan.ask is None and plan.actions[0].intent in ("templates", "wizard", "help"):
        return reply, intent, {}  # "use template http_fetch_extrct": the grammar's own message is better
    if plan.ask is not None:
        asked = execute(plan, ctx, run_command)
        # The grammar's message says what is wrong ("Did you mean 'LoadRows'?", "Several groups are
        # labelled ..."), unless the question says more (nothing selected, which of these).
        said = reply.plain_text() if reply is not None else ""
        if reply is not None and plan.ask.intent == intent and (not plan.ask.own_words or "Several" in said):
            asked.parts[0] = reply.parts[0]
            asked.error = reply.error
        return asked, "ask", {}
    first = plan.actions[0]
    return execute(plan, ctx, run_command), first.intent, first.slots


def respond(message: str, ctx: CopilotContext, history: list[dict[str, str]] | None = None) -> Reply:
    """Answer one message. Never raises for user input: errors become a friendly text reply."""
    return interpret(message, ctx, history)[0]
