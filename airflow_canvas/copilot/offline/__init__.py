"""The offline co-pilot: plain language and a documented command grammar, with no model.

respond.py answers a message: in the grammar's own words (grammar.py: the commands, their
phrasings, examples and help; parsing.py their slots; handlers*.py what each does) it runs as
that command; otherwise plan.py reads it as plain language, clause by clause, with the rules of
intents.py (questions, schedules), edits.py (graph changes) and settings.py (node properties),
resolving names with entities.py, numbers, durations and schedules with timewords.py and the kind
of a new node with purposes.py; execute.py carries the plan out as one validated proposal, or asks
back with clickable choices; suggest.py builds examples and suggestions from the workflow on
screen. Commands that change the workflow answer with a validated proposal, never with an edit.
"""

from __future__ import annotations

from airflow_canvas.copilot.offline.grammar import COMMANDS, Command, help_markdown
from airflow_canvas.copilot.offline.parsing import CommandError, parse_duration
from airflow_canvas.copilot.offline.respond import interpret, respond

__all__ = [
    "COMMANDS",
    "Command",
    "CommandError",
    "help_markdown",
    "interpret",
    "parse_duration",
    "respond",
]
