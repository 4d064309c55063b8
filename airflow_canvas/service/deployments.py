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
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from airflow_canvas.service import git_target
from airflow_canvas.service.audit import AuditScope, audit
from airflow_canvas.service.bindings import bind
from airflow_canvas.service.environments import Environment, get_environment, redact_url
from airflow_canvas.service.errors import NotDeployed, UndeployRefused
from airflow_canvas.service.promotion import check_promotion, promotion_status
from airflow_canvas.spec.code_surface import CodeChange, changes_digest, code_changes
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.store import repository as repo
from airflow_canvas.store.models import DeploymentRow, VersionRow

if TYPE_CHECKING:
    from airflow_canvas.compiler.deploy import DeployResult


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
    # What the environment makes of the spec: the compiled file differs per environment.
    bindings: dict[str, Any] | None = None
    target: dict[str, Any] | None = None  # the environment: folder or Git branch (URL redacted)
    promotion: dict[str, Any] | None = None  # requires / allowed / reason (service/promotion.py)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id,
            "environment": self.environment,
            "version": self.version,
            "deployed_version": self.deployed_version,
            "code_changes": [c.to_dict() for c in self.changes],
            "confirm_code": self.confirm_code,
            "requires_confirmation": self.confirm_code is not None,
            "bindings": self.bindings,
            "target": self.target,
            "promotion": self.promotion,
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


def review_code(
    session: Session, row: VersionRow, environment: str, env: Environment | None = None
) -> CodeReview:
    """The code review of deploying ``row`` to ``environment``: the code changes, and the
    environment's bindings, target and promotion verdict (``env``: already looked up)."""
    env = env or get_environment(environment)
    current = repo.current_deployments(session, row.workflow_id).get(environment)
    deployed = current.version_number if current is not None and current.state == "deployed" else None
    before = repo.load_spec(repo.get_version(session, row.workflow_id, deployed)) if deployed else None
    changes = code_changes(before, repo.load_spec(row))
    digest = (
        changes_digest(changes, workflow_id=row.workflow_id, environment=environment) if changes else None
    )
    info = env.to_dict()
    target = {"kind": info["kind"], "folder": info["folder"], "git": info["git"], "protected": env.protected}
    return CodeReview(
        row.workflow_id,
        environment,
        row.number,
        deployed,
        changes,
        digest,
        bindings=env.bindings.to_dict(),
        target=target,
        promotion=promotion_status(session, env, row),
    )


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


def _registered_elsewhere(dag_id: str, ours: set[Path], repo_file: str | None = None) -> str | None:
    """The file Airflow has (not stale) for ``dag_id`` when it is not one of ours. ``repo_file``: for
    a Git environment, the file's path inside the repository; the DAG processor's clone of it (any
    file ending so, e.g. ``.../<bundle>/<version>/dags/x.py``) is ours too."""
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    with create_session() as db:
        model = db.get(DagModel, dag_id)
        fileloc = model.fileloc if model is not None and not model.is_stale else None
    if not fileloc or not Path(fileloc).is_file():  # Airflow has not noticed yet that it was removed
        return None
    if repo_file and Path(fileloc).as_posix().endswith("/" + repo_file):
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


def check_dag_id_free(
    session: Session, workflow_id: str, dag_id: str, folder: Path, repo_file: str | None = None
) -> None:
    from airflow_canvas.compiler.deploy import dag_file

    ours = _our_files(session, workflow_id, dag_file(folder, dag_id))
    other = _registered_elsewhere(dag_id, ours, repo_file) or _defined_in_folder(dag_id, folder, ours)
    if other is not None:
        raise DuplicateDagId(dag_id, other)


class DeployConflict(Exception):
    """A Git environment's push was rejected every time (others kept pushing); nothing recorded."""

    def __init__(self, environment: str, branch: str, message: str):
        self.environment = environment
        self.branch = branch
        super().__init__(message)


def _commit_message(
    wf_id: str, version: int, environment: str, message: str, user: str, *, remove: bool
) -> str:
    what = "Undeploy" if remove else "Deploy"
    head = f"{what} {wf_id} version {version} to {environment}"
    body = (message or "").replace("\r", "").strip()[:2000]
    return f"{head}\n\n{body + chr(10) + chr(10) if body else ''}Workflow: {wf_id}\nVersion: {version}\nBy: {user}\n"


def _user_email(user: Any) -> str | None:
    email = getattr(user, "email", None)
    return email if isinstance(email, str) and "@" in email else None


def _deploy_to_git(
    session: Session, env: Environment, wf: Any, row: VersionRow, user: Any, compiled: Any, text: str
) -> tuple[DeployResult, str]:
    """Commit the DAG file and its tool files to the environment's branch and push them. The import
    check runs once, before the first attempt (a retry on a new head writes the same bytes)."""
    from airflow_canvas.compiler.deploy import check_import, deploy_workflow

    assert env.git is not None
    check_import(compiled.source, compiled.dag_id)
    results: list[DeployResult] = []

    def apply(folder: Path) -> None:
        inside = f"{env.git.path}/{wf.id}.py" if env.git and env.git.path else f"{wf.id}.py"
        check_dag_id_free(session, row.workflow_id, wf.id, folder, inside)
        session.rollback()
        results.append(deploy_workflow(wf, folder, import_check=False, compiled=compiled))

    message = _commit_message(row.workflow_id, row.number, env.name, text, user.get_name(), remove=False)
    commit = git_target.commit_change(
        env.name, env.git, apply, message=message, author_name=user.get_name(), author_email=_user_email(user)
    )
    return results[-1], commit.sha


def _git_path(env: Environment, dag_id: str, sha: str) -> str:
    """What a Git deployment row records as its path: branch, file in the repository, commit."""
    assert env.git is not None
    inside = f"{env.git.path}/{dag_id}.py" if env.git.path else f"{dag_id}.py"
    return f"git:{env.git.branch}:{inside}" + (f"@{sha[:12]}" if sha else "")


def deploy_version(
    session: Session,
    row: VersionRow,
    *,
    environment: str | Environment,
    folder: Path | None = None,
    user: Any,
    confirm_code: str | None = None,
    cli: bool = False,
    message: str = "",
    **audit_extra: Any,
) -> DeploymentRow:
    """Deploy ``row`` to ``environment`` (its folder or Git branch; ``folder`` overrides a folder
    environment's). The environment's bindings are applied before compiling, and its promotion rule
    is checked. ``confirm_code``: the review's hash the caller confirmed; ``cli``: the deploy is run
    from the server's shell (trusted, no confirmation). Raises PromotionRefused or CodeNotConfirmed
    (nothing written or recorded), DeployConflict (a Git push rejected every time: nothing recorded
    but the failure) or DeployFailed (recorded; its ``cause`` may be a DuplicateDagId or a GitError;
    the deployed file/branch unchanged; a GitError cause is not recorded as a deployment row)."""
    from airflow_canvas.compiler import compile_workflow
    from airflow_canvas.compiler.deploy import DeployError, deploy_workflow

    env = environment if isinstance(environment, Environment) else get_environment(environment)
    check_promotion(session, env, row)
    review = review_code(session, row, env.name, env)
    if review.confirm_code is not None and not cli and confirm_code != review.confirm_code:
        raise CodeNotConfirmed(review, confirm_code)
    session.rollback()  # no read transaction held open (SQLite) while the import check runs
    record = {
        "workflow_id": row.workflow_id,
        "version_number": row.number,
        "environment": env.name,
        "deployed_by": user.get_name(),
    }
    where: AuditScope = {"workflow_id": row.workflow_id, "version": row.number, "environment": env.name}
    code = _audit_code(review, cli, user)
    target = _target_audit(env)
    try:
        wf = bind(repo.load_spec(row), env.bindings)
        if env.git is not None:
            text = message or row.message or ""
            result, sha = _deploy_to_git(session, env, wf, row, user, compile_workflow(wf), text)
            path, target["commit"] = _git_path(env, result.dag_id, sha), sha or None
        else:
            deploy_folder = Path(folder) if folder is not None else env.folder
            assert deploy_folder is not None
            check_dag_id_free(session, row.workflow_id, wf.id, deploy_folder)
            session.rollback()
            result = deploy_workflow(wf, deploy_folder)
            path = str(result.path)
    except git_target.GitError as exc:
        # The remote refused or could not be reached: nothing was deployed, so no deployment row
        # (the branch and the work clone are as they were); the attempt is in the audit log.
        audit(
            "canvas.workflow.deploy_failed",
            user=user,
            **where,
            **code,
            **target,
            error=str(exc)[:500],
            **audit_extra,
        )
        if isinstance(exc, git_target.GitConflict):
            assert env.git is not None
            raise DeployConflict(env.name, env.git.branch, str(exc)) from None
        raise DeployFailed(exc, row.number) from None
    except (DeployError, SpecError, DuplicateDagId) as exc:
        repo.record_deployment(session, state="failed", error=str(exc)[:4000], **record)
        audit("canvas.workflow.deploy_failed", user=user, **where, **code, **target, **audit_extra)
        raise DeployFailed(exc, row.number) from None
    done = repo.record_deployment(
        session,
        state="deployed",
        dag_id=result.dag_id,
        path=path,
        spec_hash=result.spec_hash,
        **record,
    )
    audit("canvas.workflow.deploy", user=user, **where, **code, **target, **audit_extra)
    return done


def _target_audit(env: Environment) -> dict[str, Any]:
    """Where the audit row says the deploy went: a Git environment's branch (never its URL's secrets)."""
    if env.git is None:
        return {}
    return {"git_branch": env.git.branch, "git_url": redact_url(env.git.url)}


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
    message: str = "",
    **audit_extra: Any,
) -> DeploymentRow:
    """Deploy ``version`` (main's head by default) to ``environment``. Raises UnknownEnvironment or
    ConfigError (nothing done), NotFound, and whatever ``deploy_version`` raises."""
    env = get_environment(environment)
    row = version_to_deploy(session, workflow_id, version)
    return deploy_version(
        session,
        row,
        environment=env,
        user=user,
        confirm_code=confirm_code,
        cli=cli,
        message=message,
        **audit_extra,
    )


def undeploy(session: Session, user: Any, workflow_id: str, environment: str) -> DeploymentRow:
    """Remove the workflow's DAG file from ``environment`` (a commit removing it, for a Git
    environment) and record it. Raises UnknownEnvironment, ConfigError, NotFound, NotDeployed,
    UndeployRefused (the file there is not ours: kept), DeployConflict or DeployFailed (Git: nothing
    recorded but the audit row of the failure; the branch unchanged)."""
    from airflow_canvas.compiler.deploy import DeployError, undeploy_workflow

    env = get_environment(environment)
    repo.get_workflow(session, workflow_id)
    current = repo.current_deployments(session, workflow_id).get(environment)
    if current is None or current.state != "deployed":
        raise NotDeployed(workflow_id, environment)
    session.rollback()
    dag_id = current.dag_id or workflow_id
    where: AuditScope = {
        "workflow_id": workflow_id,
        "version": current.version_number,
        "environment": environment,
    }
    target = _target_audit(env)
    try:
        if env.git is not None:
            message = _commit_message(
                workflow_id, current.version_number, environment, "", user.get_name(), remove=True
            )

            def remove(folder: Path) -> None:
                undeploy_workflow(dag_id, folder)

            commit = git_target.commit_change(
                env.name,
                env.git,
                remove,
                message=message,
                author_name=user.get_name(),
                author_email=_user_email(user),
            )
            target["commit"] = commit.sha or None
        else:
            assert env.folder is not None
            undeploy_workflow(dag_id, env.folder)
    except DeployError as exc:
        raise UndeployRefused(str(exc)) from None
    except git_target.GitError as exc:
        audit("canvas.workflow.undeploy_failed", user=user, **where, **target, error=str(exc)[:500])
        if isinstance(exc, git_target.GitConflict):
            assert env.git is not None
            raise DeployConflict(env.name, env.git.branch, str(exc)) from None
        raise DeployFailed(exc, current.version_number) from None
    done = repo.record_deployment(
        session,
        workflow_id=workflow_id,
        version_number=current.version_number,
        environment=environment,
        state="undeployed",
        dag_id=current.dag_id,
        deployed_by=user.get_name(),
    )
    audit("canvas.workflow.undeploy", user=user, **where, **target)
    return done
