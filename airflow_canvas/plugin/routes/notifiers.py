"""GET /catalogue/notifiers: the Airflow notifier classes installed here, with the spec fields
they take and a JSON Schema of their other arguments, for the canvas's notification editor."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends

from airflow_canvas.plugin.api_models.catalogue import NotifierPage
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires
from airflow_canvas.policies.notifiers import notifier_catalogue
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["notifiers"])

Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]


@router.get("/catalogue/notifiers", response_model=NotifierPage, responses=errors())
def list_notifiers(user: Reader) -> dict[str, Any]:
    items = [entry.to_dict() for entry in notifier_catalogue()]
    return {"items": items, "total": len(items)}
