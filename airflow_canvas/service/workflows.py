"""Create, save (a new version on a branch), rollback, merge, duplicate, delete and branch a stored
workflow, each with its audit row. Callers pass a validated ``Workflow``; the functions that change
code take ``authorize(before, after)``, called once the change is known and before anything is
written (the API passes its Canvas Code check; the CLI, run from the server's shell, passes none)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from airflow_canvas.service.audit import audit
from airflow_canvas.service.errors import (
    MergeConflicts,
    MergeVersions,
    NothingToMerge,
    SameBranch,
    StillDeployed,
)
from airflow_canvas.spec.models import Workflow
from airflow_canvas.store import repository as repo
from airflow_canvas.store.errors import NotFound
from airflow_canvas.store.merge import Side
from airflow_canvas.store.models import BranchRow, VersionRow
from airflow_canvas.store.serialize import content_hash

# (spec before the change or None for a new workflow, spec after it) -> None, or raises to refuse.
Authorize = Callable[[Workflow | None, Workflow], None]


def _allow(before: Workflow | None, after: Workflow) -> None:
    """No check: the caller is trusted (the CLI) or authorized otherwise."""


def create(
    session: Session,
    user: Any,
    wf: Workflow,
    *,
    message: str = "Created",
    authorize: Authorize = _allow,
    event: str = "canvas.workflow.create",
    **audit_extra: Any,
) -> VersionRow:
    """A new workflow at version 1 (``event``: the audit event, e.g. canvas.workflow.import)."""
    authorize(None, wf)
    row = repo.create_workflow(session, wf, author=user.get_name(), message=message)
    audit(event, user=user, workflow_id=wf.id, version=row.number, **audit_extra)
    return row


def base_spec(session: Session, workflow_id: str, base_version: int, branch: str) -> Workflow:
    """The spec a save started from; when that version is gone the save will be refused as stale,
    so the change is judged against the branch's head."""
    try:
        return repo.load_spec(repo.get_version(session, workflow_id, base_version))
    except NotFound:
        return repo.load_spec(repo.head(session, workflow_id, branch))


def save(
    session: Session,
    user: Any,
    workflow_id: str,
    wf: Workflow,
    *,
    base_version: int,
    branch: str = repo.MAIN,
    message: str = "",
    authorize: Authorize = _allow,
    **audit_extra: Any,
) -> VersionRow:
    """A new version on ``branch``. Raises StaleBase unless ``base_version`` is still its head: so
    the new version differs from its parent by exactly what ``authorize`` was shown."""
    authorize(base_spec(session, workflow_id, base_version, branch), wf)
    session.rollback()
    row = repo.save_version(
        session,
        workflow_id,
        wf,
        base_version=base_version,
        branch=branch,
        author=user.get_name(),
        message=message,
    )
    audit(
        "canvas.workflow.save",
        user=user,
        workflow_id=workflow_id,
        version=row.number,
        branch=branch,
        **audit_extra,
    )
    return row


def store(
    session: Session, user: Any, wf: Workflow, *, message: str, **audit_extra: Any
) -> tuple[VersionRow, str]:
    """Put ``wf`` on main: create it, save a new version when it changed, or leave it. Returns the
    head and "created", "saved" or "unchanged" (``airflow-canvas save`` and ``deploy``)."""
    try:
        head = repo.head(session, wf.id)
    except NotFound:
        return create(session, user, wf, message=message, **audit_extra), "created"
    if head.content_hash == content_hash(wf):
        return head, "unchanged"
    row = save(session, user, wf.id, wf, base_version=head.number, message=message, **audit_extra)
    return row, "saved"


def rollback(
    session: Session,
    user: Any,
    workflow_id: str,
    version: int,
    *,
    branch: str = repo.MAIN,
    base_version: int | None = None,
    message: str = "",
    authorize: Authorize = _allow,
) -> VersionRow:
    """A new version on ``branch`` with ``version``'s spec. Restoring old code is a code change too:
    an old version may hold code removed on review, or saved before the Code permission existed."""
    head = repo.get_branch(session, workflow_id, branch).head_number
    current = base_version or head
    try:
        before = repo.load_spec(repo.get_version(session, workflow_id, current))
    except NotFound:  # the store refuses it as stale; judge the change against the head
        before = repo.load_spec(repo.get_version(session, workflow_id, head))
    authorize(before, repo.load_spec(repo.get_version(session, workflow_id, version)))
    row = repo.rollback_to(
        session,
        workflow_id,
        version,
        author=user.get_name(),
        message=message,
        branch=branch,
        base_version=current,
    )
    audit(
        "canvas.workflow.rollback",
        user=user,
        workflow_id=workflow_id,
        version=row.number,
        rolled_back_to=version,
        branch=branch,
    )
    return row


@dataclass(frozen=True)
class MergePlan:
    workflow_id: str
    source: str
    target: str
    spec: dict[str, Any]  # the merged spec, not yet validated
    source_version: int
    target_version: int
    base_version: int | None  # None: the branches share no version


def plan_merge(
    session: Session, workflow_id: str, source: str, target: str, resolutions: dict[str, Side]
) -> MergePlan:
    """Three-way merge of branch ``source`` into ``target``. Raises SameBranch, or MergeConflicts
    (both sides changed the same node/edge/group field differently) naming them."""
    if source == target:
        raise SameBranch()
    result, src, tgt, base = repo.plan_merge(session, workflow_id, source, target, resolutions)
    if result.conflicts:
        versions: MergeVersions = {"source_version": src, "target_version": tgt, "base_version": base}
        raise MergeConflicts(source, target, [c.to_dict() for c in result.conflicts], versions)
    return MergePlan(workflow_id, source, target, result.spec, src, tgt, base)


def merge(
    session: Session,
    user: Any,
    plan: MergePlan,
    wf: Workflow,
    *,
    message: str = "",
    authorize: Authorize = _allow,
) -> VersionRow:
    """Save the validated merged spec ``wf`` on the target branch. Raises NothingToMerge or StaleBase.
    A merge puts the source branch's code (and combinations no one saved together) on the target."""
    if plan.base_version == plan.source_version:
        versions: MergeVersions = {
            "source_version": plan.source_version,
            "target_version": plan.target_version,
        }
        raise NothingToMerge(plan.source, plan.target, versions)
    authorize(repo.load_spec(repo.get_version(session, plan.workflow_id, plan.target_version)), wf)
    session.rollback()
    row = repo.save_version(
        session,
        plan.workflow_id,
        wf.model_copy(update={"version": None}),
        base_version=plan.target_version,
        branch=plan.target,
        author=user.get_name(),
        message=message or f"Merge {plan.source} into {plan.target}",
        merged_from=plan.source_version,
    )
    audit(
        "canvas.workflow.merge",
        user=user,
        workflow_id=plan.workflow_id,
        version=row.number,
        source=plan.source,
        target=plan.target,
    )
    return row


def duplicate(session: Session, user: Any, workflow_id: str, new_id: str, name: str = "") -> VersionRow:
    source = repo.load_spec(repo.head(session, workflow_id))
    copy = source.model_copy(
        update={"id": new_id, "name": name or f"{source.name or source.id} (copy)", "version": None}
    )
    session.rollback()
    row = repo.create_workflow(
        session, copy, author=user.get_name(), message=f"Duplicated from {workflow_id}"
    )
    audit("canvas.workflow.duplicate", user=user, workflow_id=new_id, version=1, source=workflow_id)
    return row


def delete(session: Session, user: Any, workflow_id: str) -> None:
    """Delete the workflow and its history. Raises StillDeployed while any environment runs it."""
    deployed = [
        env for env, d in repo.current_deployments(session, workflow_id).items() if d.state == "deployed"
    ]
    if deployed:
        raise StillDeployed(workflow_id, deployed)
    repo.delete_workflow(session, workflow_id)
    audit("canvas.workflow.delete", user=user, workflow_id=workflow_id)


def create_branch(
    session: Session, user: Any, workflow_id: str, name: str, *, from_version: int | None = None
) -> BranchRow:
    row = repo.create_branch(session, workflow_id, name, from_version=from_version, author=user.get_name())
    audit("canvas.branch.create", user=user, workflow_id=workflow_id, version=row.head_number, branch=name)
    return row
