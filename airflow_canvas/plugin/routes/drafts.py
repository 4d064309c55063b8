"""The caller's own draft of a workflow: read, autosave, discard. There is no way to name another
user: every route works on the draft of the authenticated caller only."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends
from pydantic import Field

from airflow_canvas.plugin.api_models import drafts as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.service import drafts
from airflow_canvas.store import repository as repo
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["drafts"])

Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]
# Writing a draft needs what saving needs: a Viewer cannot edit, so has nothing to keep.
Editor = Annotated[BaseUser, Depends(requires(WORKFLOWS, "edit"))]


class DraftBody(RequestBody):
    # A JSON object, checked like every body (size, depth, NaN, surrogates: body_limit) but not
    # validated as a workflow: the edit may be half done. It is validated when it is saved.
    spec: dict[str, Any]
    base_version: int | None = Field(None, ge=1, description="The version the edit started from.")
    branch: str = Field(repo.MAIN, max_length=250)


@router.get("/workflows/{workflow_id}/draft", response_model=out.DraftAnswer, responses=errors(404))
def get_draft(workflow_id: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    return {"draft": drafts.get(session, user, workflow_id)}


@router.put("/workflows/{workflow_id}/draft", response_model=out.Draft, responses=errors(404, 413))
def put_draft(workflow_id: str, body: DraftBody, user: Editor, session: SessionDep) -> dict[str, Any]:
    return drafts.put(
        session, user, workflow_id, body.spec, base_version=body.base_version, branch=body.branch
    )


# Read suffices: it only deletes the caller's own private state (a user whose edit right was
# withdrawn can still clear what they left behind).
@router.delete("/workflows/{workflow_id}/draft", response_model=out.DraftDiscarded, responses=errors(404))
def discard_draft(workflow_id: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    repo.get_workflow(session, workflow_id)
    return {"discarded": drafts.discard(session, user, workflow_id)}
