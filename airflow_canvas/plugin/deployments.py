"""Deploy one stored version to an environment's folder and record it: the deployment row and the
audit row, for success and failure alike. The API's deploy route and `airflow-canvas save --deploy`
both go through here, so the two can never record a deploy differently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from airflow_canvas.plugin.audit import audit
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.store import repository as repo
from airflow_canvas.store.models import DeploymentRow, VersionRow


class DeployFailed(Exception):
    """The deploy was refused; the failure is recorded and the deployed file is unchanged."""

    def __init__(self, cause: Exception):
        self.cause = cause
        self.problems = getattr(cause, "problems", None) or []
        self.details: str = getattr(cause, "details", "") or ""
        super().__init__(str(cause))


def deploy_version(
    session: Session, row: VersionRow, *, environment: str, folder: Path, user: Any, **audit_extra: Any
) -> DeploymentRow:
    from airflow_canvas.compiler.deploy import DeployError, deploy_workflow

    wf = repo.load_spec(row)
    session.rollback()  # no read transaction held open (SQLite) while the import check runs
    record = {
        "workflow_id": row.workflow_id,
        "version_number": row.number,
        "environment": environment,
        "deployed_by": user.get_name(),
    }
    where = {"workflow_id": row.workflow_id, "version": row.number, "environment": environment}
    try:
        result = deploy_workflow(wf, folder)
    except (DeployError, SpecError) as exc:
        repo.record_deployment(session, state="failed", error=str(exc)[:4000], **record)
        audit("canvas.workflow.deploy_failed", user=user, **where, **audit_extra)
        raise DeployFailed(exc) from None
    done = repo.record_deployment(
        session,
        state="deployed",
        dag_id=result.dag_id,
        path=str(result.path),
        spec_hash=result.spec_hash,
        **record,
    )
    audit("canvas.workflow.deploy", user=user, **where, **audit_extra)
    return done
