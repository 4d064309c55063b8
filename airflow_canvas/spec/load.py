"""Turn untrusted JSON into a Workflow: migrate old spec versions, then parse with pydantic,
reporting every field error as a Problem with a JSON pointer and the node id it belongs to."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from airflow_canvas.spec.models import SPEC_VERSION, Workflow
from airflow_canvas.spec.problems import OwnerIds, Problem, SpecError, pointer

# spec_version -> function upgrading a dict of that version to the next one.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("spec_version", SPEC_VERSION)
    if not isinstance(version, int) or version < 1 or version > SPEC_VERSION:
        raise SpecError(
            [
                Problem(
                    code="E_SPEC_VERSION",
                    message=f"spec_version {version!r} is not supported (this release reads 1..{SPEC_VERSION}).",
                    pointer="/spec_version",
                    hint="Upgrade airflow-canvas, or set spec_version to a supported number.",
                )
            ]
        )
    while version < SPEC_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["spec_version"] = version
    return data


def _owner_ids(data: Any, loc: tuple[Any, ...]) -> OwnerIds:
    """The node/edge/group id that an error location falls under, when it can be told."""
    if len(loc) >= 2 and loc[0] in ("nodes", "edges", "groups") and isinstance(loc[1], int):
        try:
            item = data[loc[0]][loc[1]]
        except (KeyError, IndexError, TypeError):
            return {}
        if not isinstance(item, dict):
            return {}
        if loc[0] == "nodes" and isinstance(item.get("id"), str):
            return {"node_id": item["id"]}
        if loc[0] == "groups" and isinstance(item.get("id"), str):
            return {"group_id": item["id"]}
        if loc[0] == "edges":
            edge_id = item.get("id") or f"{item.get('source')}->{item.get('target')}"
            return {"edge_id": str(edge_id)}
    return {}


def _problem_from_pydantic(data: Any, err: ErrorDetails) -> Problem:
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    hint = None
    if kind == "extra_forbidden":
        code, hint = (
            "E_FIELD_UNKNOWN",
            "Remove this field; check its spelling against `airflow-canvas schema`.",
        )
    elif kind == "missing":
        code, hint = "E_FIELD_MISSING", "Add this required field."
    elif kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
        code = "E_ID_INVALID"
        hint = "Ids may hold letters, digits, '_' and '-', and must not start with '-'."
    else:
        code = "E_FIELD_INVALID"
    return Problem(
        code=code,
        message=f"{'.'.join(str(p) for p in loc) or 'spec'}: {err.get('msg', 'invalid')}",
        pointer=pointer(*loc),
        hint=hint,
        **_owner_ids(data, loc),
    )


def parse_workflow(data: Any) -> Workflow:
    """Parse a dict into a Workflow or raise SpecError with every field problem."""
    if not isinstance(data, dict):
        raise SpecError(
            [
                Problem(
                    "E_SPEC_NOT_OBJECT",
                    "A workflow spec must be a JSON object.",
                    "",
                    hint="Wrap it in {...}.",
                )
            ]
        )
    data = migrate(dict(data))
    try:
        return Workflow.model_validate(data)
    except ValidationError as exc:
        raise SpecError([_problem_from_pydantic(data, e) for e in exc.errors()]) from None


def load_workflow_file(path: str | Path) -> Workflow:
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            [
                Problem(
                    "E_JSON",
                    f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                    "",
                )
            ]
        ) from None
    return parse_workflow(data)


def dump_workflow(workflow: Workflow) -> dict[str, Any]:
    """The canonical JSON form: defaults left out so files stay small and diffs stay readable."""
    return workflow.model_dump(mode="json", exclude_defaults=True) | {
        "spec_version": workflow.spec_version,
        "id": workflow.id,
    }


def workflow_json_schema() -> dict[str, Any]:
    schema = Workflow.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Airflow Canvas workflow"
    return schema
