"""Deploy one stored version to an environment's folder, and undeploy it, recording both: the
deployment row and the audit row, for success and failure alike. The API's deploy routes,
`airflow-canvas save --deploy` and `airflow-canvas deploy` all go through here, so they can never
record a deploy differently; the environment's folder comes from service/environments.py.

Before anything is written, a deploy is checked twice:
- **Code review**: the executable code that changes since the version last deployed to that
  environment (spec/code_surface.py; a first deploy shows all of it) must be confirmed with the hash
  of exactly those changes (``confirm_code``), so a confirmation given for other code (stale: someone
  saved or deployed since) approves nothing. The CLI is run by people with a shell on the server,
  trusted like DAG authors: it deploys without a confirmation and is recorded as a CLI deploy.
- **One file per dag_id**: a dag_id that Airflow already knows from another file (DagModel's
  fileloc), or that another file in the deploy folder defines, is refused; Airflow would otherwise
  hold two DAGs with one id and the last one parsed would win."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from airflow_canvas.service.audit import audit
from airflow_canvas.service.environments import environment_folder
from airflow_canvas.service.errors import NotDeployed, UndeployRefused
from airflow_canvas.spec.code_surface import CodeChange, changes_digest, code_changes
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.store import repository as repo
from airflow_canvas.store.models import DeploymentRow, VersionRow


class DeployFailed(Exception):
    """The deploy was refused; the failure is recorded and the deployed file is unchanged."""

    def __init__(self, cause: Exception, version: int):
        self.cause = cause
        self.version = version  # the version whose deploy failed
        self.problems = getattr(cause, "problems", None) or []
        self.details: str = getattr(cause, "details", "") or ""
        super().__init__(str(cause))


@dataclass(frozen=True)
class CodeReview:
    """The code a deploy would change in an environment, and the hash that confirms it."""

    workflow_id: str
    environment: str
    version: int
    deployed_version: int | None  # the version deployed there now (None: nothing deployed)
    changes: list[CodeChange]
    confirm_code: str | None  # None when no code changes: nothing to confirm

    def to_dict(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id,
            "environment": self.environment,
            "version": self.version,
            "deployed_version": self.deployed_version,
            "code_changes": [c.to_dict() for c in self.changes],
            "confirm_code": self.confirm_code,
            "requires_confirmation": self.confirm_code is not None,
        }


class CodeNotConfirmed(Exception):
    """The deploy changes code and the request did not confirm exactly that code."""

    def __init__(self, review: CodeReview, given: str | None):
        self.review = review
        self.stale = given is not None
        what = (
            "does not match the code this deploy would change (it changed since)" if given else "is missing"
        )
        super().__init__(
            f"Deploying version {review.version} to {review.environment!r} changes "
            f"{len(review.changes)} piece(s) of executable code; the confirmation {what}. Review the "
            "code changes and send confirm_code to deploy."
        )


class DuplicateDagId(Exception):
    """Another file already defines this dag_id."""

    def __init__(self, dag_id: str, fileloc: str):
        self.dag_id = dag_id
        self.fileloc = fileloc
        super().__init__(
            f"DAG id {dag_id!r} is already defined by {fileloc}, which this workflow did not deploy; "
            "deploying would give Airflow two DAGs with one id. Rename the workflow (duplicate it under "
            "another id) or remove that file."
        )


def review_code(session: Session, row: VersionRow, environment: str) -> CodeReview:
    current = repo.current_deployments(session, row.workflow_id).get(environment)
    deployed = current.version_number if current is not None and current.state == "deployed" else None
    before = repo.load_spec(repo.get_version(session, row.workflow_id, deployed)) if deployed else None
    changes = code_changes(before, repo.load_spec(row))
    digest = (
        changes_digest(changes, workflow_id=row.workflow_id, environment=environment) if changes else None
    )
    return CodeReview(row.workflow_id, environment, row.number, deployed, changes, digest)


_MAX_SCANNED_BYTES = 2 * 1024 * 1024  # larger .py files are data, not DAG definitions


# A Python DAG definition naming this id: dag_id="x", DAG("x" ...), @dag("x" ...). The word boundary
# keeps references such as external_dag_id="x" or trigger_dag_id="x" from counting.
def _defines_dag_id(text: str, dag_id: str) -> bool:
    name = re.escape(dag_id)
    quoted = rf"""(?:'{name}'|"{name}")"""
    pattern = rf"(?<![A-Za-z0-9_])dag_id\s*=\s*{quoted}|(?<![A-Za-z0-9_.])(?:DAG|dag)\(\s*{quoted}"
    return re.search(pattern, text) is not None


def _our_files(session: Session, workflow_id: str, target: Path) -> set[Path]:
    """Files this workflow was deployed as (any environment), and the file this deploy writes."""
    paths = {target.resolve()}
    for deployment in repo.current_deployments(session, workflow_id).values():
        if deployment.state == "deployed" and deployment.path:
            paths.add(Path(deployment.path).resolve())
    return paths


def _registered_elsewhere(dag_id: str, ours: set[Path]) -> str | None:
    """The file Airflow has (not stale) for ``dag_id`` when it is not one of ours."""
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    with create_session() as db:
        model = db.get(DagModel, dag_id)
        fileloc = model.fileloc if model is not None and not model.is_stale else None
    if not fileloc or not Path(fileloc).is_file():  # Airflow has not noticed yet that it was removed
        return None
    return None if Path(fileloc).resolve() in ours else fileloc


def _defined_in_folder(dag_id: str, folder: Path, ours: set[Path]) -> str | None:
    """Another Python file in the deploy folder defining ``dag_id`` (one Airflow may not have parsed yet)."""
    if not folder.is_dir():
        return None
    from airflow_canvas.tools.bundle import TOOLS_DIRNAME

    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).parts
        # Hidden files and our bundled tool code (.airflowignore'd) are never parsed as DAGs.
        if path.resolve() in ours or parts[0] == TOOLS_DIRNAME or any(p.startswith(".") for p in parts):
            continue
        try:
            if path.stat().st_size > _MAX_SCANNED_BYTES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if _defines_dag_id(text, dag_id):
            return str(path)
    return None


def check_dag_id_free(session: Session, workflow_id: str, dag_id: str, folder: Path) -> None:
    from airflow_canvas.compiler.deploy import dag_file

    ours = _our_files(session, workflow_id, dag_file(folder, dag_id))
    other = _registered_elsewhere(dag_id, ours) or _defined_in_folder(dag_id, folder, ours)
    if other is not None:
        raise DuplicateDagId(dag_id, other)


def deploy_version(
    session: Session,
    row: VersionRow,
    *,
    environment: str,
    folder: Path,
    user: Any,
    confirm_code: str | None = None,
    cli: bool = False,
    **audit_extra: Any,
) -> DeploymentRow:
    """Deploy ``row``. ``confirm_code``: the review's hash the caller confirmed; ``cli``: the deploy is
    run from the server's shell (trusted, no confirmation). Raises CodeNotConfirmed (nothing written
    or recorded) or DeployFailed (recorded; its ``cause`` may be a DuplicateDagId; the deployed file
    unchanged)."""
    from airflow_canvas.compiler.deploy import DeployError, deploy_workflow

    wf = repo.load_spec(row)
    review = review_code(session, row, environment)
    if review.confirm_code is not None and not cli and confirm_code != review.confirm_code:
        raise CodeNotConfirmed(review, confirm_code)
    session.rollback()  # no read transaction held open (SQLite) while the import check runs
    record = {
        "workflow_id": row.workflow_id,
        "version_number": row.number,
        "environment": environment,
        "deployed_by": user.get_name(),
    }
    where = {"workflow_id": row.workflow_id, "version": row.number, "environment": environment}
    code = _audit_code(review, cli, user)
    try:
        check_dag_id_free(session, row.workflow_id, wf.id, Path(folder))
        session.rollback()
        result = deploy_workflow(wf, folder)
    except (DeployError, SpecError, DuplicateDagId) as exc:
        repo.record_deployment(session, state="failed", error=str(exc)[:4000], **record)
        audit("canvas.workflow.deploy_failed", user=user, **where, **code, **audit_extra)
        raise DeployFailed(exc, row.number) from None
    done = repo.record_deployment(
        session,
        state="deployed",
        dag_id=result.dag_id,
        path=str(result.path),
        spec_hash=result.spec_hash,
        **record,
    )
    audit("canvas.workflow.deploy", user=user, **where, **code, **audit_extra)
    return done


def _audit_code(review: CodeReview, cli: bool, user: Any) -> dict[str, Any]:
    """What the audit row says about the code: nothing when none changed; else how many pieces, and
    who confirmed them with which hash, or that it was a trusted CLI deploy."""
    if review.confirm_code is None:
        return {}
    if cli:
        return {
            "code_changes": len(review.changes),
            "code_confirmation": "cli",
            "code_hash": review.confirm_code,
        }
    return {
        "code_changes": len(review.changes),
        "code_confirmed_by": user.get_name(),
        "confirm_code": review.confirm_code,
    }


def version_to_deploy(session: Session, workflow_id: str, version: int | None) -> VersionRow:
    """``version`` of the workflow, or main's head when None (an older version rolls a deploy back)."""
    return repo.get_version(session, workflow_id, version) if version else repo.head(session, workflow_id)


def deploy(
    session: Session,
    user: Any,
    workflow_id: str,
    *,
    environment: str,
    version: int | None = None,
    confirm_code: str | None = None,
    cli: bool = False,
    **audit_extra: Any,
) -> DeploymentRow:
    """Deploy ``version`` (main's head by default) to ``environment``. Raises UnknownEnvironment or
    ConfigError (nothing done), NotFound, and whatever ``deploy_version`` raises."""
    folder = environment_folder(environment)
    row = version_to_deploy(session, workflow_id, version)
    return deploy_version(
        session,
        row,
        environment=environment,
        folder=folder,
        user=user,
        confirm_code=confirm_code,
        cli=cli,
        **audit_extra,
    )


def undeploy(session: Session, user: Any, workflow_id: str, environment: str) -> DeploymentRow:
    """Remove the workflow's DAG file from ``environment`` and record it. Raises UnknownEnvironment,
    ConfigError, NotFound, NotDeployed, or UndeployRefused (the file there is not ours: kept)."""
    from airflow_canvas.compiler.deploy import DeployError, undeploy_workflow

    folder = environment_folder(environment)
    repo.get_workflow(session, workflow_id)
    current = repo.current_deployments(session, workflow_id).get(environment)
    if current is None or current.state != "deployed":
        raise NotDeployed(workflow_id, environment)
    session.rollback()
    try:
        undeploy_workflow(current.dag_id or workflow_id, folder)
    except DeployError as exc:
        raise UndeployRefused(str(exc)) from None
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
    return done
