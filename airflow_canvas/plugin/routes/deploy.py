"""Environments, deploy (compile + atomic write + import check, recorded), undeploy, history.
Redeploying an older version is how a deployment is rolled back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, Query, status
from pydantic import Field

from airflow_canvas.plugin import config
from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deployments import (
    CodeNotConfirmed,
    DeployFailed,
    DuplicateDagId,
    deploy_version,
    review_code,
)
from airflow_canvas.plugin.deps import PageDep, SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.service.audit import audit
from airflow_canvas.store import repository as repo
from airflow_canvas.store.models import DeploymentRow, VersionRow
from airflow_canvas.store.permissions import DEPLOYMENTS

router = APIRouter(tags=["deploy"])

# Where a workflow is deployed, by whom, and which folders exist is deployment data: it needs the
# Deployments read permission, not only Workflows read.
Reader = Annotated[BaseUser, Depends(requires(DEPLOYMENTS, "read"))]
Deployer = Annotated[BaseUser, Depends(requires(DEPLOYMENTS, "edit"))]


class DeployBody(RequestBody):
    environment: str = Field("dev", max_length=250)
    version: int | None = Field(None, ge=1, description="Defaults to main's head; an older one rolls back.")
    confirm_code: str | None = Field(
        None,
        max_length=128,
        description="The hash of the code changes this deploy makes (from GET .../deploy/preview or the "
        "428 refusal): required when the deploy changes executable code.",
    )


def _environment(name: str) -> Path:
    try:
        envs = config.environments()
    except config.ConfigError as exc:
        raise ApiError(500, str(exc)) from None
    if name not in envs:
        raise ApiError(404, f"Unknown environment {name!r}; configured: {', '.join(sorted(envs))}.")
    return envs[name]


def deployment_json(row: DeploymentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "workflow_id": row.workflow_id,
        "version": row.version_number,
        "environment": row.environment,
        "state": row.state,
        "dag_id": row.dag_id,
        "path": row.path,
        "spec_hash": row.spec_hash,
        "error": row.error,
        "deployed_by": row.deployed_by,
        "deployed_at": row.deployed_at.isoformat() if row.deployed_at else None,
    }


@router.get("/environments")
def list_environments(user: Reader) -> dict[str, Any]:
    try:
        envs = config.environments()
    except config.ConfigError as exc:
        raise ApiError(500, str(exc)) from None
    return {"items": [{"name": n, "folder": str(p)} for n, p in sorted(envs.items())]}


@router.post("/workflows/{workflow_id}/deploy", status_code=status.HTTP_201_CREATED)
def deploy(workflow_id: str, body: DeployBody, user: Deployer, session: SessionDep) -> dict[str, Any]:
    folder = _environment(body.environment)
    row = _version(session, workflow_id, body.version)
    try:
        done = deploy_version(
            session,
            row,
            environment=body.environment,
            folder=folder,
            user=user,
            confirm_code=body.confirm_code,
        )
    except CodeNotConfirmed as exc:
        # 428: confirm and resend; 409: the confirmation was for other code (someone changed it since).
        raise ApiError(409 if exc.stale else 428, str(exc), **exc.review.to_dict()) from None
    except DeployFailed as exc:
        if isinstance(exc.cause, DuplicateDagId):
            raise ApiError(409, str(exc.cause), dag_id=exc.cause.dag_id, file=exc.cause.fileloc) from None
        raise ApiError(
            422,
            f"Deploy of version {row.number} failed; the deployed file is unchanged: {exc}",
            exc.problems,
            details=exc.details[-4000:],
        ) from None
    return deployment_json(done)


@router.get("/workflows/{workflow_id}/deploy/preview")
def deploy_preview(
    workflow_id: str,
    user: Deployer,
    session: SessionDep,
    environment: Annotated[str, Query(max_length=250)] = "dev",
    version: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    """The executable code that deploying ``version`` (main's head by default) to ``environment``
    changes, compared with the version deployed there now (all of it for a first deploy), and the
    ``confirm_code`` a deploy must carry to approve exactly that code."""
    _environment(environment)
    return review_code(session, _version(session, workflow_id, version), environment).to_dict()


def _version(session: SessionDep, workflow_id: str, version: int | None) -> VersionRow:
    return repo.get_version(session, workflow_id, version) if version else repo.head(session, workflow_id)


@router.delete("/workflows/{workflow_id}/deploy/{environment}")
def undeploy(workflow_id: str, environment: str, user: Deployer, session: SessionDep) -> dict[str, Any]:
    from airflow_canvas.compiler.deploy import DeployError, undeploy_workflow

    folder = _environment(environment)
    repo.get_workflow(session, workflow_id)
    current = repo.current_deployments(session, workflow_id).get(environment)
    if current is None or current.state != "deployed":
        raise ApiError(404, f"Workflow {workflow_id!r} is not deployed to {environment!r}.")
    session.rollback()
    try:
        undeploy_workflow(current.dag_id or workflow_id, folder)
    except DeployError as exc:  # the file there is not ours: never delete it
        raise ApiError(409, str(exc)) from None
    done = repo.record_deployment(
        session,
        workflow_id=workflow_id,
        version_number=current.version_number,
        environment=environment,
        state="undeployed",
        dag_id=current.dag_id,
        deployed_by=user.get_name(),
    )
    audit(
        "canvas.workflow.undeploy",
        user=user,
        workflow_id=workflow_id,
        version=current.version_number,
        environment=environment,
    )
    return deployment_json(done)


@router.get("/workflows/{workflow_id}/deployments")
def list_deployments(workflow_id: str, user: Reader, session: SessionDep, page: PageDep) -> dict[str, Any]:
    repo.get_workflow(session, workflow_id)
    rows, total = repo.list_deployments(session, workflow_id, offset=page.offset, limit=page.limit)
    current = {
        env: deployment_json(d)
        for env, d in repo.current_deployments(session, workflow_id).items()
        if d.state == "deployed"
    }
    return {
        "items": [deployment_json(r) for r in rows],
        "total": total,
        "current": current,
        "offset": page.offset,
        "limit": page.limit,
    }
