"""Each user's server-side draft of a workflow: what the editor autosaves while you edit and offers
back when you reopen the workflow (in any tab, on any machine).

Audited where a draft begins and where it is thrown away (``canvas.draft.create``,
``canvas.draft.discard``), not at every autosave: a draft is private scratch state that only its
author can read, it changes nothing anyone else sees, runs or deploys, and a row every few seconds
would bury the audit log. Saving a version from a draft goes through the normal save (with its
Canvas Code check and its ``canvas.workflow.save`` row), and that save deletes the author's draft."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from airflow_canvas.service.audit import audit
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
    new = store.get_draft(session, workflow_id, _owner(user)) is None
    row = store.put_draft(session, workflow_id, _owner(user), spec, base_version=base_version, branch=branch)
    if new:
        audit(
            "canvas.draft.create",
            user=user,
            workflow_id=workflow_id,
            base_version=base_version,
            branch=branch,
        )
    return as_json(row)


def discard(session: Session, user: Any, workflow_id: str, *, reason: str = "discarded") -> bool:
    """Delete the caller's draft (also after a real save of a version: ``reason="saved"``); whether
    there was one."""
    deleted = store.delete_draft(session, workflow_id, _owner(user))
    if deleted:
        audit("canvas.draft.discard", user=user, workflow_id=workflow_id, reason=reason)
    return deleted


def as_json(row: Any) -> dict[str, Any]:
    return {
        "workflow_id": row.workflow_id,
        "branch": row.branch,
        "base_version": row.base_version,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "spec": store.draft_spec(row),
    }
