"""History, diff, rollback, branches and merge of a workflow's versions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, Query, status
from pydantic import Field

from airflow_canvas.plugin.api_models import workflows as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import code_check, requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import PageDep, SessionDep
from airflow_canvas.plugin.errors import ApiError, stale_base_error
from airflow_canvas.plugin.specs import checked, version_json
from airflow_canvas.service import workflows
from airflow_canvas.service.errors import MergeConflicts, NothingToMerge, SameBranch
from airflow_canvas.spec.models import ID_PATTERN
from airflow_canvas.store import repository as repo
from airflow_canvas.store.errors import StaleBase
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["versions"])

Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]
Editor = Annotated[BaseUser, Depends(requires(WORKFLOWS, "edit"))]


class RollbackBody(RequestBody):
    version: int = Field(ge=1)
    message: str = Field("", max_length=2000)
    branch: str = Field(repo.MAIN, max_length=250)
    base_version: int | None = Field(None, ge=1, description="Refuse (409) if the branch moved past this.")


class BranchBody(RequestBody):
    name: str = Field(pattern=ID_PATTERN, max_length=250)
    from_version: int | None = Field(None, ge=1, description="Defaults to main's head.")


class MergeBody(RequestBody):
    source: str = Field(max_length=250)
    target: str = Field(repo.MAIN, max_length=250)
    message: str = Field("", max_length=2000)
    resolutions: dict[str, Literal["source", "target"]] = Field(
        default_factory=dict, description='Conflict key ("nodes/<id>", "workflow/<section>") -> winning side.'
    )


@router.get("/workflows/{workflow_id}/versions", response_model=out.VersionPage, responses=errors(404))
def list_versions(
    workflow_id: str,
    user: Reader,
    session: SessionDep,
    page: PageDep,
    branch: Annotated[str | None, Query(max_length=250)] = None,
) -> dict[str, Any]:
    rows, total = repo.list_versions(
        session, workflow_id, branch=branch, offset=page.offset, limit=page.limit
    )
    return {
        "items": [version_json(r, with_spec=False) for r in rows],
        "total": total,
        "offset": page.offset,
        "limit": page.limit,
    }


@router.get(
    "/workflows/{workflow_id}/versions/{number}", response_model=out.VersionWithSpec, responses=errors(404)
)
def get_version(workflow_id: str, number: int, user: Reader, session: SessionDep) -> dict[str, Any]:
    return version_json(repo.get_version(session, workflow_id, number))


@router.get("/workflows/{workflow_id}/diff", response_model=out.VersionDiff, responses=errors(404))
def diff(
    workflow_id: str,
    user: Reader,
    session: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1)],
    to: Annotated[int, Query(ge=1)],
) -> dict[str, Any]:
    return {"from": from_, "to": to, "diff": repo.diff_versions(session, workflow_id, from_, to)}


@router.post(
    "/workflows/{workflow_id}/rollback",
    status_code=status.HTTP_201_CREATED,
    response_model=out.SavedVersion,
    responses=errors(404, 409),
)
def rollback(workflow_id: str, body: RollbackBody, user: Editor, session: SessionDep) -> dict[str, Any]:
    try:
        row = workflows.rollback(
            session,
            user,
            workflow_id,
            body.version,
            branch=body.branch,
            base_version=body.base_version,
            message=body.message,
            authorize=code_check(user, "roll back to"),
        )
    except StaleBase as exc:
        raise stale_base_error(session, workflow_id, exc) from None
    return version_json(row, with_spec=False)


@router.get("/workflows/{workflow_id}/branches", response_model=out.BranchPage, responses=errors(404))
def list_branches(workflow_id: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    rows = repo.list_branches(session, workflow_id)
    items = [
        {
            "name": b.name,
            "head_version": b.head_number,
            "base_version": b.base_number,
            "created_by": b.created_by,
            "created_at": b.created_at.isoformat() if b.created_at else None,
        }
        for b in rows
    ]
    return {"items": items, "total": len(items)}


@router.post(
    "/workflows/{workflow_id}/branches",
    status_code=status.HTTP_201_CREATED,
    response_model=out.CreatedBranch,
    responses=errors(404, 409),
)
def create_branch(workflow_id: str, body: BranchBody, user: Editor, session: SessionDep) -> dict[str, Any]:
    row = workflows.create_branch(session, user, workflow_id, body.name, from_version=body.from_version)
    return {"name": row.name, "head_version": row.head_number, "base_version": row.base_number}


@router.post("/workflows/{workflow_id}/merge", response_model=out.SavedVersion, responses=errors(404, 409))
def merge(workflow_id: str, body: MergeBody, user: Editor, session: SessionDep) -> dict[str, Any]:
    """Three-way merge of branch ``source`` into ``target``. Conflicts (both sides changed the same
    node/edge/group field differently) -> 409 listing them; resend with ``resolutions`` to settle."""
    try:
        plan = workflows.plan_merge(session, workflow_id, body.source, body.target, body.resolutions)
    except SameBranch as exc:
        raise ApiError(422, str(exc)) from None
    except MergeConflicts as exc:
        raise ApiError(409, str(exc), conflicts=exc.conflicts, **exc.versions) from None
    wf, warnings = checked(plan.spec, user, session)
    try:
        row = workflows.merge(
            session, user, plan, wf, message=body.message, authorize=code_check(user, "merge")
        )
    except NothingToMerge as exc:
        raise ApiError(409, str(exc), **exc.versions, conflicts=[]) from None
    except StaleBase as exc:
        raise stale_base_error(session, workflow_id, exc) from None
    return version_json(row, with_spec=False) | {"warnings": [w.to_dict() for w in warnings]}
