"""User templates: save a workflow as a template with chosen parameters, list them beside the
built-in gallery (GET /templates), instantiate one with the parameters filled, delete one.

Permissions are the tools' (like chains, a template is a building block shared with every user):
"read" on Canvas Tools to list and instantiate, "edit" to save or delete, plus Canvas Code to save
a workflow holding code. An instantiated spec is not stored: creating the workflow from it is the
normal POST /workflows, with its own Code check (user templates are not shipped code)."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends
from pydantic import Field

from airflow_canvas import templates as gallery
from airflow_canvas.plugin.api_models import chains as out
from airflow_canvas.plugin.api_models.catalogue import SpecOnly
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import require_code_permission, requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.service import user_templates as templates
from airflow_canvas.spec.load import dump_workflow, parse_workflow
from airflow_canvas.spec.models import ID_PATTERN, MAX_ID_LENGTH
from airflow_canvas.store.permissions import TOOLS

router = APIRouter(tags=["templates"])
Reader = Annotated[BaseUser, Depends(requires(TOOLS, "read"))]
Editor = Annotated[BaseUser, Depends(requires(TOOLS, "edit"))]


class SaveBody(RequestBody):
    spec: dict[str, Any] = Field(description="The workflow to save as a template.")
    name: str = Field(pattern=templates.NAME_PATTERN, max_length=100)
    title: str = Field("", max_length=250)
    description: str = Field("", max_length=5000)
    parameters: list[templates.TemplateParam] = Field(default_factory=list, max_length=100)


class InstantiateBody(RequestBody):
    workflow_id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field("", max_length=250)
    params: dict[str, Any] = Field(default_factory=dict)


@router.get("/user-templates", response_model=out.UserTemplatePage, responses=errors())
def list_user_templates(user: Reader, session: SessionDep) -> dict[str, Any]:
    items = templates.list_all(session)
    return {"items": items, "total": len(items)}


@router.put("/user-templates/{name}", response_model=out.UserTemplate, responses=errors())
def save_user_template(name: str, body: SaveBody, user: Editor, session: SessionDep) -> dict[str, Any]:
    """Save (or replace) a user template from a workflow; the workflow must validate."""
    if name != body.name:
        raise ApiError(
            422, f"The path names template {name!r} but the body {body.name!r}: make them the same."
        )
    require_code_permission(user, None, parse_workflow(body.spec), "save as a template")
    try:
        return templates.save(
            session,
            user,
            body.spec,
            body.parameters,
            name=body.name,
            title=body.title,
            description=body.description,
        )
    except gallery.TemplateError as exc:
        raise ApiError(422, str(exc)) from None


@router.post("/user-templates/{name}/instantiate", response_model=SpecOnly, responses=errors(404))
def instantiate(name: str, body: InstantiateBody, user: Reader, session: SessionDep) -> dict[str, Any]:
    """A new spec from the template with the caller's id, name and parameters (nothing is stored)."""
    try:
        wf = templates.instantiate(
            session, name, body.params, workflow_id=body.workflow_id, workflow_name=body.name or None
        )
    except gallery.TemplateError as exc:
        raise ApiError(422, str(exc)) from None
    return {"spec": dump_workflow(wf)}


@router.delete("/user-templates/{name}", response_model=out.TemplateDeleted, responses=errors(404))
def delete_user_template(name: str, user: Editor, session: SessionDep) -> dict[str, Any]:
    return {"deleted": templates.delete(session, user, name)}
