"""The Deploy dialog shows the executable code a deploy puts live and deploys only once the Op ticks
"I have reviewed this code": a workflow with a Python process node, deployed through the dialog
against the real Airflow; the audit row names who confirmed and the confirmation hash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.browser.canvas_page import CanvasPage

API = "/airflow-canvas/api"
WF = "deploy_code_review"
CODE = "rows = inputs.get('rows') or []\nresult = {'count': len(rows)}"


def test_deploy_dialog_lists_code_and_needs_review(
    live_airflow: Any, new_page: Any, artifacts_dir: Path
) -> None:
    spec = {
        "id": WF,
        "name": "Deploy code review",
        "nodes": [
            {"id": "start", "type": "input", "ui": {"position": {"x": 0, "y": 0}}},
            {
                "id": "count_rows",
                "type": "process",
                "name": "Count rows",
                "process": {"language": "python", "expression": CODE},
                "ui": {"position": {"x": 300, "y": 0}},
            },
            {"id": "end", "type": "output", "ui": {"position": {"x": 600, "y": 0}}},
        ],
        "edges": [{"source": "start", "target": "count_rows"}, {"source": "count_rows", "target": "end"}],
    }
    with live_airflow.client("Op") as api:
        r = api.post(f"{API}/workflows", json={"spec": spec, "message": "created by the deploy review test"})
        assert r.status_code == 201, r.text

    page = new_page("deploy-code-review")
    live_airflow.browser_login(page, "Op")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(WF)
    cv.tid("tab-deploy").click()
    change = cv.tid("deploy-code-change-0")
    change.wait_for()
    text = change.inner_text()
    assert "node count_rows" in text and "/nodes/1/process/expression" in text and "added" in text
    diff = cv.tid("deploy-code-diff-0").inner_text()
    assert "+ result = {'count': len(rows)}" in diff
    deploy = cv.tid("deploy-confirm")
    assert deploy.is_disabled()  # not before the code was reviewed
    cv.tid("deploy-reviewed").check()
    assert deploy.is_enabled()
    cv.tid("deploy-code-review").scroll_into_view_if_needed()
    shot = cv.shot("deploy-code-review")
    deploy.click()
    cv.tid("deploy-result").wait_for(timeout=120_000)
    # Deployed: nothing left to review for this environment.
    cv.tid("deploy-no-code-changes").wait_for()
    cv.shot("deploy-code-reviewed-deployed")
    assert shot.is_file()
    assert (live_airflow.dags_folder / f"{WF}.py").is_file()

    with live_airflow.client("Admin") as api:
        deployments = api.get(f"{API}/workflows/{WF}/deployments").json()
        assert deployments["current"]["dev"]["version"] == 1
        logs = api.get("/api/v2/eventLogs", params={"event": "canvas.workflow.deploy", "limit": 100}).json()
    rows = [
        json.loads(e["extra"]) | {"owner": e["owner"]}
        for e in logs["event_logs"]
        if e["extra"] and json.loads(e["extra"]).get("workflow_id") == WF
    ]
    assert rows, logs
    assert rows[-1]["code_confirmed_by"] == rows[-1]["owner"] and len(rows[-1]["confirm_code"]) == 64
