"""A protected environment ("protected": true) takes deploys only from holders of its own permission,
"edit" on "Canvas Deploy <name>" (Admin by default): an Op (who may deploy elsewhere) and a User are
refused through the API and through the CLI, and nothing is saved, written or recorded. And an
environment that "requires" another takes only the version deployed there whose latest run there
succeeded: a different version id, a run older than the deploy, a failed run or a rollback to an
older version are all refused, even for an Admin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
WF = "sec_promotion_wf"


def _canvas(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("airflow-canvas")
    return subprocess.run(
        [str(exe), *args], env=os.environ.copy(), capture_output=True, text=True, timeout=300, cwd=cwd
    )


@pytest.fixture()
def envs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: TestClient) -> dict[str, Path]:
    folders = {"staging": tmp_path / "staging", "prod": tmp_path / "prod"}
    monkeypatch.setenv(
        "AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS",
        json.dumps(
            {
                "staging": str(folders["staging"]),
                "prod": {"folder": str(folders["prod"]), "requires": "staging", "protected": True},
            }
        ),
    )
    synced = _canvas("sync-permissions", cwd=tmp_path)
    assert synced.returncode == 0, synced.stderr
    assert "Canvas Deploy prod" in synced.stdout + synced.stderr or _admin_has_prod_permission()
    # FabAuthManager keeps each token's user, roles and permissions for [fab] cache_ttl (30 s); a user
    # who called the API just before (another test, in a full run) would not yet hold the new grant.
    from airflow.api_fastapi.app import get_auth_manager

    get_auth_manager().cache.clear()
    return folders


def _admin_has_prod_permission() -> bool:
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    with get_application_builder() as appbuilder:
        role = appbuilder.sm.find_role("Admin")
        return any(p.resource.name == "Canvas Deploy prod" for p in role.permissions)


def _save(client: TestClient, auth: Headers, marker: str) -> int:
    spec = chain_spec(WF, description=marker)
    got = client.get(f"{API}/workflows/{WF}", headers=auth("Admin"))
    if got.status_code == 404:
        r = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Admin"))
    else:
        body = {"spec": spec, "base_version": got.json()["version"], "message": marker}
        r = client.put(f"{API}/workflows/{WF}", json=body, headers=auth("Admin"))
    assert r.status_code in (200, 201), r.text
    return int(r.json()["version"])


def _deploy(client: TestClient, auth: Headers, role: str, env: str, version: int) -> Any:
    body: dict[str, Any] = {"environment": env, "version": version}
    preview = client.get(
        f"{API}/workflows/{WF}/deploy/preview",
        params={"environment": env, "version": version},
        headers=auth(role),
    )
    if preview.status_code == 200 and preview.json()["confirm_code"]:
        body["confirm_code"] = preview.json()["confirm_code"]
    return client.post(f"{API}/workflows/{WF}/deploy", json=body, headers=auth(role))


def _run(state: str, *, queued: datetime | None = None) -> None:
    """A run of the staging DAG (staging deploys the workflow id as its dag_id)."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunType

    when = queued or datetime.now(timezone.utc)
    with create_session() as session:
        session.add(
            DagRun(
                dag_id=WF,
                run_id=f"manual__{when.isoformat()}_{state}",
                run_type=DagRunType.MANUAL,
                state=DagRunState(state),
                queued_at=when,
                run_after=when,
                start_date=when,
            )
        )


def _cleanup() -> None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import delete

    from airflow_canvas.store.models import DeploymentRow

    with create_session() as session:
        session.execute(delete(DagRun).where(DagRun.dag_id == WF))
        session.execute(delete(DeploymentRow).where(DeploymentRow.workflow_id == WF))


@pytest.fixture(autouse=True)
def clean(client: TestClient, auth: Headers) -> Any:
    _cleanup()
    client.delete(f"{API}/workflows/{WF}", headers=auth("Admin"))
    yield
    _cleanup()
    client.delete(f"{API}/workflows/{WF}", headers=auth("Admin"))


def _prod_rows() -> list[tuple[int, str]]:
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from airflow_canvas.store.models import DeploymentRow

    with create_session() as session:
        rows = session.scalars(
            select(DeploymentRow).where(DeploymentRow.workflow_id == WF, DeploymentRow.environment == "prod")
        ).all()
        return [(r.version_number, r.state) for r in rows]


def test_op_and_user_cannot_deploy_to_a_protected_environment(
    client: TestClient, auth: Headers, envs: dict[str, Path], tmp_path: Path
) -> None:
    v1 = _save(client, auth, "one")
    assert _deploy(client, auth, "Op", "staging", v1).status_code == 201  # Op deploys elsewhere
    _run("success")
    for role in ("Op", "User", "Viewer"):
        refused = _deploy(client, auth, role, "prod", v1)
        assert refused.status_code == 403, (role, refused.text)
    op = _deploy(client, auth, "Op", "prod", v1)
    assert "Canvas Deploy prod" in op.json()["detail"]
    assert not (envs["prod"] / f"{WF}.py").exists() and _prod_rows() == []
    # Undeploying from a protected environment is guarded the same way.
    assert client.delete(f"{API}/workflows/{WF}/deploy/prod", headers=auth("Op")).status_code == 403
    # The preview tells the UI the Op may not deploy there.
    preview = client.get(
        f"{API}/workflows/{WF}/deploy/preview", params={"environment": "prod"}, headers=auth("Op")
    )
    assert preview.status_code == 200 and preview.json()["may_deploy"] is False

    # The CLI: as the Op's FAB user, or as a name that is no FAB user at all, refused before a save.
    spec = tmp_path / f"{WF}.json"
    spec.write_text(json.dumps(chain_spec(WF, description="cli")))
    for author in ("t_op", "t_user", "nobody-at-all"):
        cli = _canvas("deploy", str(spec), "--env", "prod", "--author", author, cwd=tmp_path)
        assert cli.returncode != 0 and "Canvas Deploy prod" in cli.stderr, (author, cli.stderr)
    saved = _canvas("save", str(spec), "--deploy", "prod", "--author", "t_op", cwd=tmp_path)
    assert saved.returncode != 0 and "Canvas Deploy prod" in saved.stderr
    versions = client.get(f"{API}/workflows/{WF}/versions", headers=auth("Admin")).json()
    assert versions["total"] == 1  # nothing was saved by the refused CLI deploys
    assert not (envs["prod"] / f"{WF}.py").exists() and _prod_rows() == []

    # The Admin holds the permission: allowed (the promotion rule is met: v1 ran in staging).
    ok = _deploy(client, auth, "Admin", "prod", v1)
    assert ok.status_code == 201, ok.text
    assert (envs["prod"] / f"{WF}.py").is_file()


def test_promotion_cannot_be_skipped(client: TestClient, auth: Headers, envs: dict[str, Path]) -> None:
    v1 = _save(client, auth, "one")
    # Nothing in staging yet.
    refused = _deploy(client, auth, "Admin", "prod", v1)
    assert refused.status_code == 409 and "'staging'" in refused.json()["detail"], refused.text
    assert _deploy(client, auth, "Admin", "staging", v1).status_code == 201
    # Deployed but never run there; then a run queued before the deploy proves nothing.
    assert _deploy(client, auth, "Admin", "prod", v1).status_code == 409
    _run("success", queued=datetime.now(timezone.utc) - timedelta(hours=1))
    assert "queued before" in _deploy(client, auth, "Admin", "prod", v1).json()["detail"]
    # A failed latest run.
    _run("failed")
    assert "'failed'" in _deploy(client, auth, "Admin", "prod", v1).json()["detail"]
    # A different version id than the one staging runs, even a newer one, is refused.
    v2 = _save(client, auth, "two")
    _run("success", queued=datetime.now(timezone.utc) + timedelta(seconds=1))
    other = _deploy(client, auth, "Admin", "prod", v2)
    assert other.status_code == 409 and "runs version 1" in other.json()["detail"]
    assert _prod_rows() == []
    # Now v1 is proven: it goes to prod.
    assert _deploy(client, auth, "Admin", "prod", v1).status_code == 201
    # v2 reaches staging and runs there; prod takes it.
    assert _deploy(client, auth, "Admin", "staging", v2).status_code == 201
    _run("success", queued=datetime.now(timezone.utc) + timedelta(seconds=2))
    assert _deploy(client, auth, "Admin", "prod", v2).status_code == 201
    # A rollback of prod to v1 is a deploy of v1: staging runs v2, so it is refused too.
    rollback = _deploy(client, auth, "Admin", "prod", v1)
    assert rollback.status_code == 409 and "runs version 2" in rollback.json()["detail"]
    assert _prod_rows() == [(1, "deployed"), (2, "deployed")]
    # The preview reports the verdict and the environment's rule.
    preview = client.get(
        f"{API}/workflows/{WF}/deploy/preview",
        params={"environment": "prod", "version": v1},
        headers=auth("Admin"),
    ).json()
    assert preview["promotion"]["requires"] == "staging" and preview["promotion"]["allowed"] is False
    assert preview["target"]["protected"] is True
    # The overview per environment: version, last run, what a promotion would bring.
    status = client.get(f"{API}/workflows/{WF}/environments", headers=auth("Op"))
    assert status.status_code == 200, status.text
    by_name = {e["name"]: e for e in status.json()["items"]}
    assert (
        by_name["staging"]["deployed_version"] == 2 and by_name["staging"]["last_run"]["state"] == "success"
    )
    assert by_name["prod"]["deployed_version"] == 2 and by_name["prod"]["may_deploy"] is False
    assert by_name["prod"]["promotion"] == {
        "requires": "staging",
        "candidate_version": 2,
        "allowed": True,
        "reason": None,
    }
    assert status.json()["head_version"] == v2
