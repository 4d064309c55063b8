"""Environments, deploy (compile + atomic write + import check, recorded), undeploy, history.
Redeploying an older version is how a deployment is rolled back."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, Query, status
from pydantic import Field

from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import PageDep, SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.service import deployments, environments
from airflow_canvas.store import repository as repo
from airflow_canvas.store.models import DeploymentRow
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


def _environment(name: str) -> None:
    """404 for an unknown environment, 500 for a malformed ``environments`` setting."""
    try:
        environments.environment_folder(name)
    except environments.ConfigError as exc:
        raise ApiError(500, str(exc)) from None
    except environments.UnknownEnvironment as exc:
        raise ApiError(404, str(exc)) from None


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
        envs = environments.environments()
    except environments.ConfigError as exc:
        raise ApiError(500, str(exc)) from None
    return {"items": [{"name": n, "folder": str(p)} for n, p in sorted(envs.items())]}


@router.post("/workflows/{workflow_id}/deploy", status_code=status.HTTP_201_CREATED)
def deploy(workflow_id: str, body: DeployBody, user: Deployer, session: SessionDep) -> dict[str, Any]:
    _environment(body.environment)
    try:
        done = deployments.deploy(
            session,
            user,
            workflow_id,
            environment=body.environment,
            version=body.version,
            confirm_code=body.confirm_code,
        )
    except deployments.CodeNotConfirmed as exc:
        # 428: confirm and resend; 409: the confirmation was for other code (someone changed it since).
        raise ApiError(409 if exc.stale else 428, str(exc), **exc.review.to_dict()) from None
    except deployments.DeployFailed as exc:
        if isinstance(exc.cause, deployments.DuplicateDagId):
            raise ApiError(409, str(exc.cause), dag_id=exc.cause.dag_id, file=exc.cause.fileloc) from None
        raise ApiError(
            422,
            f"Deploy of version {exc.version} failed; the deployed file is unchanged: {exc}",
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
    row = deployments.version_to_deploy(session, workflow_id, version)
    return deployments.review_code(session, row, environment).to_dict()


@router.delete("/workflows/{workflow_id}/deploy/{environment}")
def undeploy(workflow_id: str, environment: str, user: Deployer, session: SessionDep) -> dict[str, Any]:
    _environment(environment)
    try:
        done = deployments.undeploy(session, user, workflow_id, environment)
    except deployments.NotDeployed as exc:
        raise ApiError(404, str(exc)) from None
    except deployments.UndeployRefused as exc:  # the file there is not ours: never delete it
        raise ApiError(409, str(exc)) from None
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
