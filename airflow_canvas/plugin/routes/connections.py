"""The connection picker (issue 17, item 4): the Airflow connections a tool or operator field may
name, filtered by the connection type it needs. Only ids, types and descriptions, and only for a
user whom Airflow lets read connections (plugin/airflow_resources.may_read, the check behind
Airflow's own GET /api/v2/connections and behind validation's design-time connection checks).
Secrets never leave Airflow: the query does not select host, login, password or extra."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, Query

from airflow_canvas.plugin.airflow_resources import connection_choices
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.api_models.connections import ConnectionChoices
from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["connections"])
Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]
MAX_TYPES = 20


@router.get("/connections", response_model=ConnectionChoices, responses=errors())
def list_connections(
    user: Reader,
    session: SessionDep,
    conn_type: Annotated[
        list[str],
        Query(
            max_length=MAX_TYPES, description="Only connections of these types (repeat or comma-separate)."
        ),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
) -> dict[str, Any]:
    types = sorted({t.strip() for value in conn_type for t in value.split(",") if t.strip()})
    if len(types) > MAX_TYPES:
        raise ApiError(422, f"conn_type: at most {MAX_TYPES} connection types, not {len(types)}.")
    choices, readable, complete = connection_choices(user, session, frozenset(types))
    return {"connections": choices, "conn_types": types, "readable": readable, "complete": complete}
