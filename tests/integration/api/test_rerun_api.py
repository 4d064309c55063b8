""" "Re-run from this node" on a real Airflow run: the node's task instance and its downstream are
cleared by Airflow's own clear (the run is queued again, upstream tasks keep their state), the
audit log records it, and roles without Airflow's DAG edit permission cannot clear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.integration.api.conftest import API, chain_spec
from tests.integration.policies_run import deploy, run_dag, task_instances

DAG_ID = "rerun_api_wf"


@pytest.fixture(scope="module")
def real_run(airflow_db: Path, dags_folder: Path, client: Any, auth: Any) -> str:
    """A stored workflow start -> p1 -> p2 -> end, deployed and run for real (`airflow dags test`)."""
    spec = chain_spec(DAG_ID, 4)
    r = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Admin"))
    assert r.status_code in (201, 409), r.text
    deploy(spec, dags_folder)
    result = run_dag(DAG_ID)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert {state for _, _, state, _ in task_instances(DAG_ID)} == {"success"}
    runs = client.get(f"{API}/workflows/{DAG_ID}/runs", headers=auth("Admin")).json()
    return str(runs["items"][0]["run_id"])


def clear(client: Any, auth: Any, run_id: str, node: str, role: str, **body: Any) -> Any:
    url = f"{API}/workflows/{DAG_ID}/runs/{run_id}/nodes/{node}/clear"
    return client.post(url, json=body, headers=auth(role))


@pytest.mark.parametrize("role", ["Viewer", "NoCanvas"])
def test_roles_without_dag_edit_cannot_clear(client: Any, auth: Any, real_run: str, role: str) -> None:
    r = clear(client, auth, real_run, "p1", role, dry_run=False)
    assert r.status_code == 403, r.text
    assert {state for _, _, state, _ in task_instances(DAG_ID)} == {"success"}  # nothing changed
    url = f"{API}/workflows/{DAG_ID}/runs/{real_run}/nodes/p1/clear"
    assert client.post(url, json={"dry_run": False}).status_code == 401


def test_rerun_from_a_node_clears_it_and_its_downstream(client: Any, auth: Any, real_run: str) -> None:
    from airflow.models import DagRun
    from airflow.models.log import Log
    from airflow.utils.session import create_session

    dry = clear(client, auth, real_run, "p2", "Op", dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json()["task_ids"] == ["end", "p2"]
    assert {state for _, _, state, _ in task_instances(DAG_ID)} == {"success"}  # a dry run changes nothing

    assert clear(client, auth, real_run, "p2", "Op").status_code == 422  # dry_run must be said
    r = clear(client, auth, real_run, "p2", "Op", dry_run=False)
    assert r.status_code == 200, r.text
    assert r.json()["task_ids"] == ["end", "p2"] and r.json()["run_state"] == "queued"
    states = {task: state for task, _, state, _ in task_instances(DAG_ID)}
    assert states == {"start": "success", "p1": "success", "p2": None, "end": None}
    with create_session() as s:
        run = s.scalar(select(DagRun).where(DagRun.dag_id == DAG_ID, DagRun.run_id == real_run))
        assert str(getattr(run.state, "value", run.state)) == "queued"
        rows = s.scalars(select(Log).where(Log.event == "canvas.run.clear", Log.owner == "t_op")).all()
        assert rows and '"node_id": "p2"' in (rows[-1].extra or "")


def test_unknown_node_or_run_is_404(client: Any, auth: Any, real_run: str) -> None:
    r = clear(client, auth, real_run, "ghost", "Admin", dry_run=True)
    assert r.status_code == 404 and "ghost" in r.json()["detail"]
    r = clear(client, auth, "no_such_run", "p1", "Admin", dry_run=True)
    assert r.status_code == 404
