"""Write Airflow's audit log (``Log`` rows, shown on the Audit Log page) for canvas changes.

Who sees a row is decided by Airflow, not by us: ``GET /api/v2/eventLogs`` (and so the Audit Log
page) returns the rows whose ``dag_id`` is a DAG the reader may read, plus every row whose
``dag_id`` is NULL (``PermittedEventLogFilter`` in ``airflow.api_fastapi.core_api.security``), to
anyone holding "can_read on Audit Logs" (FAB: Admin by default). A DAG the reader may read must exist
in Airflow's ``dag`` table, so a row carrying the id of a workflow that was never deployed would be
shown to nobody at all.

Hence: while a workflow has no DAG in Airflow, its rows carry ``dag_id`` NULL (the workflow id is
in ``extra``) and every audit-log reader sees them. Once its DAG exists (deployed and parsed, even if
later undeployed), its rows carry ``dag_id`` = the workflow id: they are on that DAG's own audit tab
and hidden from readers Airflow does not let read that DAG (FAB per-DAG permissions). The first such
row also moves the workflow's earlier rows onto its DAG (only their ``dag_id``; nothing else in an
audit row is ever rewritten), so the DAG's tab shows its whole canvas history from creation on, and
a reader barred from the DAG stops seeing that history."""

from __future__ import annotations

import json
from typing import Any, TypedDict

from airflow.models.log import Log
from airflow.utils.session import create_session
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from airflow_canvas.store.repository import retry_locked

MAX_EVENT = 60  # Log.event column length
PREFIX = "canvas."  # every canvas event name starts with it


def _dag_exists(session: Session, dag_id: str) -> bool:
    from airflow.models.dag import DagModel

    return session.scalar(select(DagModel.dag_id).where(DagModel.dag_id == dag_id)) is not None


def _move_earlier_rows_to_dag(session: Session, workflow_id: str) -> None:
    """Give the workflow's rows written before its DAG existed the DAG's id; once per workflow
    (after that its rows already carry it), so the scan of canvas rows is not paid on every write."""
    mine = Log.dag_id == workflow_id
    if session.scalar(select(Log.id).where(mine, Log.event.startswith(PREFIX)).limit(1)) is not None:
        return
    # extra is written by audit() below with workflow_id as its first key; the LIKE narrows the
    # scan, the JSON check is exact (LIKE is case-insensitive on SQLite).
    head = '{"workflow_id": ' + json.dumps(workflow_id)
    rows = session.execute(
        select(Log.id, Log.extra).where(
            Log.dag_id.is_(None),
            Log.event.startswith(PREFIX),
            Log.extra.startswith(head, autoescape=True),
        )
    ).all()
    ids = [row.id for row in rows if _workflow_of(row.extra) == workflow_id]
    if ids:
        session.execute(update(Log).where(Log.id.in_(ids)).values(dag_id=workflow_id))


def _workflow_of(extra: str | None) -> str | None:
    try:
        value = json.loads(extra or "{}")
    except ValueError:
        return None
    return value.get("workflow_id") if isinstance(value, dict) else None


class AuditScope(TypedDict):
    """What a deploy's audit rows are about (``audit(event, user=u, **scope)``)."""

    workflow_id: str
    version: int
    environment: str


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
    ``dag_id`` is the workflow id once Airflow knows a DAG of that id, else NULL (module docstring).
    Never pass specs or secrets in ``extra``: it is shown to everyone who can read the row."""
    if len(event) > MAX_EVENT or not event.startswith(PREFIX):
        raise ValueError(f"audit event names start with {PREFIX!r}, at most {MAX_EVENT} characters: {event}")
    name = user.get_name() if user is not None else "anonymous"
    payload = {"workflow_id": workflow_id, "version": version, "environment": environment, **extra}
    payload = {k: v for k, v in payload.items() if v is not None}

    def write() -> None:
        with create_session() as session:
            dag_id = workflow_id if workflow_id is not None and _dag_exists(session, workflow_id) else None
            if dag_id is not None:
                _move_earlier_rows_to_dag(session, dag_id)
            session.add(
                Log(
                    event=event,
                    owner=name,
                    owner_display_name=name,
                    dag_id=dag_id,
                    run_id=run_id,
                    extra=json.dumps(payload, default=str),
                )
            )

    retry_locked(write)
