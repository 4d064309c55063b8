"""Workflows: list, create, read, save (a new version), delete, duplicate; validate and compile."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, Query, status
from pydantic import Field

from airflow_canvas.plugin.api_models import workflows as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import code_check, requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import PageDep, SessionDep
from airflow_canvas.plugin.errors import ApiError, stale_base_error
from airflow_canvas.plugin.specs import checked, validated, version_json
from airflow_canvas.service import drafts, workflows
from airflow_canvas.service.errors import StillDeployed
from airflow_canvas.spec.models import ID_PATTERN, MAX_ID_LENGTH
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.store import repository as repo
from airflow_canvas.store.errors import StaleBase
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["workflows"])

Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]
Creator = Annotated[BaseUser, Depends(requires(WORKFLOWS, "create"))]
Editor = Annotated[BaseUser, Depends(requires(WORKFLOWS, "edit"))]
Deleter = Annotated[BaseUser, Depends(requires(WORKFLOWS, "delete"))]


class CreateBody(RequestBody):
    spec: dict[str, Any]
    message: str = Field("Created", max_length=2000)


class SaveBody(RequestBody):
    spec: dict[str, Any]
    base_version: int = Field(
        ge=1, description="The version this edit started from (optimistic concurrency)."
    )
    message: str = Field("", max_length=2000)
    branch: str = Field(repo.MAIN, max_length=250)


class DuplicateBody(RequestBody):
    new_id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field("", max_length=250)


class SpecBody(RequestBody):
    spec: dict[str, Any]


@router.get("/workflows", response_model=out.WorkflowPage, responses=errors())
def list_workflows(
    user: Reader, session: SessionDep, page: PageDep, search: Annotated[str, Query(max_length=200)] = ""
) -> dict[str, Any]:
    items, total = repo.list_workflows(session, search=search, offset=page.offset, limit=page.limit)
    return {"items": items, "total": total, "offset": page.offset, "limit": page.limit}


@router.post(
    "/workflows",
    status_code=status.HTTP_201_CREATED,
    response_model=out.CreatedWorkflow,
    responses=errors(409),
)
def create_workflow(body: CreateBody, user: Creator, session: SessionDep) -> dict[str, Any]:
    wf, warnings = checked(body.spec, user, session)
    row = workflows.create(session, user, wf, message=body.message, authorize=code_check(user, "create"))
    return version_json(row) | {"warnings": [w.to_dict() for w in warnings]}


@router.get("/workflows/{workflow_id}", response_model=out.WorkflowRecord, responses=errors(404))
def get_workflow(
    workflow_id: str,
    user: Reader,
    session: SessionDep,
    branch: Annotated[str, Query(max_length=250)] = repo.MAIN,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    row = (
        repo.get_version(session, workflow_id, version)
        if version
        else repo.head(session, workflow_id, branch)
    )
    wf_row = repo.get_workflow(session, workflow_id)
    branches = {b.name: b.head_number for b in repo.list_branches(session, workflow_id)}
    return version_json(row) | {
        "name": wf_row.name,
        "head_version": branches.get(branch),
        "branches": branches,
    }


@router.put("/workflows/{workflow_id}", response_model=out.SavedVersion, responses=errors(404, 409))
def save_workflow(workflow_id: str, body: SaveBody, user: Editor, session: SessionDep) -> dict[str, Any]:
    repo.get_workflow(session, workflow_id)
    wf, warnings = checked(body.spec, user, session)
    try:
        row = workflows.save(
            session,
            user,
            workflow_id,
            wf,
            base_version=body.base_version,
            branch=body.branch,
            message=body.message,
            authorize=code_check(user, "save"),
        )
    except StaleBase as exc:
        raise stale_base_error(session, workflow_id, exc, yours=wf) from None
    drafts.discard(session, user, workflow_id, reason="saved")  # the edit is a version now
    return version_json(row, with_spec=False) | {"warnings": [w.to_dict() for w in warnings]}


@router.delete(
    "/workflows/{workflow_id}",
    status_code=status.HTTP_200_OK,
    response_model=out.Deleted,
    responses=errors(404, 409),
)
def delete_workflow(workflow_id: str, user: Deleter, session: SessionDep) -> dict[str, Any]:
    try:
        workflows.delete(session, user, workflow_id)
    except StillDeployed as exc:
        raise ApiError(409, str(exc), environments=exc.environments) from None
    return {"deleted": workflow_id}


@router.post(
    "/workflows/{workflow_id}/duplicate",
    status_code=status.HTTP_201_CREATED,
    response_model=out.VersionWithSpec,
    responses=errors(404, 409),
)
def duplicate_workflow(
    workflow_id: str, body: DuplicateBody, user: Creator, session: SessionDep
) -> dict[str, Any]:
    return version_json(workflows.duplicate(session, user, workflow_id, body.new_id, body.name))


@router.post("/validate", response_model=out.ValidateResult, responses=errors())
def validate(body: SpecBody, user: Reader) -> dict[str, Any]:
    result = validated(body.spec, user)
    return {"valid": result.ok, "problems": [p.to_dict() for p in result.problems]}


@router.post("/compile", response_model=out.CompileResult, responses=errors())
def compile_preview(body: SpecBody, user: Reader) -> dict[str, Any]:
    """The generated DAG source for a spec (nothing is written); ``source`` is null when invalid."""
    from airflow_canvas.compiler import compile_workflow

    result = validated(body.spec, user)
    wf, problems = result.workflow, result.problems
    if wf is None or result.errors:
        return {"source": None, "problems": [p.to_dict() for p in problems]}
    try:
        compiled = compile_workflow(wf)
    except SpecError as exc:
        return {"source": None, "problems": [p.to_dict() for p in exc.problems]}
    return {
        "source": compiled.source,
        "dag_id": compiled.dag_id,
        "spec_hash": compiled.spec_hash,
        "problems": [p.to_dict() for p in problems],
    }
