"""Deploy to a Git environment, against a bare repository on this machine as the remote: deploy is a
pushed commit (author = the canvas user; workflow, version and message in it) with the DAG file and
its tool files; undeploy is a commit removing the file; rollback deploys an older version as a new
commit; a push rejected because someone else pushed is retried on the new head; a remote that keeps
moving is a clear conflict; an unreachable remote records no deployment and leaves the work clone
reset."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.cli.store import CliUser
from airflow_canvas.spec.models import Workflow
from tests.integration.api.conftest import chain_spec

WF = "git_deploy_wf"


def git(*args: str, cwd: Path | None = None) -> str:
    env = {
        "GIT_AUTHOR_NAME": "someone",
        "GIT_AUTHOR_EMAIL": "someone@example.com",
        "GIT_COMMITTER_NAME": "someone",
        "GIT_COMMITTER_EMAIL": "someone@example.com",
        "PATH": "/usr/bin:/bin",
        "HOME": str(cwd or "/tmp"),
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture()
def remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: Path) -> Path:
    bare = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__GIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(
        "AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS",
        json.dumps(
            {
                "gitprod": {
                    "git": {"url": str(bare), "branch": "main", "path": "dags"},
                    "connections": {"llm": "openai_prod"},
                    "pools": {"heavy": "prod_pool"},
                    "params": {"x": 42},
                }
            }
        ),
    )
    return bare


def _spec(version_marker: str) -> Workflow:
    spec = chain_spec(WF, 3, description=f"marker {version_marker}")
    spec["nodes"][1]["execution"] = {"pool": "heavy"}
    spec["nodes"].insert(
        2,
        {
            "id": "ask",
            "type": "agent",
            "agent": {"prompt": "hi", "connection_id": "llm"},
        },
    )
    spec["edges"] = [
        {"source": "start", "target": "p1"},
        {"source": "p1", "target": "ask"},
        {"source": "ask", "target": "end"},
    ]
    return Workflow.model_validate(spec)


def _store(marker: str) -> int:
    from airflow import settings

    from airflow_canvas.service import workflows

    session = settings.Session.session_factory()
    try:
        row, _ = workflows.store(session, CliUser("ada"), _spec(marker), message=f"save {marker}")
        return row.number
    finally:
        session.close()


def _deploy(version: int, **kw: Any) -> Any:
    from airflow import settings

    from airflow_canvas.service import deployments

    session = settings.Session.session_factory()
    try:
        return deployments.deploy(
            session, CliUser("ada"), WF, environment="gitprod", version=version, cli=True, **kw
        )
    finally:
        session.close()


def _rows() -> list[tuple[int, str]]:
    from airflow import settings

    from airflow_canvas.store import repository as repo

    session = settings.Session.session_factory()
    try:
        rows, _ = repo.list_deployments(session, WF, limit=100)
        return [(r.version_number, r.state) for r in reversed(rows)]
    finally:
        session.close()


def _clean_workflow() -> None:
    from airflow import settings
    from sqlalchemy import delete

    from airflow_canvas.store import repository as repo
    from airflow_canvas.store.models import DeploymentRow, WorkflowRow

    session = settings.Session.session_factory()
    try:
        if session.get(WorkflowRow, WF) is not None:
            session.execute(delete(DeploymentRow).where(DeploymentRow.workflow_id == WF))
            session.commit()
            repo.delete_workflow(session, WF)
    finally:
        session.close()


@pytest.fixture(autouse=True)
def fresh_workflow(airflow_db: Path) -> Any:
    _clean_workflow()
    yield
    _clean_workflow()


def test_deploy_undeploy_and_rollback_are_pushed_commits(remote: Path) -> None:
    v1 = _store("one")
    done = _deploy(v1, message="first release")
    assert done.state == "deployed" and done.path.startswith("git:main:dags/git_deploy_wf.py@")

    files = git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main").split()
    assert f"dags/{WF}.py" in files and "dags/.airflowignore" in files
    log = git("--git-dir", str(remote), "log", "-1", "--format=%an%n%B", "main")
    assert log.startswith("ada\nDeploy git_deploy_wf version 1 to gitprod")
    assert "first release" in log and f"Workflow: {WF}" in log and "Version: 1" in log
    source = git("--git-dir", str(remote), "show", f"main:dags/{WF}.py")
    # The environment's bindings are in the file as literals: connection, pool and param default.
    assert '"openai_prod"' in source and '"prod_pool"' in source and '"llm"' not in source
    assert "42" in source and "marker one" in source
    assert done.path.endswith(git("--git-dir", str(remote), "rev-parse", "main").strip()[:12])

    v2 = _store("two")
    _deploy(v2)
    assert "marker two" in git("--git-dir", str(remote), "show", f"main:dags/{WF}.py")
    # Rollback: version 1 again, as a new commit on top.
    _deploy(v1)
    assert "marker one" in git("--git-dir", str(remote), "show", f"main:dags/{WF}.py")
    assert len(git("--git-dir", str(remote), "rev-list", "main").split()) == 3

    from airflow import settings

    from airflow_canvas.service import deployments

    session = settings.Session.session_factory()
    try:
        deployments.undeploy(session, CliUser("ada"), WF, "gitprod")
    finally:
        session.close()
    files = git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main").split()
    assert f"dags/{WF}.py" not in files
    assert git("--git-dir", str(remote), "log", "-1", "--format=%s", "main").startswith(
        "Undeploy git_deploy_wf version 1"
    )
    assert _rows() == [(1, "deployed"), (2, "deployed"), (1, "deployed"), (1, "undeployed")]


def _other_push(remote: Path, tmp_path: Path, name: str) -> None:
    """Someone else pushes a commit to main from their own clone."""
    other = tmp_path / f"other-{name}"
    if not other.exists():
        git("clone", "--quiet", str(remote), str(other))
    git("pull", "--quiet", "--rebase", "origin", "main", cwd=other)
    (other / f"{name}.txt").write_text(name)
    git("add", f"{name}.txt", cwd=other)
    git("commit", "--quiet", "-m", f"other {name}", cwd=other)
    git("push", "--quiet", "origin", "HEAD:main", cwd=other)


def test_a_rejected_push_is_retried_on_the_new_head(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_canvas.service import git_target

    v1 = _store("one")
    _deploy(v1)  # main exists now
    v2 = _store("two")
    real_sync = git_target._Git.sync
    pushed_between: list[int] = []

    def sync_then_someone_pushes(self: Any) -> None:
        real_sync(self)
        if not pushed_between:  # after our first sync, before our push
            _other_push(remote, tmp_path, "between")
            pushed_between.append(1)

    monkeypatch.setattr(git_target._Git, "sync", sync_then_someone_pushes)
    _deploy(v2)
    assert pushed_between == [1]
    log = git("--git-dir", str(remote), "log", "--format=%s", "main").splitlines()
    assert log[0].startswith("Deploy git_deploy_wf version 2") and log[1] == "other between"
    files = git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main").split()
    assert "between.txt" in files and f"dags/{WF}.py" in files


def test_a_branch_that_keeps_moving_is_a_conflict_and_nothing_is_recorded(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_canvas.service import deployments, git_target

    v1 = _store("one")
    _deploy(v1)
    v2 = _store("two")
    real_sync = git_target._Git.sync
    count = [0]

    def sync_then_someone_pushes(self: Any) -> None:
        real_sync(self)
        count[0] += 1
        _other_push(remote, tmp_path, f"n{count[0]}")

    monkeypatch.setattr(git_target._Git, "sync", sync_then_someone_pushes)
    with pytest.raises(deployments.DeployConflict) as caught:
        _deploy(v2)
    assert count[0] == git_target.PUSH_ATTEMPTS
    assert "'gitprod'" in str(caught.value) and "'main'" in str(caught.value)
    assert caught.value.branch == "main"
    assert _rows() == [(1, "deployed")]  # no row for the refused deploy
    assert "marker one" in git("--git-dir", str(remote), "show", f"main:dags/{WF}.py")
    # The work clone holds no commit of ours that the remote lacks.
    clone = tmp_path / "cache" / "gitprod"
    local = git("rev-parse", "main", cwd=clone).strip()
    tracking = git("rev-parse", "refs/remotes/origin/main", cwd=clone).strip()
    assert local == tracking
    assert git("status", "--porcelain", cwd=clone) == ""


def test_an_unreachable_remote_records_nothing(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_canvas.service import deployments

    v1 = _store("one")
    _deploy(v1)
    before = git("--git-dir", str(remote), "rev-parse", "main").strip()
    moved = tmp_path / "moved.git"
    remote.rename(moved)  # the remote is gone
    v2 = _store("two")
    with pytest.raises(deployments.DeployFailed) as caught:
        _deploy(v2)
    assert "cannot be reached" in str(caught.value)
    assert _rows() == [(1, "deployed")]
    moved.rename(remote)
    assert git("--git-dir", str(remote), "rev-parse", "main").strip() == before
    clone = tmp_path / "cache" / "gitprod"
    if clone.exists():  # reset to the last fetched state, or removed
        assert git("status", "--porcelain", cwd=clone) == ""
        assert git("rev-parse", "main", cwd=clone).strip() == before
    # And it works again once the remote is back.
    assert _deploy(v2).state == "deployed"


def test_credentials_never_reach_argv_or_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token from the Airflow connection reaches git only through the child's environment; a
    failing push over http names the URL without it."""
    from airflow_canvas.service import git_target
    from airflow_canvas.service.environments import GitTarget

    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__GIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(
        "AIRFLOW_CONN_GIT_SECRET",
        json.dumps({"conn_type": "git", "login": "bot", "password": "s3cr3t-token"}),
    )
    seen: list[list[str]] = []
    real_run = subprocess.run

    def spy(argv: Any, *a: Any, **kw: Any) -> Any:
        seen.append(list(argv))
        return real_run(argv, *a, **kw)

    monkeypatch.setattr(git_target.subprocess, "run", spy)
    target = GitTarget("http://127.0.0.1:9/repo.git", "main", "dags", "git_secret")
    with pytest.raises(git_target.GitError) as caught:
        git_target.commit_change("credtest", target, lambda folder: None, message="m", author_name="ada")
    assert seen and all("s3cr3t-token" not in " ".join(argv) for argv in seen)
    assert "s3cr3t-token" not in str(caught.value) + caught.value.details
    config = (tmp_path / "cache" / "credtest" / ".git" / "config").read_text()
    assert "s3cr3t-token" not in config
