"""Write Airflow's audit log (``Log`` rows, shown on the Audit Log page) for canvas changes."""

from __future__ import annotations

import json
from typing import Any

from airflow.models.log import Log
from airflow.utils.session import create_session

from airflow_canvas.store.repository import retry_locked

MAX_EVENT = 60  # Log.event column length


def audit(
    event: str,
    *,
    user: Any,
    workflow_id: str | None = None,
    version: int | None = None,
    environment: str | None = None,
    run_id: str | None = None,
    **extra: Any,
) -> None:
    """One audit row, e.g. ``audit("canvas.workflow.save", user=u, workflow_id="x", version=3)``.
    ``dag_id`` is the workflow id (= its DAG's id) so the row also shows on that DAG's audit log.
    Never pass specs or secrets in ``extra``: it is shown to everyone who can read the log."""
    if len(event) > MAX_EVENT:
        raise ValueError(f"audit event name longer than {MAX_EVENT} characters: {event}")
    name = user.get_name() if user is not None else "anonymous"
    payload = {"workflow_id": workflow_id, "version": version, "environment": environment, **extra}
    payload = {k: v for k, v in payload.items() if v is not None}

    def write() -> None:
        with create_session() as session:
            session.add(
                Log(
                    event=event,
                    owner=name,
                    owner_display_name=name,
                    dag_id=workflow_id,
                    run_id=run_id,
                    extra=json.dumps(payload, default=str),
                )
            )

    retry_locked(write)
