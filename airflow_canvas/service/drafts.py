"""Each user's server-side draft of a workflow: what the editor autosaves while you edit and offers
back when you reopen the workflow (in any tab, on any machine).

Not audited, on purpose: a draft is private scratch state that only its author can read, it changes
nothing anyone else sees, runs or deploys, and an autosave every few seconds would bury the audit
log. What matters is audited where it happens: saving a version from a draft goes through the
normal save (with its Canvas Code check and its ``canvas.workflow.save`` row), and that save
deletes the author's draft (``discard``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from airflow_canvas.store import drafts as store


def _owner(user: Any) -> str:
    name: str = user.get_name()
    return name


def get(session: Session, user: Any, workflow_id: str) -> dict[str, Any] | None:
    """The caller's own draft of the workflow as the API answers it, or None."""
    row = store.get_draft(session, workflow_id, _owner(user))
    return None if row is None else as_json(row)


def put(
    session: Session,
    user: Any,
    workflow_id: str,
    spec: dict[str, Any],
    *,
    base_version: int | None,
    branch: str,
) -> dict[str, Any]:
    """Store (overwrite) the caller's draft. The spec is not validated: a draft may be mid-edit."""
    row = store.put_draft(session, workflow_id, _owner(user), spec, base_version=base_version, branch=branch)
    return as_json(row)


def discard(session: Session, user: Any, workflow_id: str) -> bool:
    """Delete the caller's draft (also after a real save of a version); whether there was one."""
    return store.delete_draft(session, workflow_id, _owner(user))


def as_json(row: Any) -> dict[str, Any]:
    return {
        "workflow_id": row.workflow_id,
        "branch": row.branch,
        "base_version": row.base_version,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "spec": store.draft_spec(row),
    }
