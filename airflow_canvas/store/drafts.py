"""Drafts: each user's unsaved edit of a workflow, keyed by (workflow, username). Every function
takes the username, so one user's draft is never read, written or deleted through another's call."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from airflow_canvas.store.models import DraftRow
from airflow_canvas.store.repository import get_workflow, retry_locked
from airflow_canvas.store.session import rowcount


def get_draft(session: Session, workflow_id: str, username: str) -> DraftRow | None:
    """``username``'s draft of the workflow, or None. Raises NotFound when the workflow is gone."""
    get_workflow(session, workflow_id)
    return session.scalar(
        select(DraftRow).where(DraftRow.workflow_id == workflow_id, DraftRow.username == username)
    )


def put_draft(
    session: Session,
    workflow_id: str,
    username: str,
    spec: dict[str, Any],
    *,
    base_version: int | None,
    branch: str,
) -> DraftRow:
    """Create or overwrite ``username``'s draft (the last autosave wins: it is one person's edit)."""
    get_workflow(session, workflow_id)
    text = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    session.rollback()

    def attempt() -> DraftRow:
        # Delete then insert in one transaction: an upsert without dialect-specific SQL, and the
        # DELETE takes SQLite's write lock first (as repository's writes start with an UPDATE).
        session.execute(
            delete(DraftRow).where(DraftRow.workflow_id == workflow_id, DraftRow.username == username)
        )
        row = DraftRow(
            workflow_id=workflow_id,
            username=username,
            branch=branch,
            base_version=base_version,
            spec=text,
            updated_at=datetime.now(timezone.utc),
        )
        session.add(row)
        session.commit()
        return row

    try:
        return retry_locked(attempt)
    except Exception:
        session.rollback()
        raise


def delete_draft(session: Session, workflow_id: str, username: str) -> bool:
    """Remove ``username``'s draft; whether there was one."""
    session.rollback()

    def attempt() -> int:
        n = rowcount(
            session.execute(
                delete(DraftRow).where(DraftRow.workflow_id == workflow_id, DraftRow.username == username)
            )
        )
        session.commit()
        return n

    return retry_locked(attempt) > 0


def draft_spec(row: DraftRow) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(row.spec)
    return spec
