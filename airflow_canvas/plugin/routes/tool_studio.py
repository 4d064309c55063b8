"""The tool studio's own routes: static checks of a tool being written (the editor's inline errors
and the publish dialog's suggested version) and which workflows use each version of a tool.

The check never runs the tool's code (tools/check.py only parses it); it is "edit" on Canvas Tools
because only the studio's editor needs it. Usage is "read" on Canvas Tools, and lists workflows only
to a caller who may also read workflows."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends

from airflow_canvas.plugin.api_models import tool_studio as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import is_allowed, requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.spec.models import Tool
from airflow_canvas.store import tools as store
from airflow_canvas.store.permissions import TOOLS, WORKFLOWS
from airflow_canvas.store.tool_usage import tool_usage
from airflow_canvas.tools.check import check_tool, publish_preview

router = APIRouter(tags=["tools"])
Reader = Annotated[BaseUser, Depends(requires(TOOLS, "read"))]
Editor = Annotated[BaseUser, Depends(requires(TOOLS, "edit"))]


class CheckBody(RequestBody):
    tool: dict[str, Any]  # a Tool's JSON as being edited: checking it is the point, so not parsed here


@router.post("/tools/check", response_model=out.ToolCheck, responses=errors())
def check(body: CheckBody, user: Editor, session: SessionDep) -> dict[str, Any]:
    """Syntax errors (line and column), a missing entry point, invalid JSON Schemas, assertions
    that do not parse, test inputs that do not fit; and what publishing this body would need."""
    diagnostics = [d.to_dict() for d in check_tool(body.tool)]
    preview = None
    try:
        tool = Tool.model_validate(body.tool)
    except ValueError:
        tool = None
    if tool is not None and not store._builtin(tool.name):
        preview = publish_preview(tool, store.published_tools(session, tool.name))
    ok = not any(d["severity"] == "error" for d in diagnostics)
    return {"ok": ok, "diagnostics": diagnostics, "publish": preview}


@router.get("/tools/{name}/usage", response_model=out.ToolUsage, responses=errors(404))
def usage(name: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    """The workflows (head of each branch) whose tool nodes or agents use ``name``, per version."""
    store.list_versions(session, name)  # 404 for an unknown tool
    if not is_allowed(user, WORKFLOWS, "read"):
        return {"name": name, "visible": False, "items": [], "total": 0}
    items = [u.to_dict() for u in tool_usage(session, name)]
    return {"name": name, "visible": True, "items": items, "total": len(items)}
