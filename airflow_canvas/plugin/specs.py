"""Turn a request's spec into a checked Workflow with ``validation.validate`` (field problems, then
every rule on the parsed or repaired spec, as the CLI does). Errors -> ApiError 422, nothing stored."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from sqlalchemy.orm import Session

from airflow_canvas.plugin.airflow_resources import resources_for
from airflow_canvas.plugin.bodies import value_problems
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem
from airflow_canvas.store.models import VersionRow
from airflow_canvas.validation import Result, validate


def problems_of(wf: Workflow, user: BaseUser | None, session: Session | None = None) -> list[Problem]:
    return validate(wf, resources=resources_for(user, session)).problems


def validated(data: Any, user: BaseUser | None, session: Session | None = None) -> Result:
    """Untrusted JSON validated with what exists in Airflow that ``user`` may see (pools,
    connections, Variables: unknown ones warn). ``session``: the request's, when it has one (read
    through it, so the request holds one pooled connection, not two)."""
    return validate(data, resources=resources_for(user, session))


def refuse_unusable_values(workflows: list[Workflow], source: str) -> None:
    """ApiError 422 if a workflow holds data no JSON can carry: a lone surrogate, NaN/Infinity, or
    nesting past the limit. Request bodies are checked for these before parsing (body_limit); a
    spec made from an imported file is not, and YAML's "\\ud800" or .nan would otherwise crash the
    response and the save, or be stored as null."""
    problems = []
    for wf in workflows:
        for p in value_problems(wf.model_dump(by_alias=True)):
            problems.append(replace(p, message=f"workflow {wf.id!r}: {p.message}"))
    if problems:
        raise ApiError(422, f"{source} holds values that cannot be used; nothing was stored.", problems)


def checked(
    data: Any, user: BaseUser | None, session: Session | None = None
) -> tuple[Workflow, list[Problem]]:
    """(workflow, warnings) or ApiError 422 listing every error and warning."""
    result = validated(data, user, session)
    if result.workflow is None or result.errors:
        raise ApiError(422, "The workflow spec is invalid; nothing was stored.", result.problems)
    return result.workflow, result.problems


def version_json(row: VersionRow, *, with_spec: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "workflow_id": row.workflow_id,
        "version": row.number,
        "branch": row.branch,
        "author": row.author,
        "message": row.message,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "parent_version": row.parent_number,
        "merged_version": row.merged_number,
        "content_hash": row.content_hash,  # store.serialize.content_hash; not the compiler's spec_hash
    }
    if with_spec:
        out["spec"] = json.loads(row.spec)
    return out
