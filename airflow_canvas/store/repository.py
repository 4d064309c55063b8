"""Workflows, their immutable versions and branches, and deployment records.

Concurrency: a save is one transaction that first bumps the workflow's version counter (an atomic
UPDATE that also serialises writers on the workflow's row) and then moves the branch head with a
compare-and-swap ``UPDATE ... WHERE head_number = :base``. If the CAS touches no row the base was
stale: the transaction rolls back (counter included) and the caller gets StaleBase. A unique
constraint on (workflow_id, number) backs this up: a version number can never be handed out twice.
Every write starts with an UPDATE so SQLite takes its write lock first (no read-then-upgrade
deadlocks between threads)."""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from airflow_canvas.spec.diff import diff_specs
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow
from airflow_canvas.store.errors import Conflict, NotFound, StaleBase
from airflow_canvas.store.merge import MergeResult, Side, merge_specs
from airflow_canvas.store.models import BranchRow, DeploymentRow, DraftRow, VersionRow, WorkflowRow
from airflow_canvas.store.serialize import full_dict, stored_form
from airflow_canvas.store.session import rowcount

MAIN = "main"
T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def retry_locked(fn: Callable[[], T], attempts: int = 20) -> T:
    """Retry ``fn`` while SQLite reports the database locked (a busy writer in another thread)."""
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if "locked" not in str(exc).lower() or attempt == attempts - 1:
                raise
            time.sleep(min(0.01 * 2**attempt, 0.5))
    raise AssertionError("unreachable")


def load_spec(row: VersionRow) -> Workflow:
    """A stored version as a Workflow, migrated first: rows written by an older release keep their
    older ``spec_version`` and must go through the same upgrades as any other input."""
    return parse_workflow(json.loads(row.spec))


# ---------------------------------------------------------------- reads


def get_workflow(session: Session, workflow_id: str) -> WorkflowRow:
    row = session.get(WorkflowRow, workflow_id)
    if row is None:
        raise NotFound(f"Workflow {workflow_id!r} not found.")
    return row


def get_branch(session: Session, workflow_id: str, branch: str = MAIN) -> BranchRow:
    row = session.get(BranchRow, (workflow_id, branch))
    if row is None:
        get_workflow(session, workflow_id)
        raise NotFound(f"Workflow {workflow_id!r} has no branch {branch!r}.")
    return row


def get_version(session: Session, workflow_id: str, number: int) -> VersionRow:
    row = session.scalar(
        select(VersionRow).where(VersionRow.workflow_id == workflow_id, VersionRow.number == number)
    )
    if row is None:
        get_workflow(session, workflow_id)
        raise NotFound(f"Workflow {workflow_id!r} has no version {number}.")
    return row


def head(session: Session, workflow_id: str, branch: str = MAIN) -> VersionRow:
    return get_version(session, workflow_id, get_branch(session, workflow_id, branch).head_number)


def list_workflows(
    session: Session, *, search: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[dict[str, Any]], int]:
    query = select(WorkflowRow)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(WorkflowRow.id).like(pattern), func.lower(WorkflowRow.name).like(pattern))
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(WorkflowRow.updated_at.desc(), WorkflowRow.id).offset(offset).limit(limit)
    ).all()
    heads = dict(
        session.execute(
            select(BranchRow.workflow_id, BranchRow.head_number).where(
                BranchRow.workflow_id.in_([r.id for r in rows]), BranchRow.name == MAIN
            )
        ).all()
    )
    return [workflow_summary(r, heads.get(r.id)) for r in rows], total


def workflow_summary(row: WorkflowRow, head_version: int | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "head_version": head_version,
    }


def list_versions(
    session: Session, workflow_id: str, *, branch: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[VersionRow], int]:
    get_workflow(session, workflow_id)
    query = select(VersionRow).where(VersionRow.workflow_id == workflow_id)
    if branch:
        query = query.where(VersionRow.branch == branch)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(VersionRow.number.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def list_branches(session: Session, workflow_id: str) -> list[BranchRow]:
    get_workflow(session, workflow_id)
    return list(
        session.scalars(
            select(BranchRow).where(BranchRow.workflow_id == workflow_id).order_by(BranchRow.name)
        )
    )


def diff_versions(session: Session, workflow_id: str, a: int, b: int) -> dict[str, Any]:
    before = full_dict(load_spec(get_version(session, workflow_id, a)))
    after = full_dict(load_spec(get_version(session, workflow_id, b)))
    return diff_specs(before, after)


# ---------------------------------------------------------------- writes


def _version_row(
    wf: Workflow,
    workflow_id: str,
    number: int,
    branch: str,
    author: str,
    message: str,
    parent: int | None,
    merged: int | None = None,
) -> VersionRow:
    text, digest = stored_form(wf, number)
    return VersionRow(
        workflow_id=workflow_id,
        number=number,
        branch=branch,
        author=author,
        message=message,
        created_at=_now(),
        parent_number=parent,
        merged_number=merged,
        spec=text,
        content_hash=digest,
    )


def create_workflow(session: Session, wf: Workflow, *, author: str, message: str = "Created") -> VersionRow:
    """Version 1 of a new workflow on branch ``main``. Conflict when the id is taken."""
    now = _now()

    def attempt() -> VersionRow:
        try:
            session.add(
                WorkflowRow(
                    id=wf.id,
                    name=wf.name,
                    description=wf.description,
                    created_by=author,
                    created_at=now,
                    updated_at=now,
                    version_counter=1,
                )
            )
            session.flush()
            session.add(
                BranchRow(
                    workflow_id=wf.id,
                    name=MAIN,
                    head_number=1,
                    base_number=None,
                    created_by=author,
                    created_at=now,
                )
            )
            row = _version_row(wf, wf.id, 1, MAIN, author, message, None)
            session.add(row)
            session.commit()
            return row
        except IntegrityError:
            session.rollback()
            raise Conflict(f"A workflow with id {wf.id!r} already exists.") from None
        except OperationalError:
            session.rollback()
            raise

    return retry_locked(attempt)


def save_version(
    session: Session,
    workflow_id: str,
    wf: Workflow,
    *,
    base_version: int,
    branch: str = MAIN,
    author: str,
    message: str,
    merged_from: int | None = None,
) -> VersionRow:
    """Append a version on ``branch`` if its head is still ``base_version``; else StaleBase."""
    if wf.id != workflow_id:
        raise Conflict(
            f"The spec's id {wf.id!r} differs from the workflow {workflow_id!r}; use duplicate to copy it."
        )

    def attempt() -> VersionRow:
        try:
            values: dict[str, Any] = {
                "version_counter": WorkflowRow.version_counter + 1,
                "updated_at": _now(),
            }
            if branch == MAIN:  # the workflow's listed name and description follow main
                values |= {"name": wf.name, "description": wf.description}
            bumped = session.execute(
                update(WorkflowRow).where(WorkflowRow.id == workflow_id).values(**values)
            )
            if rowcount(bumped) == 0:
                raise NotFound(f"Workflow {workflow_id!r} not found.")
            number = session.scalars(
                select(WorkflowRow.version_counter).where(WorkflowRow.id == workflow_id)
            ).one()
            moved = session.execute(
                update(BranchRow)
                .where(
                    BranchRow.workflow_id == workflow_id,
                    BranchRow.name == branch,
                    BranchRow.head_number == base_version,
                )
                .values(head_number=number)
            )
            if rowcount(moved) != 1:
                session.rollback()
                current = get_branch(session, workflow_id, branch).head_number
                session.rollback()
                raise StaleBase(workflow_id, branch, base_version, current)
            row = _version_row(wf, workflow_id, number, branch, author, message, base_version, merged_from)
            session.add(row)
            session.commit()
            return row
        except (NotFound, StaleBase, OperationalError):
            session.rollback()
            raise

    return retry_locked(attempt)


def rollback_to(
    session: Session,
    workflow_id: str,
    number: int,
    *,
    author: str,
    message: str,
    branch: str = MAIN,
    base_version: int | None = None,
) -> VersionRow:
    """A new version on ``branch`` whose content is version ``number``: history is never rewritten."""
    old = load_spec(get_version(session, workflow_id, number)).model_copy(update={"version": None})
    base = base_version if base_version is not None else get_branch(session, workflow_id, branch).head_number
    session.rollback()  # end the read transaction: the save must start with its UPDATE
    return save_version(
        session,
        workflow_id,
        old,
        base_version=base,
        branch=branch,
        author=author,
        message=message or f"Rollback to version {number}",
    )


def create_branch(
    session: Session, workflow_id: str, name: str, *, from_version: int | None, author: str
) -> BranchRow:
    start = from_version if from_version is not None else get_branch(session, workflow_id, MAIN).head_number
    get_version(session, workflow_id, start)
    row = BranchRow(
        workflow_id=workflow_id,
        name=name,
        head_number=start,
        base_number=start,
        created_by=author,
        created_at=_now(),
    )

    def attempt() -> BranchRow:
        try:
            session.add(row)
            session.commit()
            return row
        except IntegrityError:
            session.rollback()
            raise Conflict(f"Workflow {workflow_id!r} already has a branch {name!r}.") from None

    return retry_locked(attempt)


def _ancestors(parents: dict[int, tuple[int | None, int | None]], number: int) -> list[int]:
    """Version numbers reachable from ``number`` through parents and merge parents, nearest first."""
    seen: dict[int, None] = {}  # insertion-ordered set
    frontier = deque([number])
    while frontier:
        n = frontier.popleft()
        if n in seen or n not in parents:
            continue
        seen[n] = None
        frontier.extend(x for x in parents[n] if x is not None)
    return list(seen)


def common_ancestor(session: Session, workflow_id: str, a: int, b: int) -> int | None:
    parents = {
        n: (p, m)
        for n, p, m in session.execute(
            select(VersionRow.number, VersionRow.parent_number, VersionRow.merged_number).where(
                VersionRow.workflow_id == workflow_id
            )
        )
    }
    theirs = set(_ancestors(parents, b))
    return next((n for n in _ancestors(parents, a) if n in theirs), None)


def plan_merge(
    session: Session,
    workflow_id: str,
    source: str,
    target: str,
    resolutions: dict[str, Side] | None = None,
) -> tuple[MergeResult, int, int, int | None]:
    """The merge of branch ``source`` into ``target``: (result, source head, target head, ancestor)."""
    src = get_branch(session, workflow_id, source).head_number
    tgt = get_branch(session, workflow_id, target).head_number
    base = common_ancestor(session, workflow_id, tgt, src)
    base_spec = full_dict(load_spec(get_version(session, workflow_id, base))) if base is not None else {}
    result = merge_specs(
        base_spec,
        full_dict(load_spec(get_version(session, workflow_id, tgt))),
        full_dict(load_spec(get_version(session, workflow_id, src))),
        resolutions,
    )
    return result, src, tgt, base


def delete_workflow(session: Session, workflow_id: str) -> None:
    get_workflow(session, workflow_id)
    session.rollback()

    def attempt() -> None:
        # Children first: SQLite enforces foreign keys only when asked to, other databases always do.
        session.execute(delete(BranchRow).where(BranchRow.workflow_id == workflow_id))
        session.execute(delete(DraftRow).where(DraftRow.workflow_id == workflow_id))
        session.execute(delete(VersionRow).where(VersionRow.workflow_id == workflow_id))
        session.execute(delete(WorkflowRow).where(WorkflowRow.id == workflow_id))
        session.commit()

    retry_locked(attempt)


# ---------------------------------------------------------------- deployments


def record_deployment(session: Session, **fields: Any) -> DeploymentRow:
    row = DeploymentRow(
        deployed_at=_now(), **{"error": "", "path": "", "spec_hash": "", "dag_id": "", **fields}
    )

    def attempt() -> DeploymentRow:
        session.add(row)
        session.commit()
        return row

    return retry_locked(attempt)


def list_deployments(
    session: Session, workflow_id: str, *, offset: int = 0, limit: int = 50
) -> tuple[list[DeploymentRow], int]:
    query = select(DeploymentRow).where(DeploymentRow.workflow_id == workflow_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(DeploymentRow.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def current_deployments(session: Session, workflow_id: str) -> dict[str, DeploymentRow]:
    """The latest successful deploy/undeploy record per environment."""
    rows = session.scalars(
        select(DeploymentRow)
        .where(DeploymentRow.workflow_id == workflow_id, DeploymentRow.state != "failed")
        .order_by(DeploymentRow.id)
    ).all()
    latest: dict[str, DeploymentRow] = {}
    for row in rows:
        latest[row.environment] = row
    return latest
