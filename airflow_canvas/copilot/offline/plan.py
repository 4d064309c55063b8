"""From a message to a plan: tidy the words (politeness, number words, typos in command words),
split it into clauses ("..., then ..."), read each clause with the rules of intents.py, edits.py
and settings.py, and chain them ("then email *it*" = the node the clause before added)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.offline import edits, intents, settings
from airflow_canvas.copilot.offline.entities import known_words
from airflow_canvas.copilot.offline.intents import Action, Ask, Clause, NeedAsk
from airflow_canvas.copilot.offline.timewords import digits
from airflow_canvas.spec.models import Workflow

RULES = [
    intents.r_help,
    intents.r_schedule,
    intents.r_debug,
    intents.r_fix,
    intents.r_code,
    intents.r_templates,
    intents.r_wizard,
    intents.r_workflow,
    edits.r_disconnect,
    edits.r_ungroup,
    edits.r_group,
    edits.r_rename,
    edits.r_insert,
    settings.r_set_generic,
    settings.r_set,
    intents.r_errors,
    edits.r_connect,
    edits.r_remove,
    intents.r_explain,
    intents.r_run,
    edits.r_add,
]

_LEAD = re.compile(
    r"^(?:please|pls|plz|kindly|hey|hi|hello|ok|okay|so|now|also|and|just|co-?pilot|can (?:you|u)|could (?:you|u)|"
    r"would you|will you|go ahead and|i'?d like (?:you )?to|i would like (?:you )?to|i'?d like|i want you to|"
    r"let'?s|lets|we should|i think we should|we need to|would it be possible to|is it possible to|"
    r"(?:could|can) we|i need you to|help me)\b[\s,!]*",
    re.IGNORECASE,
)
_TRAIL = re.compile(
    r"[\s,]*(?:please|pls|thanks|thank you|thx|for me|if you can|if possible)[\s.!]*$", re.IGNORECASE
)
# Command words a typo is corrected to (only words no node or group is named with).
VOCAB = [
    "remove", "delete", "connect", "disconnect", "explain", "describe", "rename", "schedule", "retries",
    "retry", "timeout", "group", "ungroup", "template", "templates", "wizard", "agent", "insert",
    "between", "after", "before", "errors", "problems", "workflow",
]  # fmt: skip


def tidy(message: str) -> str:
    text = re.sub(r"\s+", " ", message.strip())
    while True:
        before = text
        text = _LEAD.sub("", text).strip()
        text = _TRAIL.sub("", text).strip()
        if text == before:
            return text


def correct(text: str, wf: Workflow) -> str:
    """A typo in a clause's command word: 'remvoe' -> 'remove', 'conect' -> 'connect', 'explian' ->
    'explain'. Only the first word: further in, a word one letter from a command word is more often
    an ordinary one ('the remote api' is not 'the remove api'). Never a word of a node's name."""
    m = re.match(r"[A-Za-z]+(?![\w@./:\"'-])", text)
    if m is None:
        return text
    low = m.group(0).lower()
    if len(low) < 5 or any(low.startswith(v) for v in VOCAB):
        return text
    hit = process.extractOne(low, VOCAB, scorer=fuzz.ratio, score_cutoff=80)
    if hit is None or low in known_words(wf):
        return text
    return hit[0] + text[m.end() :]


def clauses(text: str) -> list[str]:
    parts = re.split(
        r"(?<=[.!?])\s+|\s*;\s*|,?\s+(?:and\s+)?then\s+|,\s*and\s+(?=(?:remove|connect|add|set|make)\b)", text
    )
    return [p.strip(" .!?,") for p in parts if p and p.strip(" .!?,")]


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    ask: Ask | None = None


def last_mentioned(ctx: CopilotContext, history: list[dict[str, str]] | None) -> list[str]:
    """The node the conversation is about (``it`` when nothing is selected): the first node the
    latest message naming one names - an answer names its subject first ("**`p2`** ... reads from
    `p1` and feeds `end`", "Set retries of `score` to 3")."""
    for turn in reversed(history or []):
        ids = [t for t in re.findall(r"`([^`\s]+)`", turn.get("content", "")) if ctx.workflow.node(t)]
        if ids:
            return [ids[0]]
    return []


def named_first(clause: Clause) -> list[str]:
    """The node a clause names before its first comma ("the scorer keeps failing, ...")."""
    from airflow_canvas.copilot.offline.entities import resolve

    head = clause.text.split(",", 1)[0].split()
    for size in range(min(4, len(head)), 0, -1):
        ref = resolve(clause.ctx, " ".join(head[:size]))
        if ref.sure and len(ref.ids) == 1:
            return ref.ids
    return []


def understand(message: str, ctx: CopilotContext, history: list[dict[str, str]] | None = None) -> Plan | None:
    """The plan for a message, or None when no rule reads any of it."""
    text = digits(tidy(message))
    last = last_mentioned(ctx, history)
    plan = Plan()
    for part in clauses(text):
        clause = Clause(correct(tidy(part), ctx.workflow), ctx, last)
        if not clause.text:
            continue
        if not ctx.selection and "," in clause.text and re.search(r"\b(?:it|them)\b", clause.text):
            clause.last = named_first(clause) or clause.last  # "the scorer keeps failing, retry it 5 times"
        for rule in RULES:
            try:
                found = rule(clause)
            except NeedAsk as exc:
                found = exc.ask
            if found is None:
                continue
            if isinstance(found, Ask):
                plan.ask = plan.ask or found
            else:
                plan.actions += found
                added = [c.id for a in found for c in a.add]
                if added:
                    last = added[-1:]
                else:
                    mentioned = [v for a in found for k, v in a.slots.items() if k in ("node", "nodes")]
                    last = mentioned[-1].split(",") if mentioned else last
            break
    if plan.ask is None and not plan.actions:
        return None
    return plan
