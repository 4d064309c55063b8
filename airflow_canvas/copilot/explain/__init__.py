"""Plain-words explanations for the co-pilot, by job: validation problems and their fixes
(problems.py), run failures (runs.py), one node (nodes.py) and one group (groups.py). Every fix
offered has already passed ``check_patch`` (a suggested fix never makes the workflow worse)."""

from __future__ import annotations

from airflow_canvas.copilot.explain.groups import (
    Member,
    explain_group,
    group_label,
    group_members,
    unknown_group,
)
from airflow_canvas.copilot.explain.nodes import explain_node
from airflow_canvas.copilot.explain.problems import (
    Fix,
    explain_errors,
    explain_problem,
    field_words,
    fix_suggestions,
    where,
    working_fixes,
)
from airflow_canvas.copilot.explain.runs import debug_run, explain_run_failure, run_fixes

__all__ = [
    "Fix",
    "Member",
    "debug_run",
    "explain_errors",
    "explain_group",
    "explain_node",
    "explain_problem",
    "explain_run_failure",
    "field_words",
    "fix_suggestions",
    "group_label",
    "group_members",
    "run_fixes",
    "unknown_group",
    "where",
    "working_fixes",
]
