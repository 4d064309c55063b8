"""Fields added to tools after the first release, left out of what is hashed or bundled while they
hold their default: a workflow that does not use them keeps its spec hash and its tools keep their
content digests, so no deployment looks stale (or gets a new DAG file) after an upgrade. A tool's
changelog describes a version and never changes what runs, so it is always left out."""

from __future__ import annotations

from typing import Any

from pydantic.main import IncEx

from airflow_canvas.spec.models import Tool

_NEW_TOOL_FIELDS = ("connection_type",)
_NEW_TEST_FIELDS = ("kind", "fixtures", "files", "connection", "time_budget_ms", "required")


def tool_exclude(tool: Tool) -> dict[str, IncEx | bool]:
    """The pydantic ``exclude`` for one tool (usable inside a workflow's exclude under its index)."""
    fields: dict[str, IncEx | bool] = {"changelog": True, **_at_default(tool, _NEW_TOOL_FIELDS)}
    tests = {j: at for j, test in enumerate(tool.tests) if (at := _at_default(test, _NEW_TEST_FIELDS))}
    if tests:
        fields["tests"] = tests
    return fields


def _at_default(model: Any, names: tuple[str, ...]) -> dict[str, IncEx | bool]:
    declared = type(model).model_fields
    return {
        name: True
        for name in names
        if getattr(model, name) == declared[name].get_default(call_default_factory=True)
    }
