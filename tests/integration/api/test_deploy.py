"""Deploy through the API: the file appears as a DAG in a real DagBag; a version whose file does not
import leaves the deployed file untouched (and is recorded as failed); redeploying an older version
rolls back; undeploy removes the file; kill -9 mid-deploy never leaves a partial DAG file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]


@pytest.fixture()
def staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "staging"
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS", json.dumps({"staging": str(folder)}))
    return folder


def audit_rows(event: str, workflow_id: str) -> list[dict[str, Any]]:
    from airflow.models.log import Log
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as s:
        # Rows carry dag_id only once Airflow has the DAG (service/audit.py): match the workflow id in extra.
        rows = s.scalars(select(Log).where(Log.event == event).order_by(Log.id)).all()
        found = [{"owner": r.owner, "extra": json.loads(r.extra or "{}")} for r in rows]
        return [r for r in found if r["extra"].get("workflow_id") == workflow_id]


def make(client: TestClient, auth: Headers, wid: str, n: int = 3) -> None:
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(wid, n)}, headers=auth("Op"))
    assert r.status_code == 201, r.text


def test_deploy_appears_in_dagbag_and_is_recorded(client: TestClient, auth: Headers, staging: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    make(client, auth, "dep_bag")
    envs = client.get(f"{API}/environments", headers=auth("Viewer")).json()["items"]
    # Each environment is listed with its kind, target, bindings and promotion rule (issue 16).
    listed = {e["name"]: (e["kind"], e["folder"]) for e in envs}
    assert listed["staging"] == ("folder", str(staging)) and "dev" in listed
    r = client.post(f"{API}/workflows/dep_bag/deploy", json={"environment": "staging"}, headers=auth("Op"))
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "deployed" and r.json()["version"] == 1
    path = staging / "dep_bag.py"
    assert Path(r.json()["path"]) == path and path.is_file()
    bag = DagBag(dag_folder=str(path), safe_mode=False)
    assert bag.import_errors == {} and "dep_bag" in bag.dag_ids
    assert len(bag.get_dag("dep_bag").tasks) == 3
    deps = client.get(f"{API}/workflows/dep_bag/deployments", headers=auth("Viewer")).json()
    assert deps["current"]["staging"]["version"] == 1 and deps["total"] == 1
    rows = audit_rows("canvas.workflow.deploy", "dep_bag")
    assert rows and rows[-1]["owner"] == "t_op"
    assert rows[-1]["extra"] == {"workflow_id": "dep_bag", "version": 1, "environment": "staging"}


def test_failing_import_leaves_old_file_rollback_and_undeploy(
    client: TestClient, auth: Headers, staging: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airflow_canvas.compiler.deploy as deploy_mod
    from airflow_canvas.compiler import CompiledWorkflow, compile_workflow
    from airflow_canvas.spec.load import parse_workflow

    make(client, auth, "dep_fail")
    assert (
        client.post(
            f"{API}/workflows/dep_fail/deploy", json={"environment": "staging"}, headers=auth("Op")
        ).status_code
        == 201
    )
    path = staging / "dep_fail.py"
    good = path.read_bytes()
    spec2 = chain_spec("dep_fail", 4)
    assert (
        client.put(
            f"{API}/workflows/dep_fail", json={"spec": spec2, "base_version": 1}, headers=auth("Op")
        ).status_code
        == 200
    )

    real = compile_workflow

    def broken(wf: Any) -> CompiledWorkflow:  # the generated file raises at import time
        c = real(wf)
        return CompiledWorkflow(
            c.dag_id, c.source + "\nraise RuntimeError('simulated import failure')\n", c.spec_hash, c.tools
        )

    monkeypatch.setattr(deploy_mod, "compile_workflow", broken)
    r = client.post(f"{API}/workflows/dep_fail/deploy", json={"environment": "staging"}, headers=auth("Op"))
    assert r.status_code == 422, r.text
    assert "simulated import failure" in r.json()["detail"] + r.json().get("details", "")
    assert path.read_bytes() == good
    assert sorted(p.name for p in staging.glob("*.py")) == ["dep_fail.py"]
    monkeypatch.setattr(deploy_mod, "compile_workflow", real)
    hist = client.get(f"{API}/workflows/dep_fail/deployments", headers=auth("Viewer")).json()
    assert [d["state"] for d in hist["items"]] == ["failed", "deployed"]
    assert hist["current"]["staging"]["version"] == 1  # the failure did not replace the deployment
    assert audit_rows("canvas.workflow.deploy_failed", "dep_fail")

    # Deploy v2 for real, then roll the deployment back to v1.
    assert (
        client.post(
            f"{API}/workflows/dep_fail/deploy", json={"environment": "staging"}, headers=auth("Op")
        ).json()["version"]
        == 2
    )
    assert path.read_bytes() != good
    r = client.post(
        f"{API}/workflows/dep_fail/deploy", json={"environment": "staging", "version": 1}, headers=auth("Op")
    )
    assert r.status_code == 201 and r.json()["version"] == 1
    v1 = client.get(f"{API}/workflows/dep_fail/versions/1", headers=auth("Viewer")).json()["spec"]
    assert path.read_text() == real(parse_workflow(v1)).source

    r = client.delete(f"{API}/workflows/dep_fail/deploy/staging", headers=auth("Op"))
    assert r.status_code == 200 and r.json()["state"] == "undeployed"
    assert not path.exists()
    assert client.delete(f"{API}/workflows/dep_fail/deploy/staging", headers=auth("Op")).status_code == 404
    assert audit_rows("canvas.workflow.undeploy", "dep_fail")
    assert (
        client.post(
            f"{API}/workflows/dep_fail/deploy", json={"environment": "nowhere"}, headers=auth("Op")
        ).status_code
        == 404
    )


_DEPLOY_CHILD = """
import json, sys
from pathlib import Path
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.compiler.deploy import deploy_workflow
spec = json.loads(Path(sys.argv[1]).read_text())
print("start", flush=True)
deploy_workflow(parse_workflow(spec), Path(sys.argv[2]))
print("done", flush=True)
"""


def test_kill_9_mid_deploy_never_leaves_a_partial_dag_file(tmp_path: Path, airflow_db: Path) -> None:
    from airflow_canvas.compiler import compile_workflow
    from airflow_canvas.spec.load import parse_workflow

    folder = tmp_path / "deploy"
    specs = [chain_spec("dep_kill", 400), chain_spec("dep_kill", 401)]
    sources = {compile_workflow(parse_workflow(s)).source for s in specs}
    spec_files = []
    for i, s in enumerate(specs):
        f = tmp_path / f"spec{i}.json"
        f.write_text(json.dumps(s))
        spec_files.append(f)
    first = subprocess.run(
        [sys.executable, "-c", _DEPLOY_CHILD, str(spec_files[0]), str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr
    t0 = time.monotonic()
    full = subprocess.run(
        [sys.executable, "-c", _DEPLOY_CHILD, str(spec_files[1]), str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert full.returncode == 0, full.stderr
    duration = time.monotonic() - t0
    # Kill at several points of a deploy (startup, compile, import check, write); alternate specs so
    # every attempt really has something to replace.
    for attempt, fraction in enumerate((0.2, 0.5, 0.75, 0.9, 0.97)):
        proc = subprocess.Popen(
            [sys.executable, "-c", _DEPLOY_CHILD, str(spec_files[attempt % 2]), str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(duration * fraction)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        dag_files = list(folder.glob("*.py"))
        assert [p.name for p in dag_files] == ["dep_kill.py"], dag_files
        assert dag_files[0].read_text() in sources, f"partial DAG file after kill at {fraction:.0%}"
