"""The policies routes through the real Airflow API app: per-node metrics over a real run (Airflow's
task-instance permissions plus the canvas read permission) and the notifier catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.conftest import API
from tests.integration.policies_run import deploy, run_dag

DAG_ID = "pol_api_metrics"


@pytest.fixture(scope="module")
def one_run(airflow_db: Path, dags_folder: Path) -> None:
    tool = {"data": {"a": [1, 2]}, "expression": "a[1]"}
    spec = {
        "id": DAG_ID,
        "nodes": [
            {"id": "solo", "type": "process"},
            {"id": "pick", "type": "tool", "tool": "json_transform@^1", "parameters": tool},
        ],
    }
    deploy(spec, dags_folder)
    result = run_dag(DAG_ID)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_metrics_route_aggregates_the_run(one_run: None, client: Any, auth: Any) -> None:
    r = client.get(f"{API}/workflows/{DAG_ID}/metrics", params={"limit": 5}, headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["runs"] == 1 and body["limit"] == 5
    solo = body["nodes"]["solo"]
    assert (solo["runs"], solo["success"], solo["tries"]["max"]) == (1, 1, 1)
    assert solo["predicted_duration_seconds"] is not None
    assert body["predicted_duration_seconds"] is not None
    # The tool node stores no metrics XCom; its one call is counted from its task instance.
    assert (solo["tool_calls"], body["nodes"]["pick"]["tool_calls"]) == (0, 1)
    assert body["nodes"]["pick"]["tokens"] == {"total": 0, "mean_per_run": 0.0}
    assert body["nodes"]["pick"]["cost"] == 0


def test_metrics_route_is_authorized(client: Any, auth: Any) -> None:
    assert client.get(f"{API}/workflows/{DAG_ID}/metrics", headers=auth("NoCanvas")).status_code == 403
    assert client.get(f"{API}/workflows/{DAG_ID}/metrics").status_code == 401
    r = client.get(f"{API}/workflows/{DAG_ID}/metrics", params={"limit": 0}, headers=auth("Viewer"))
    assert r.status_code == 422


def test_notifier_catalogue(client: Any, auth: Any) -> None:
    r = client.get(f"{API}/catalogue/notifiers", headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    smtp = next(item for item in r.json()["items"] if item["key"] == "smtp")
    assert smtp["roles"]["message"] == "html_content"
    assert "from_email" in smtp["parameters_schema"]["properties"]


def test_change_node_type_reports_what_is_dropped(client: Any, auth: Any) -> None:
    spec = {
        "id": "pol_types",
        "nodes": [
            {
                "id": "a",
                "type": "agent",
                "name": "Ask",
                "agent": {"prompt": "Hi"},
                "ui": {"color": "#123456"},
            },
        ],
    }
    r = client.post(
        f"{API}/nodes/change-type",
        json={"spec": spec, "node_id": "a", "type": "tool"},
        headers=auth("Viewer"),
    )
    assert r.status_code == 200, r.text
    node = r.json()["spec"]["nodes"][0]
    assert (node["type"], node["name"], node["ui"]["color"]) == (
        "tool",
        "Ask",
        "#123456",
    ) and "agent" not in node
    assert [(p["code"], p["pointer"]) for p in r.json()["problems"]] == [
        ("W_TYPE_CHANGE_DROPPED", "/nodes/0/agent")
    ]
    missing = client.post(
        f"{API}/nodes/change-type",
        json={"spec": spec, "node_id": "b", "type": "tool"},
        headers=auth("Viewer"),
    )
    assert missing.status_code == 404 and missing.json()["problems"][0]["code"] == "E_NODE_UNKNOWN"
