"""End to end with real processes (api-server with the plugin, scheduler, dag-processor, LocalExecutor,
SQLite): create a workflow through the canvas API, deploy it, trigger it with params, poll per-node
status until success, read a node's XCom output, and find the audit rows of every step."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.live_airflow import LiveAirflow, live_airflow  # noqa: F401 (session fixture)

API = "/airflow-canvas/api"
WID = "e2e_hello"
SPEC: dict[str, Any] = {
    "id": WID,
    "name": "E2E hello",
    "nodes": [
        {
            "id": "start",
            "type": "input",
            "input_schema": {
                "type": "object",
                "properties": {"name": {"type": "string", "default": "world"}},
            },
        },
        {
            "id": "shape",
            "type": "process",
            "process": {"language": "jmespath", "expression": "{greeting: join(' ', ['hello', name])}"},
        },
        {"id": "end", "type": "output"},
    ],
    "edges": [{"source": "start", "target": "shape"}, {"source": "shape", "target": "end"}],
}


@pytest.mark.e2e
@pytest.mark.slow
def test_create_deploy_run_status_output_audit(live_airflow: LiveAirflow) -> None:  # noqa: F811
    live = live_airflow
    with live.client("User") as user, live.client("Op") as op:
        r = user.post(f"{API}/workflows", json={"spec": SPEC, "message": "first version"})
        assert r.status_code == 201, r.text
        assert user.post(f"{API}/workflows/{WID}/deploy", json={"environment": "dev"}).status_code == 403

        r = op.post(f"{API}/workflows/{WID}/deploy", json={"environment": "dev"})
        assert r.status_code == 201, r.text
        assert (live.dags_folder / f"{WID}.py").is_file()
        live.wait_for_dag(WID, timeout=180)

        with live.client("Viewer") as viewer:  # Airflow's own DAG permission: Viewer may not run it
            assert viewer.post(f"{API}/workflows/{WID}/runs", json={}).status_code == 403
        r = user.post(f"{API}/workflows/{WID}/runs", json={"params": {"name": "canvas"}})
        assert r.status_code == 201, r.text
        run_id = r.json()["run_id"]
        assert r.json()["conf"] == {"name": "canvas"}

        deadline = time.monotonic() + 300
        seen_states: set[str] = set()
        status: dict[str, Any] = {}
        while time.monotonic() < deadline:
            status = user.get(f"{API}/workflows/{WID}/runs/{run_id}").json()
            seen_states.update(n["state"] for n in status["nodes"].values() if n["state"])
            if status["state"] in ("success", "failed"):
                break
            time.sleep(2)
        assert status.get("state") == "success", status
        nodes = status["nodes"]
        assert set(nodes) == {"start", "shape", "end"}
        for node in nodes.values():
            assert node["state"] == "success" and node["try_number"] == 1, node
            assert node["duration"] is not None and node["start_date"] and node["end_date"]
            assert node["log_url"].endswith(f"/tasks/{node['task_id']}") and node["map_count"] is None
        r = user.get(f"{API}/workflows/{WID}/runs/{run_id}/nodes/shape/output")
        assert r.status_code == 200, r.text
        assert r.json()["value"] == {"greeting": "hello canvas"}
        runs = user.get(f"{API}/workflows/{WID}/runs").json()
        assert [x["run_id"] for x in runs["items"]] == [run_id]

        # Airflow's audit log (what its Audit Log page shows) has a row for every canvas step.
        with live.client("Admin") as admin:
            r = admin.get("/api/v2/eventLogs", params={"dag_id": WID, "limit": 100})
        assert r.status_code == 200, r.text
        logs = r.json()["event_logs"]
        events = {(e["event"], e["owner"]) for e in logs}
        assert ("canvas.workflow.create", live.username("User")) in events
        assert ("canvas.workflow.deploy", live.username("Op")) in events
        assert ("canvas.workflow.run", live.username("User")) in events
        deploy_row = next(e for e in logs if e["event"] == "canvas.workflow.deploy")
        assert '"environment": "dev"' in deploy_row["extra"] and '"version": 1' in deploy_row["extra"]
