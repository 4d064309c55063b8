"""Build an operator node from a catalogue entry: what the palette does when an operator is dropped
on the canvas, checked against the entry's parameter schema so mistakes show before compiling."""

from __future__ import annotations

from typing import Any

from airflow_canvas.catalogue.operators import OperatorEntry
from airflow_canvas.runtime.core import violations
from airflow_canvas.spec.models import Node
from airflow_canvas.spec.problems import Problem, SpecError, did_you_mean, pointer


def node_from_entry(entry: OperatorEntry, node_id: str, parameters: dict[str, Any], **node: Any) -> Node:
    """A tool node running ``entry``'s operator with ``parameters``; SpecError naming each unknown,
    missing or mistyped parameter (checked against ``entry.parameters_schema``)."""
    schema = entry.parameters_schema
    problems: list[Problem] = []
    for name in parameters:
        if name not in schema["properties"]:
            problems.append(
                Problem(
                    "E_OPERATOR_PARAMETER_UNKNOWN",
                    f"{entry.name} has no parameter {name!r}.",
                    pointer("parameters", name),
                    node_id=node_id,
                    hint=did_you_mean(name, schema["properties"]),
                )
            )
    for name in schema["required"]:
        if name not in parameters:
            problems.append(
                Problem(
                    "E_OPERATOR_PARAMETER_MISSING",
                    f"{entry.name} requires {name!r}.",
                    pointer("parameters"),
                    node_id=node_id,
                )
            )
    typed = {k: v for k, v in parameters.items() if k in schema["properties"]}
    # Connection ids and callables are strings here; the x- keywords are annotations for the UI.
    for violation in violations(typed, {**schema, "additionalProperties": True, "required": []}):
        problems.append(
            Problem(
                "E_OPERATOR_PARAMETER_TYPE",
                violation.describe(".", "parameters"),
                pointer("parameters", *violation.path),
                node_id=node_id,
            )
        )
    if problems:
        raise SpecError(problems)
    return Node.model_validate(
        {
            "name": entry.name,
            **node,
            "id": node_id,
            "type": "tool",
            "operator": entry.operator,
            "parameters": parameters,
        }
    )
