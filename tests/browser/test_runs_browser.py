"""Runs you can read (issue 18 item 3), in a real browser against a real Airflow (api-server,
scheduler, dag-processor): the Run form opened before Airflow has the DAG waits for the deploy and
the parse and opens by itself; two real runs; then each node's strip of runs and the shown run's figures on the
canvas, the node panel's inputs, output and metrics, data on an edge (items, size, a sample on
hover), the prediction, and the run-history grid switching the canvas between the runs.
Screenshot for the README: tests/artifacts/canvas-NN-node-run-strip-and-metrics.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

WF = "browser_runs"
API = "/airflow-canvas/api"
SPEC: dict[str, Any] = {
    "id": WF,
    "name": "Runs you can read",
    "nodes": [
        {
            "id": "gen",
            "type": "process",
            "name": "Generate",
            "process": {"language": "python", "expression": "result = {'rows': [1, 2, 3], 'source': 'browser'}"},
            "ui": {"position": {"x": 0, "y": 0}},
        },
        {
            "id": "pick",
            "type": "process",
            "name": "Pick rows",
            "process": {"language": "jmespath", "expression": "rows"},
            "ui": {"position": {"x": 360, "y": 0}},
        },
        {
            "id": "last",
            "type": "process",
            "name": "Keep",
            "process": {"language": "jmespath", "expression": "@"},
            "ui": {"position": {"x": 720, "y": 0}},
        },
    ],
    "edges": [
        {"source": "gen", "target": "pick"},
        {"source": "pick", "target": "last", "mapping": [{"source": "", "target": "values"}]},
    ],
}  # fmt: skip


def _deploy(api: Any) -> None:
    body: dict[str, Any] = {"environment": "dev"}
    r = api.post(f"{API}/workflows/{WF}/deploy", json=body)
    if r.status_code == 428:  # the deploy adds code: confirm exactly that code
        body["confirm_code"] = r.json()["confirm_code"]
        r = api.post(f"{API}/workflows/{WF}/deploy", json=body)
    assert r.status_code == 201, r.text


def test_runs_you_can_read(live_airflow: Any, new_page: Any, artifacts_dir: Path) -> None:
    with live_airflow.client("Admin") as api:
        if api.get(f"{API}/workflows/{WF}").status_code == 404:
            api.post(f"{API}/workflows", json={"spec": SPEC, "message": "runs"}).raise_for_status()
    page = new_page("runs")
    live_airflow.browser_login(page, "Admin")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(WF)
    cv.tid("node-gen").wait_for()

    # The Run form opened before Airflow has the DAG (not deployed yet, then not parsed yet) says it
    # is waiting, offers no trigger, and turns into the trigger form by itself once Airflow has
    # parsed the deployed DAG: nothing is reopened or refreshed.
    cv.tid("run-button").click()
    cv.tid("trigger-no-dag").filter(has_text="Waiting for Airflow to parse").wait_for()
    assert cv.tid("trigger-confirm").is_disabled()
    cv.shot("run-form-waits-for-the-parse")
    with live_airflow.client("Admin") as api:
        _deploy(api)
    cv.page.wait_for_function(
        "() => { const b = document.querySelector('[data-testid=\"trigger-confirm\"]'); return b && !b.disabled; }",
        timeout=120_000,
    )
    assert cv.tid("trigger-no-dag").count() == 0
    cv.tid("trigger-confirm").click()
    cv.tid("run-banner").wait_for()
    for node in ("gen", "pick", "last"):
        page.locator(f'[data-testid="node-{node}"][data-state="success"]').wait_for(timeout=240_000)
    page.locator('[data-testid="run-banner-state"]').filter(has_text="success").wait_for(timeout=60_000)

    # A second run: the strips and the history have two runs to show.
    cv.tid("run-button").click()
    # The Run form's prediction (the Runs tab behind it shows its own, as run-prediction).
    cv.tid("trigger-prediction").wait_for()  # predicted from the first run
    assert "Predicted next run: ~" in cv.tid("trigger-prediction").inner_text()
    cv.tid("trigger-confirm").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"node-strip-pick\"] > span').length === 2",
        timeout=240_000,
    )
    for node in ("gen", "pick", "last"):
        page.locator(f'[data-testid="node-{node}"][data-state="success"]').wait_for(timeout=240_000)
    page.locator('[data-testid="run-banner-state"]').filter(has_text="success").wait_for(timeout=60_000)

    # Each node: its last runs as a strip, the newest (shown) one marked.
    strip = cv.tid("node-strip-pick").locator("span")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"node-strip-pick\"] > span')]"
        ".every(s => s.dataset.state === 'success')",
        timeout=60_000,
    )
    assert [strip.nth(i).get_attribute("data-selected") for i in range(2)] == ["false", "true"]

    # Data on the edge pick -> last in the shown run: 3 items, 9 bytes, the sample on hover.
    flow = cv.tid("edge-flow-pick->last")
    flow.wait_for(timeout=60_000)
    assert flow.inner_text() == "3 items · 9 B"
    assert flow.get_attribute("title") == "[1, 2, 3]"
    assert cv.tid("edge-flow-gen->pick").inner_text().startswith("1 item · ")

    # The node panel: the strip, the shown run's figures, p50/p90, its inputs and output.
    cv.select_node("pick")
    cv.tid("tab-properties").click()
    panel = cv.tid("node-runs")
    panel.scroll_into_view_if_needed()
    cv.tid("node-runs-inputs").filter(has_text='"source": "browser"').wait_for()
    assert '"rows": [' in cv.tid("node-runs-inputs").inner_text()
    cv.tid("node-runs-output").filter(has_text="3").wait_for()
    assert cv.tid("node-runs-duration").inner_text() not in ("", "—")
    assert cv.tid("node-runs-cost").inner_text() == "$0"
    stats = cv.tid("node-runs-stats").inner_text()
    assert stats.startswith("Over 2 runs: p50 ") and "p90" in stats, stats
    assert cv.tid("node-runs-strip").locator("span").count() == 2
    cv.select_node("last")
    cv.tid("node-runs-inputs").filter(has_text='"values"').wait_for()
    cv.select_node("pick")
    cv.tid("fit-button").click()
    cv.tid("node-runs-inputs").filter(has_text='"source": "browser"').wait_for()
    cv.tid("node-runs-output").filter(has_text="3").wait_for()
    cv.tid("node-runs").scroll_into_view_if_needed()
    cv.shot("node-run-strip-and-metrics")

    # The run-history grid: pick the first run and the canvas shows that run.
    cv.tid("tab-runs").click()
    grid = cv.tid("run-grid")
    grid.wait_for()
    columns = grid.locator('[data-testid^="run-grid-run-"]')
    assert columns.count() == 2
    first = (columns.nth(0).get_attribute("data-testid") or "").removeprefix("run-grid-run-")
    second = (columns.nth(1).get_attribute("data-testid") or "").removeprefix("run-grid-run-")
    assert columns.nth(1).get_attribute("data-selected") == "true"
    assert cv.tid(f"run-grid-cell-pick-{first}").get_attribute("data-state") == "success"
    columns.nth(0).click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"node-strip-pick\"] > span')?.dataset.selected === 'true'"
    )
    assert columns.nth(0).get_attribute("data-selected") == "true"
    cv.tid(f"run-row-{first}").wait_for()
    assert first in cv.tid("run-banner").inner_text() or first in page.content()
    assert second != first
    cv.tid("edge-flow-pick->last").wait_for()
    cv.shot("run-history-grid")
