"""Every rule a workflow must meet, with one entry point, ``validate``, used by the API, the CLI,
the compiler and the co-pilot. Above spec, tools, catalogue and policies (airflow_canvas/layers.py):
the rules read the tool registry, the operator catalogue and the notifier policies; nothing below
imports validation."""

from airflow_canvas.validation.context import Resources
from airflow_canvas.validation.engine import (
    CHECKS,
    Result,
    check_workflow,
    errors,
    validate,
    validate_data,
    validate_workflow,
)

__all__ = [
    "CHECKS",
    "Resources",
    "Result",
    "check_workflow",
    "errors",
    "validate",
    "validate_data",
    "validate_workflow",
]
