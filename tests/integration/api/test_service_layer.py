"""The service layer (airflow_canvas/service/) is what the API and the CLI both call: a CLI deploy
is recorded exactly like an API deploy (a deployment row and audit rows), both resolve an
environment to the same folder, and a refused authorization writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]


def _canvas(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("airflow-canvas")
    return subprocess.run(
        [str(exe), *args], env=os.environ.copy(), capture_output=True, text=True, timeout=300, cwd=cwd
    )


def _events(workflow_id: str) -> list[dict[str, Any]]:
    from airflow.models.log import Log
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(Log).filter(Log.event.like("canvas.%")).order_by(Log.id).all()
        found = [{"event": r.event, "owner": r.owner, "extra": json.loads(r.extra or "{}")} for r in rows]
    return [r for r in found if r["extra"].get("workflow_id") == workflow_id]


@pytest.fixture()
def staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "staging"
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS", json.dumps({"staging": str(folder)}))
    return folder


def test_cli_deploy_records_a_deployment_and_audit_rows(
    client: TestClient, auth: Headers, staging: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "svc_cli_deploy.json"
    spec.write_text(json.dumps(chain_spec("svc_cli_deploy")))
    result = _canvas("deploy", str(spec), "--env", "staging", "--author", "grace", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (staging / "svc_cli_deploy.py").is_file()

    # The API shows the CLI's deploy as it shows its own: same row, same current deployment.
    r = client.get(f"{API}/workflows/svc_cli_deploy/deployments", headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    current = r.json()["current"]["staging"]
    assert current["state"] == "deployed" and current["version"] == 1 and current["deployed_by"] == "grace"
    assert Path(current["path"]) == staging / "svc_cli_deploy.py"
    events = _events("svc_cli_deploy")
    assert [e["event"] for e in events] == ["canvas.workflow.create", "canvas.workflow.deploy"]
    deploy = events[1]
    assert deploy["owner"] == "grace"
    assert deploy["extra"]["environment"] == "staging" and deploy["extra"]["source"] == "cli"

    # Deploying the same file again saves no new version and records a second deploy of version 1.
    again = _canvas("deploy", str(spec), "--env", "staging", "--author", "grace", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    items = client.get(f"{API}/workflows/svc_cli_deploy/deployments", headers=auth("Viewer")).json()["items"]
    assert [(d["version"], d["state"]) for d in items] == [(1, "deployed"), (1, "deployed")]


def test_api_and_cli_resolve_the_same_dev_folder(
    client: TestClient, auth: Headers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_canvas.service.environments import environment_folder

    monkeypatch.delenv("AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS", raising=False)
    monkeypatch.delenv("AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR", raising=False)
    envs = client.get(f"{API}/environments", headers=auth("Viewer")).json()["items"]
    dev = Path(next(e["folder"] for e in envs if e["name"] == "dev"))
    assert environment_folder("dev") == dev

    spec = tmp_path / "svc_dev_folder.json"
    spec.write_text(json.dumps(chain_spec("svc_dev_folder")))
    # Run from tmp_path: a CLI with its own idea of the folder would write ./dags_generated there.
    result = _canvas("deploy", str(spec), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (dev / "svc_dev_folder.py").is_file()
    assert not (tmp_path / "dags_generated").exists()
    current = client.get(f"{API}/workflows/svc_dev_folder/deployments", headers=auth("Viewer")).json()
    assert Path(current["current"]["dev"]["path"]) == dev / "svc_dev_folder.py"
    undeployed = client.delete(f"{API}/workflows/svc_dev_folder/deploy/dev", headers=auth("Op"))
    assert undeployed.status_code == 200, undeployed.text


def test_a_refused_authorization_writes_nothing(client: TestClient, auth: Headers) -> None:
    from airflow.utils.session import create_session

    from airflow_canvas.service import workflows
    from airflow_canvas.spec.load import parse_workflow
    from airflow_canvas.store import repository as repo

    r = client.post(f"{API}/workflows", json={"spec": chain_spec("svc_refused")}, headers=auth("Op"))
    assert r.status_code == 201, r.text

    class Refused(Exception):
        pass

    def refuse(before: Any, after: Any) -> None:
        assert before is not None and before.id == after.id == "svc_refused"
        raise Refused

    class Actor:
        def get_name(self) -> str:
            return "tester"

    changed = parse_workflow(chain_spec("svc_refused", 4))
    with create_session() as session, pytest.raises(Refused):
        workflows.save(session, Actor(), "svc_refused", changed, base_version=1, authorize=refuse)
    with create_session() as session:
        assert repo.head(session, "svc_refused").number == 1
    assert [e["event"] for e in _events("svc_refused")] == ["canvas.workflow.create"]
