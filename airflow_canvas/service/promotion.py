"""Promotion: an environment that ``requires`` another takes only a version proven there.

Deploying version V of a workflow to an environment with ``"requires": "staging"`` needs
- V to be the version deployed to staging now (the latest deploy/undeploy record there), and
- the latest run of staging's DAG (the dag_id recorded by that deploy, read through Airflow's
  DagRun model) to have succeeded, and to have been queued after V was deployed there (a run of the
  code staging had before proves nothing about V).

The rule holds for every way of deploying: the API, the CLI, an explicit older version (a rollback
is a deploy of that version, so it too must be what staging runs now). Protected environments need
their own permission on top ("Canvas Deploy <name>", store/permissions.py): the API route and the
CLI check it; this module only states the rule."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_canvas.service.environments import Environment
from airflow_canvas.service.errors import ServiceError
from airflow_canvas.store import repository as repo
from airflow_canvas.store.models import VersionRow


def deploy_resource(environment: str) -> str:
    """The FAB resource whose ``can_edit`` a protected environment's deploy needs."""
    from airflow_canvas.store.permissions import deploy_resource as name

    return name(environment)


class PromotionRefused(ServiceError):
    """The version is not proven in the environment this one requires; nothing was done."""

    def __init__(self, environment: str, required: str, version: int, reason: str):
        self.environment = environment
        self.required = required
        self.version = version
        super().__init__(
            f"Version {version} cannot be deployed to {environment!r}: it must first be deployed to "
            f"{required!r} and its latest run there must succeed; {reason}"
        )


class DeployNotPermitted(ServiceError):
    """A protected environment and a user without its permission."""

    def __init__(self, environment: str, user: str):
        self.environment = environment
        super().__init__(
            f"Environment {environment!r} is protected: deploying to it needs the 'edit' permission on "
            f"'{deploy_resource(environment)}', which {user!r} lacks (an Admin grants it to a role; "
            "`airflow-canvas sync-permissions` creates it after the environment is marked protected)."
        )


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite hands back naive UTC
        return value.replace(tzinfo=timezone.utc)
    return value


def latest_run(dag_id: str) -> Any | None:
    """The most recently created DagRun of ``dag_id``, or None."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as db:
        run = db.scalars(
            select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).limit(1)
        ).first()
        if run is not None:
            db.expunge(run)
        return run


def check_promotion(session: Session, env: Environment, row: VersionRow) -> None:
    """Raise PromotionRefused unless ``row`` may be deployed to ``env`` (module docstring)."""
    required = env.requires
    if required is None:
        return
    current = repo.current_deployments(session, row.workflow_id).get(required)

    def refuse(reason: str) -> PromotionRefused:
        return PromotionRefused(env.name, required, row.number, reason)

    if current is None or current.state != "deployed":
        raise refuse(f"nothing of this workflow is deployed to {required!r}.")
    if current.version_number != row.number:
        raise refuse(f"{required!r} runs version {current.version_number}.")
    run = latest_run(current.dag_id or row.workflow_id)
    deployed_at = _utc(current.deployed_at)
    if run is None:
        raise refuse(f"DAG {current.dag_id!r} has not run in {required!r} yet.")
    started = _utc(run.queued_at or run.start_date or run.run_after)
    if deployed_at is not None and (started is None or started < deployed_at):
        raise refuse(
            f"the latest run of {current.dag_id!r} ({run.run_id}) was queued before version "
            f"{row.number} was deployed there."
        )
    state = str(getattr(run.state, "value", run.state))
    if state != "success":
        raise refuse(f"the latest run of {current.dag_id!r} ({run.run_id}) is {state!r}, not 'success'.")


def promotion_status(session: Session, env: Environment, row: VersionRow) -> dict[str, Any]:
    """For the code review: does ``env`` require another environment, and would ``row`` pass?"""
    if env.requires is None:
        return {"requires": None, "allowed": True, "reason": None}
    try:
        check_promotion(session, env, row)
    except PromotionRefused as exc:
        return {"requires": env.requires, "allowed": False, "reason": str(exc)}
    return {"requires": env.requires, "allowed": True, "reason": None}
