"""What a co-pilot user may see besides the workflow, asked of Airflow's auth manager with the same
checks the routes that show those things make: published tools (GET /tools: read on Canvas Tools),
the operator and notifier catalogues (GET /catalogue/*: read on Canvas Workflows), the Airflow
connections and pools Airflow itself lets the user read, and whether they may save code (edit on
Canvas Code). Only the LLM engine uses it, so offline turns do not pay for it."""

from __future__ import annotations

import logging

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser

from airflow_canvas.copilot.context import Access
from airflow_canvas.plugin.authz import is_allowed
from airflow_canvas.store.permissions import CODE, TOOLS, WORKFLOWS

log = logging.getLogger(__name__)


def copilot_access(user: BaseUser) -> Access:
    from airflow.api_fastapi.app import get_auth_manager

    manager = get_auth_manager()
    connection_ids: frozenset[str] = frozenset()
    try:
        # FabAuthManager's get_authorized_connections returns every conn_id without asking about
        # the user (FAB has no per-connection grants): the resource-level check must come first.
        if manager.is_authorized_connection(method="GET", user=user):
            connection_ids = frozenset(manager.get_authorized_connections(user=user, method="GET"))
    except Exception:  # noqa: BLE001 - no connections listed is the safe answer
        log.warning("co-pilot: could not read the user's authorized connections", exc_info=True)
        connection_ids = frozenset()
    return Access(
        tools=is_allowed(user, TOOLS, "read"),
        catalogue=is_allowed(user, WORKFLOWS, "read"),
        connection_ids=connection_ids,
        pools=bool(manager.is_authorized_pool(method="GET", user=user)),
        code=is_allowed(user, CODE, "edit"),
    )
