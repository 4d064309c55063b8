"""``/tools/compatibility``: do the tools fit the workflow? The part of validation that answers it,
the problems of the data edges' mappings (fields the schemas don't declare, types that cannot
meet) and of tool references (nodes' and agents'), under validation's own codes and rules. It is a
filter over ``validate``, not a second set of checks, so the two can never disagree."""

from __future__ import annotations

from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem
from airflow_canvas.validation.engine import validate

COMPATIBILITY_CODES = frozenset(
    {
        "E_MAPPING_SOURCE_FIELD",
        "E_MAPPING_TARGET_FIELD",
        "E_MAPPING_TYPE_MISMATCH",
        "E_OPERATOR_ARGUMENT",  # a mapped field that cannot be an operator's keyword argument
        "E_TOOL_UNKNOWN",
        "E_TOOL_VERSION",
    }
)


def compatibility_problems(wf: Workflow) -> list[Problem]:
    """Validation's mapping and tool-reference problems of ``wf`` (errors and warnings)."""
    return [p for p in validate(wf).problems if p.code in COMPATIBILITY_CODES]
