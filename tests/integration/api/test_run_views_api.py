"""The routes behind the canvas's run views, over a real run (``airflow dags test``) of a workflow
created and deployed through the API: the run-history grid, a node's recorded inputs, data on
edges and the prediction in /metrics; and who may read them: a user whose role may read the DAG's
runs and task instances but not its XComs gets the grid without tokens and cost and no inputs or
edge samples (Airflow's own XCom permission), a user without canvas access nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import airflow_cli
from tests.integration.api.conftest import API, PASSWORD
from tests.integration.policies_run import run_dag

WID = "run_views_api"
NO_XCOM_ROLE = "RunsNoXCom"
NO_XCOM_USER = "t_runs_no_xcom"

SPEC: dict[str, Any] = {
    "id": WID,
    "nodes": [
        {
            "id": "gen",
            "type": "process",
            "process": {"language": "python", "expression": "result = {'rows': [1, 2, 3], 'note': 'x' * 50}"},
        },
        {"id": "pick", "type": "process", "process": {"language": "jmespath", "expression": "rows"}},
        {"id": "last", "type": "process", "process": {"language": "jmespath", "expression": "@"}},
    ],
    "edges": [
        {"source": "gen", "target": "pick"},
        {"source": "pick", "target": "last", "mapping": [{"source": "", "target": "values"}]},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def ran(client: TestClient, auth: Any, dags_folder: Path) -> str:
    r = client.post(f"{API}/workflows", json={"spec": SPEC}, headers=auth("Admin"))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = {"environment": "dev"}
    r = client.post(f"{API}/workflows/{WID}/deploy", json=body, headers=auth("Admin"))
    if r.status_code == 428:
        body["confirm_code"] = r.json()["confirm_code"]
        r = client.post(f"{API}/workflows/{WID}/deploy", json=body, headers=auth("Admin"))
    assert r.status_code == 201, r.text
    result = run_dag(WID)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    r = client.get(f"{API}/workflows/{WID}/runs", headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    return r.json()["items"][0]["run_id"]


@pytest.fixture(scope="module")
def no_xcom(client: TestClient, ran: str) -> dict[str, str]:
    """Canvas read, and on this DAG: runs and task instances, not XComs."""
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder
    from airflow.providers.fab.www.security import permissions as p

    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        role = sm.find_role(NO_XCOM_ROLE) or sm.add_role(NO_XCOM_ROLE)
        for action, resource in [
            ("can_read", "Canvas Workflows"),
            (p.ACTION_CAN_READ, p.resource_name(WID, p.RESOURCE_DAG)),
            (p.ACTION_CAN_READ, p.resource_name(WID, p.RESOURCE_DAG_RUN)),
            (p.ACTION_CAN_READ, p.RESOURCE_TASK_INSTANCE),
            (p.ACTION_CAN_READ, p.RESOURCE_DAG_RUN),
        ]:
            sm.add_permission_to_role(role, sm.create_permission(action, resource))
    airflow_cli(
        "users", "create", "-u", NO_XCOM_USER, "-p", PASSWORD, "-r", NO_XCOM_ROLE,
        "-f", "No", "-l", "XCom", "-e", f"{NO_XCOM_USER}@example.com",
        check=False,
    )  # fmt: skip
    r = client.post("/auth/token", json={"username": NO_XCOM_USER, "password": PASSWORD})
    assert r.status_code in (200, 201), r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_run_history_has_a_cell_per_node_and_run(client: TestClient, auth: Any, ran: str) -> None:
    r = client.get(f"{API}/workflows/{WID}/run-history", params={"limit": 5}, headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [run["run_id"] for run in body["runs"]] == [ran] and body["runs"][0]["state"] == "success"
    assert body["with_usage"] is True and body["runs"][0]["cost"] == 0
    assert set(body["nodes"]) == {"gen", "pick", "last"}
    cell = body["nodes"]["pick"][ran]
    assert cell["state"] == "success" and cell["tries"] == 1 and cell["duration"] >= 0
    assert (cell["tokens"], cell["cost"]) == (0, 0)


def test_inputs_are_what_the_node_received(client: TestClient, auth: Any, ran: str) -> None:
    r = client.get(f"{API}/workflows/{WID}/runs/{ran}/nodes/last/inputs", headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    assert r.json()["value"] == {"values": [1, 2, 3]}  # through the edge's mapping
    r = client.get(f"{API}/workflows/{WID}/runs/{ran}/nodes/pick/inputs", headers=auth("Viewer"))
    assert r.json()["value"] == {"rows": [1, 2, 3], "note": "x" * 50}
    r = client.get(f"{API}/workflows/{WID}/runs/{ran}/nodes/nope/inputs", headers=auth("Viewer"))
    assert r.status_code == 404 and "nope" in r.json()["detail"]


def test_edges_carry_counts_sizes_and_samples(client: TestClient, auth: Any, ran: str) -> None:
    r = client.get(f"{API}/workflows/{WID}/runs/{ran}/edges", headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    edges = r.json()["edges"]
    assert edges["pick->last"] == {
        "source": "pick", "target": "last", "items": 3, "bytes": 9, "sample": "[1, 2, 3]", "truncated": False,
    }  # fmt: skip
    gen = edges["gen->pick"]
    assert gen["items"] == 1 and gen["bytes"] > 60 and gen["sample"].startswith('{"rows": [1, 2, 3]')


def test_metrics_predict_the_next_run(client: TestClient, auth: Any, ran: str) -> None:
    r = client.get(f"{API}/workflows/{WID}/metrics", headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    prediction = r.json()["prediction"]
    assert prediction["critical_path"] == ["gen", "pick", "last"]
    assert prediction["duration_seconds"] == pytest.approx(sum(prediction["node_seconds"].values()), abs=0.01)
    assert prediction["cost_usd"] is None and prediction["nodes_without_history"] == []


def test_without_xcom_access_no_inputs_no_edge_samples_no_cost(
    client: TestClient, auth: Any, ran: str, no_xcom: dict[str, str]
) -> None:
    for path in (f"runs/{ran}/nodes/last/inputs", f"runs/{ran}/edges", f"runs/{ran}/nodes/last/output"):
        r = client.get(f"{API}/workflows/{WID}/{path}", headers=no_xcom)
        assert r.status_code == 403, (path, r.text)
    r = client.get(f"{API}/workflows/{WID}/run-history", headers=no_xcom)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["with_usage"] is False and body["runs"][0]["cost"] is None
    assert body["nodes"]["pick"][ran]["tokens"] is None and body["nodes"]["pick"][ran]["cost"] is None


def test_no_canvas_role_and_anonymous_are_refused(client: TestClient, auth: Any, ran: str) -> None:
    for path in ("run-history", f"runs/{ran}/edges", f"runs/{ran}/nodes/last/inputs"):
        assert client.get(f"{API}/workflows/{WID}/{path}", headers=auth("NoCanvas")).status_code == 403
        assert client.get(f"{API}/workflows/{WID}/{path}").status_code == 401
