"""The offline co-pilot's slots: node and group references (id or name, "these" for the
selection), node lists, numbers, durations and on-error words, each failing with a
``CommandError`` that says what is wrong and suggests."""

from __future__ import annotations

import re
from typing import Any

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.offline.timewords import UNIT_SECONDS
from airflow_canvas.spec.models import (
    OnError,
)
from airflow_canvas.spec.problems import did_you_mean


class CommandError(ValueError):
    """A command that names something that is not there; the message says what and suggests."""


# -- helpers ----------------------------------------------------------------------------------------

_SELECTION_WORDS = {
    "these",
    "this",
    "selected",
    "selection",
    "the selection",
    "them",
    "selected nodes",
    "these nodes",
    "the selected nodes",
}


def node_ref(ctx: CopilotContext, token: str) -> str:
    """A node id from an id or a display name (case-insensitive), or CommandError with a guess."""
    token = token.strip().strip("`'\"")
    ids = [n.id for n in ctx.workflow.nodes]
    if token in ids:
        return token
    by_name = {n.label.lower(): n.id for n in ctx.workflow.nodes} | {i.lower(): i for i in ids}
    if token.lower() in by_name:
        return by_name[token.lower()]
    guess = did_you_mean(token, ids, sentence=True)
    raise CommandError(f"There is no node `{token}`." + (f" {guess}" if guess else ""))


QUOTES = "`'\"“”‘’"


def find_group(ctx: CopilotContext, token: str) -> str | None:
    """A group id from an id or a label (case-insensitive, quoted or not); None when there is none.
    Raises CommandError when a label names several groups."""
    token = token.strip().strip(QUOTES).strip()
    ids = [g.id for g in ctx.workflow.groups]
    if token in ids:
        return token
    hits = [g.id for g in ctx.workflow.groups if g.label.strip().lower() == token.lower()]
    hits = hits or [i for i in ids if i.lower() == token.lower()]
    if len(hits) > 1:
        raise CommandError(
            f"Several groups are labelled “{token}”: {', '.join(f'`{h}`' for h in hits)}. Name one by its id."
        )
    return hits[0] if hits else None


def node_list(ctx: CopilotContext, text: str) -> list[str]:
    """'a b c', 'a, b and c', or 'these' (the canvas selection)."""
    text = text.strip()
    if text.lower() in _SELECTION_WORDS:
        selected = [s for s in ctx.selection if ctx.workflow.node(s)]
        if not selected:
            raise CommandError("Nothing is selected. Select nodes on the canvas, or name them.")
        return selected
    tokens = [t for t in re.split(r"[\s,]+|\band\b", text) if t.strip()]
    if not tokens:
        raise CommandError("Name at least one node.")
    return list(dict.fromkeys(node_ref(ctx, t) for t in tokens))


def parse_duration(text: str) -> float:
    """'10m', '90s', '2h', '1d', '1h30m', '10 minutes', '45' (seconds) -> seconds."""
    text = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)([a-z]+)", text)
    if not parts or "".join(n + u for n, u in parts) != text or any(u not in UNIT_SECONDS for _, u in parts):
        raise CommandError(f"`{text}` is not a duration. Write e.g. 30s, 10m, 2h or 1d.")
    return sum(float(n) * UNIT_SECONDS[u] for n, u in parts)


def nested(path: str, value: Any) -> dict[str, Any]:
    """'execution.retry.retries', 3 -> {'execution': {'retry': {'retries': 3}}}."""
    out: Any = value
    for key in reversed(path.split(".")):
        out = {key: out}
    return out


def whole_number(text: str) -> int:
    if not re.fullmatch(r"\d+", text.strip()):
        raise CommandError(f"`{text}` is not a whole number.")
    return int(text)


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CommandError(f"`{text}` is not a number.") from None


def on_error_word(text: str) -> str:
    value = text.strip().lower()
    if value not in {e.value for e in OnError}:
        raise CommandError(f"On error must be one of {', '.join(e.value for e in OnError)}.")
    return value
