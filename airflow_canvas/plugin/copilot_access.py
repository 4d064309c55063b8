"""What a co-pilot user may see besides the workflow, asked of Airflow's auth manager with the same
checks the routes that show those things make: published tools (GET /tools: read on Canvas Tools),
the operator and notifier catalogues (GET /catalogue/*: read on Canvas Workflows), the Airflow
connections and pools Airflow itself lets the user read, and whether they may save code (edit on
Canvas Code). Only the LLM engine uses it, so offline turns do not pay for it."""

from __future__ import annotations

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser

from airflow_canvas.copilot.context import Access
from airflow_canvas.plugin.airflow_resources import may_read, visible_connection_ids
from airflow_canvas.plugin.authz import is_allowed
from airflow_canvas.store.permissions import CODE, TOOLS, WORKFLOWS


def copilot_access(user: BaseUser) -> Access:
    # Connections and pools: the same decision validation's design-time checks use
    # (plugin/airflow_resources.py), so what the model is told and what validation names agree.
    return Access(
        tools=is_allowed(user, TOOLS, "read"),
        catalogue=is_allowed(user, WORKFLOWS, "read"),
        connection_ids=visible_connection_ids(user),
        pools=may_read(user, "pool"),
        code=is_allowed(user, CODE, "edit"),
    )
