"""Workflow templates: starting points shipped as JSON in ``airflow_canvas/templates/``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.plugin.permissions import WORKFLOWS
from airflow_canvas.spec.load import dump_workflow, parse_workflow
from airflow_canvas.spec.models import ID_PATTERN, MAX_ID_LENGTH

router = APIRouter(tags=["templates"])
Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]
TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


@cache
def templates() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        parse_workflow(data["spec"])  # a broken template must fail loudly, not at instantiate time
        out[path.stem] = data
    return out


class InstantiateBody(BaseModel):
    workflow_id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field("", max_length=250)


@router.get("/templates")
def list_templates(user: Reader) -> dict[str, Any]:
    items = [{"name": n, "title": t.get("title", n), "description": t.get("description", ""),
              "nodes": len(t["spec"].get("nodes", []))} for n, t in templates().items()]
    return {"items": items, "total": len(items)}


@router.post("/templates/{name}/instantiate")
def instantiate(name: str, body: InstantiateBody, user: Reader) -> dict[str, Any]:
    """A new spec from the template with the caller's id and name; nothing is stored (POST it to
    /workflows to create the workflow)."""
    template = templates().get(name)
    if template is None:
        raise ApiError(404, f"Unknown template {name!r}; available: {', '.join(templates())}.")
    wf = parse_workflow({**template["spec"], "id": body.workflow_id, "name": body.name or template.get("title", name)})
    return {"spec": dump_workflow(wf)}
