"""Environments, deploy (compile + atomic write + import check, recorded), undeploy, history.
Redeploying an older version is how a deployment is rolled back."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, Query, status
from pydantic import Field

from airflow_canvas.plugin.api_models import deploy as out
from airflow_canvas.plugin.api_models import environments as env_out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import ROLE_ORDER, requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import PageDep, SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.service import deployments, environments, promotion
from airflow_canvas.store import repository as repo
from airflow_canvas.store.models import DeploymentRow
from airflow_canvas.store.permissions import DEPLOYMENTS

router = APIRouter(tags=["deploy"])
log = logging.getLogger(__name__)


def check_environments_at_startup() -> None:
    """Report a malformed ``[airflow_canvas] environments`` when the API server loads these routes
    (every deploy checks it again and refuses with the same message; the rest of the API works)."""
    try:
        environments.environment_configs()
    except environments.ConfigError as exc:
        log.error("Airflow Canvas: %s. Deploys are refused until it is fixed.", exc)
    except Exception:  # no readable Airflow configuration here (e.g. an OpenAPI export): not ours to report
        log.debug("environments not checked at startup", exc_info=True)


check_environments_at_startup()

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
    message: str = Field("", max_length=2000, description="Why: goes into a Git environment's commit.")


def _environment(name: str) -> environments.Environment:
    """404 for an unknown environment, 500 for a malformed ``environments`` setting."""
    try:
        return environments.get_environment(name)
    except environments.ConfigError as exc:
        raise ApiError(500, str(exc)) from None
    except environments.UnknownEnvironment as exc:
        raise ApiError(404, str(exc)) from None


def may_deploy_to(user: BaseUser, env: environments.Environment) -> bool:
    """A protected environment needs "edit" on its own resource ("Canvas Deploy <name>") too."""
    if not env.protected:
        return True
    from airflow.api_fastapi.app import get_auth_manager

    manager = get_auth_manager()
    if type(manager).__name__ == "SimpleAuthManager":  # it ignores resources: Admin only
        role = str(getattr(user, "role", "") or "").capitalize()
        return role == ROLE_ORDER[-1]
    resource = promotion.deploy_resource(env.name)
    return manager.is_authorized_custom_view(method="PUT", resource_name=resource, user=user)


def _protected(user: BaseUser, env: environments.Environment) -> None:
    if not may_deploy_to(user, env):
        raise ApiError(403, str(promotion.DeployNotPermitted(env.name, user.get_name())))


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


@router.get("/environments", response_model=out.EnvironmentList, responses=errors(500))
def list_environments(user: Reader) -> dict[str, Any]:
    try:
        envs = environments.environment_configs()
    except environments.ConfigError as exc:
        raise ApiError(500, str(exc)) from None
    return {"items": [env.to_dict() for _, env in sorted(envs.items())]}


def _last_run(dag_id: str | None) -> dict[str, Any] | None:
    run = promotion.latest_run(dag_id) if dag_id else None
    if run is None:
        return None
    return {
        "run_id": run.run_id,
        "state": str(getattr(run.state, "value", run.state)),
        "queued_at": run.queued_at.isoformat() if run.queued_at else None,
    }


@router.get(
    "/workflows/{workflow_id}/environments",
    response_model=env_out.WorkflowEnvironments,
    responses=errors(404, 500),
)
def workflow_environments(workflow_id: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    """Per environment: the version deployed there, its DAG's latest run, and what a deploy there
    would bring under the promotion rule (the version proven in the required environment)."""
    try:
        envs = environments.environment_configs()
    except environments.ConfigError as exc:
        raise ApiError(500, str(exc)) from None
    head = repo.head(session, workflow_id)
    current = repo.current_deployments(session, workflow_id)
    items = []
    for name, env in sorted(envs.items()):
        here = current.get(name)
        deployed = here if here is not None and here.state == "deployed" else None
        source = current.get(env.requires) if env.requires else None
        if env.requires:
            candidate = source.version_number if source is not None and source.state == "deployed" else None
        else:
            candidate = head.number
        verdict: dict[str, Any] = {"allowed": candidate is not None, "reason": None}
        if candidate is not None:
            row = repo.get_version(session, workflow_id, candidate)
            verdict = promotion.promotion_status(session, env, row)
        elif env.requires:
            verdict["reason"] = f"Nothing of this workflow is deployed to {env.requires!r}."
        items.append(
            {
                "name": name,
                "kind": env.kind,
                "protected": env.protected,
                "may_deploy": may_deploy_to(user, env),
                "deployed_version": deployed.version_number if deployed else None,
                "dag_id": deployed.dag_id if deployed else None,
                "deployed_at": deployed.deployed_at.isoformat()
                if deployed and deployed.deployed_at
                else None,
                "deployed_by": deployed.deployed_by if deployed else None,
                "last_run": _last_run(deployed.dag_id if deployed else None),
                "promotion": {
                    "requires": env.requires,
                    "candidate_version": candidate,
                    "allowed": verdict["allowed"],
                    "reason": verdict["reason"],
                },
            }
        )
    return {"workflow_id": workflow_id, "head_version": head.number, "items": items}


@router.post(
    "/workflows/{workflow_id}/deploy",
    status_code=status.HTTP_201_CREATED,
    response_model=out.Deployment,
    responses=errors(404, 409, 428, 500, 502),
)
def deploy(workflow_id: str, body: DeployBody, user: Deployer, session: SessionDep) -> dict[str, Any]:
    _protected(user, _environment(body.environment))
    try:
        done = deployments.deploy(
            session,
            user,
            workflow_id,
            environment=body.environment,
            version=body.version,
            confirm_code=body.confirm_code,
            message=body.message,
        )
    except promotion.PromotionRefused as exc:
        raise ApiError(409, str(exc), requires=exc.required, version=exc.version) from None
    except deployments.DeployConflict as exc:
        raise ApiError(409, str(exc), environment=exc.environment, branch=exc.branch) from None
    except deployments.CodeNotConfirmed as exc:
        # 428: confirm and resend; 409: the confirmation was for other code (someone changed it since).
        raise ApiError(409 if exc.stale else 428, str(exc), **exc.review.to_dict()) from None
    except deployments.DeployFailed as exc:
        if isinstance(exc.cause, deployments.DuplicateDagId):
            raise ApiError(409, str(exc.cause), dag_id=exc.cause.dag_id, file=exc.cause.fileloc) from None
        if isinstance(exc.cause, deployments.git_target.GitError):  # the remote, not the workflow
            raise ApiError(
                502,
                f"Deploy of version {exc.version} to {body.environment!r} failed; nothing was pushed: {exc}",
                details=exc.details[-4000:],
            ) from None
        raise ApiError(
            422,
            f"Deploy of version {exc.version} failed; the deployed file is unchanged: {exc}",
            exc.problems,
            details=exc.details[-4000:],
        ) from None
    return deployment_json(done)


@router.get(
    "/workflows/{workflow_id}/deploy/preview", response_model=out.DeployPreview, responses=errors(404, 500)
)
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
    env = _environment(environment)
    row = deployments.version_to_deploy(session, workflow_id, version)
    review = deployments.review_code(session, row, environment, env).to_dict()
    review["may_deploy"] = may_deploy_to(user, env)
    return review


@router.delete(
    "/workflows/{workflow_id}/deploy/{environment}",
    response_model=out.Deployment,
    responses=errors(404, 409, 500, 502),
)
def undeploy(workflow_id: str, environment: str, user: Deployer, session: SessionDep) -> dict[str, Any]:
    _protected(user, _environment(environment))
    try:
        done = deployments.undeploy(session, user, workflow_id, environment)
    except deployments.NotDeployed as exc:
        raise ApiError(404, str(exc)) from None
    except deployments.UndeployRefused as exc:  # the file there is not ours: never delete it
        raise ApiError(409, str(exc)) from None
    except deployments.DeployConflict as exc:
        raise ApiError(409, str(exc), environment=exc.environment, branch=exc.branch) from None
    except deployments.DeployFailed as exc:
        raise ApiError(502, f"Undeploy from {environment!r} failed; nothing was pushed: {exc}") from None
    return deployment_json(done)


@router.get("/workflows/{workflow_id}/deployments", response_model=out.DeploymentPage, responses=errors(404))
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
