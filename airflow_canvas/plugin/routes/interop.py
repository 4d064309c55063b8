"""Operator catalogue, import (dag-factory YAML, Elyra pipelines) and export (JSON, ejected Python,
dag-factory YAML) routes."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from pydantic import Field
from sqlalchemy.orm import Session

from airflow_canvas.plugin.api_models.catalogue import ImportResults, OperatorPage
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import code_check, requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.plugin.specs import problems_of, refuse_unusable_values
from airflow_canvas.service import workflows
from airflow_canvas.store import repository as repo
from airflow_canvas.store.models import WorkflowRow
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["interop"])
Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]
Creator = Annotated[BaseUser, Depends(requires(WORKFLOWS, "create"))]

_MEDIA = {"json": "application/json", "python": "text/x-python", "dag-factory": "application/yaml"}
_SUFFIX = {"json": ".json", "python": ".py", "dag-factory": ".yml"}


@router.get("/catalogue/operators", response_model=OperatorPage, responses=errors())
def list_operators(
    user: Reader,
    search: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    from airflow_canvas.catalogue.operators import operator_catalogue, search_operators

    items = search_operators(search, limit=limit)
    return {
        "items": [e.to_dict() for e in items],
        "total": len(operator_catalogue()) if not search else len(items),
    }


class ImportBody(RequestBody):
    filename: str = Field(
        max_length=500, description="Decides the format: *.pipeline = Elyra, else dag-factory YAML."
    )
    content: str = Field(max_length=5_000_000)
    save: bool = Field(False, description="Also store each workflow that validates without errors.")
    message: str = Field("Imported", max_length=2000)


def _refuse_taken_ids(session: Session, ids: list[str]) -> None:
    """409 before the first save when an id is taken or comes twice: each workflow is stored in
    its own transaction, so this check is what keeps an import whole (a concurrent create of the
    same id between the check and the save still answers 409 for that one)."""
    taken = sorted({i for i in ids if ids.count(i) > 1} | {i for i in ids if session.get(WorkflowRow, i)})
    if taken:
        raise ApiError(
            409,
            f"Workflow id(s) {', '.join(map(repr, taken))} already exist or repeat in the file; nothing was "
            "saved. Rename them in the file, or import without saving and save each under a new id.",
        )


@router.post("/import", response_model=ImportResults, responses=errors(409))
def import_workflows(body: ImportBody, user: Creator, session: SessionDep) -> dict[str, Any]:
    from airflow_canvas.importers import ImportError_, import_text

    name = PurePath(body.filename).name or "upload"
    try:
        results = import_text(body.content, name)
    except ImportError_ as exc:
        raise ApiError(422, str(exc)) from None
    refuse_unusable_values([result.workflow for result in results], name)
    checked = [(result, problems_of(result.workflow, user, session)) for result in results]
    authorize = code_check(user, "import")
    if body.save:  # before anything is stored: an import is saved whole or not at all
        to_save = [r.workflow for r, problems in checked if not any(p.severity == "error" for p in problems)]
        for wf in to_save:
            authorize(None, wf)
        _refuse_taken_ids(session, [wf.id for wf in to_save])
    out = []
    for result, problems in checked:
        entry = result.to_dict() | {"problems": [p.to_dict() for p in problems], "saved_version": None}
        if body.save and not any(p.severity == "error" for p in problems):
            row = workflows.create(
                session,
                user,
                result.workflow,
                message=body.message,
                authorize=authorize,
                event="canvas.workflow.import",
                source=name,
                format=result.report.format,
            )
            entry["saved_version"] = row.number
        out.append(entry)
    return {"results": out}


@router.get(
    "/workflows/{workflow_id}/export",
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": "The file (as an attachment) in the format asked for.",
            "content": {media: {"schema": {"type": "string"}} for media in _MEDIA.values()},
        },
        **errors(404),
    },
)
def export(
    workflow_id: str,
    user: Reader,
    session: SessionDep,
    format: Annotated[str, Query(pattern="^(json|python|dag-factory)$")] = "json",  # noqa: A002 - the API's name
    version: Annotated[int | None, Query(ge=1)] = None,
    branch: Annotated[str, Query(max_length=250)] = repo.MAIN,
) -> PlainTextResponse:
    from airflow_canvas.exporters import ExportError, export_workflow
    from airflow_canvas.spec.problems import SpecError

    row = (
        repo.get_version(session, workflow_id, version)
        if version
        else repo.head(session, workflow_id, branch)
    )
    workflow = repo.load_spec(row)
    try:
        text = export_workflow(workflow, format)
    except ExportError as exc:
        raise ApiError(422, str(exc), node_id=exc.node_id) from None
    except SpecError as exc:
        raise ApiError(422, "The workflow does not compile; fix its problems first.", exc.problems) from None
    filename = f"{workflow_id}{_SUFFIX[format]}"
    return PlainTextResponse(
        text, media_type=_MEDIA[format], headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
