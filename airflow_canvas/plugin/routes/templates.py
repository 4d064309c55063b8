"""Workflow templates: the gallery of ``airflow_canvas.templates`` (JSON files with parameters)."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends
from pydantic import Field

from airflow_canvas import templates as gallery
from airflow_canvas.plugin.api_models.catalogue import SpecOnly, TemplatePage
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.spec.load import dump_workflow
from airflow_canvas.spec.models import ID_PATTERN, MAX_ID_LENGTH
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["templates"])
Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]


class InstantiateBody(RequestBody):
    workflow_id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field("", max_length=250)
    params: dict[str, Any] = Field(default_factory=dict, description="Template parameters (see its schema).")


@router.get("/templates", response_model=TemplatePage, responses=errors())
def list_templates(user: Reader, kind: str = "workflow") -> dict[str, Any]:
    """Templates of one kind ("workflow" by default, "subgraph", or "all")."""
    items = [t.to_dict() for t in gallery.list_templates(None if kind == "all" else kind)]
    return {"items": items, "total": len(items)}


@router.post("/templates/{name}/instantiate", response_model=SpecOnly, responses=errors(404))
def instantiate(name: str, body: InstantiateBody, user: Reader) -> dict[str, Any]:
    """A new spec from the template with the caller's id, name and parameters; nothing is stored
    (POST it to /workflows to create the workflow). Invalid results raise SpecError (422)."""
    if name not in {t.name for t in gallery.list_templates()}:
        raise ApiError(404, str(_error(name)))
    try:
        wf = gallery.instantiate_template(
            name, body.params, workflow_id=body.workflow_id, workflow_name=body.name or None
        )
    except gallery.TemplateError as exc:
        raise ApiError(422, str(exc)) from None
    return {"spec": dump_workflow(wf)}


def _error(name: str) -> Exception:
    try:
        gallery.get_template(name)
    except gallery.TemplateError as exc:
        return exc
    return LookupError(name)
