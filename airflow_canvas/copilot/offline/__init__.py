"""The offline co-pilot: a small, documented command grammar that needs no model.

grammar.py holds the commands (phrasings, examples, docs) and ``respond``; parsing.py the slots
(node and group references, node lists, numbers, durations); handlers.py what each command does.
Node references accept a node's id or its display name, group references a group's id or its
label (quoted when it has spaces); "these" / "selected" / "the selection" mean the nodes selected
on the canvas. Commands that change the workflow answer with a validated proposal, never with an
edit.
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
