"""A big workflow zoomed out (issue 18, 5000-node target), in a real browser against a real Airflow: a
3000-node workflow opens fitted on the canvas's far layer (one <canvas>, no React Flow node mounted),
a run's states show there as colours, and clicking a node zooms in to the real nodes with their
names and run state. Screenshots: tests/artifacts/canvas-far-layer-*.png.

The workflow is stored in and opened from the real plugin; the run's per-node states come from the
benchmark's run fixtures (benchmarks/canvas.py), answered by the page's request routing: running
3000 tasks in Airflow for one picture is out of reach of a test, and what is tested is the drawing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from benchmarks.canvas import RUN_IDS, run_detail, run_edges, run_summary, synthetic_workflow
from tests.browser.canvas_page import CanvasPage
from tests.browser.test_copilot_browser import create_workflow

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

N = 3000

# Pixels of the far layer per run-state colour (styles.css --cv-success / --cv-failed / --cv-idle).
COLOURS_JS = """() => {
    const c = document.querySelector('[data-testid="far-layer"]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const near = (i, r, g, b) => Math.abs(d[i] - r) < 12 && Math.abs(d[i + 1] - g) < 12 && Math.abs(d[i + 2] - b) < 12;
    const out = {success: 0, failed: 0, idle: 0};
    for (let i = 0; i < d.length; i += 4) {
        if (near(i, 22, 163, 74)) out.success += 1;
        else if (near(i, 220, 38, 38)) out.failed += 1;
        else if (near(i, 154, 163, 175)) out.idle += 1;
    }
    return out;
}"""


def big_spec(workflow_id: str) -> dict[str, Any]:
    spec = synthetic_workflow(N)
    spec["id"] = workflow_id
    spec["name"] = "Far layer"
    # Process steps between the input and the output: no tool or agent configuration to set up, and
    # the layer draws every node type the same.
    for n in spec["nodes"]:
        if n["type"] in ("tool", "agent"):
            n["type"] = "process"
            n.pop("tool", None)
    return spec


def route_runs(page: Any, spec: dict[str, Any]) -> None:
    wid = spec["id"]

    def answer(route: Any) -> None:
        parts = route.request.url.split("?")[0].split(f"/workflows/{wid}/runs")[1].strip("/").split("/")
        if parts == [""]:
            items = [run_summary(wid, r, i) for i, r in enumerate(RUN_IDS)]
            body: Any = {"items": items, "limit": 25, "offset": 0, "total": len(items)}
        elif len(parts) == 1:
            body = run_detail(spec, parts[0])
        elif parts[1:] == ["edges"]:
            body = run_edges(spec, parts[0])
        else:
            return route.continue_()
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route(re.compile(rf".*/airflow-canvas/api/workflows/{wid}/runs(/.*)?(\?.*)?$"), answer)


def test_a_big_workflow_opens_on_the_far_layer_with_run_colours_and_zooms_in_to_real_nodes(
    live_airflow: Any, new_page: Any, artifacts_dir: Path
) -> None:
    spec = big_spec("far_layer")
    create_workflow(live_airflow, spec)
    page = new_page("far_layer")
    live_airflow.browser_login(page, "Admin")
    route_runs(page, spec)
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(spec["id"])
    layer = page.locator('[data-testid="far-layer"][data-painted="true"]')
    layer.wait_for(timeout=60_000)
    # Every node and edge is on the layer; React Flow mounts none of them (nor the minimap).
    assert layer.get_attribute("data-nodes") == str(N)
    assert layer.get_attribute("data-edges") == str(N - 1)
    assert page.locator('[data-testid="canvas"] .react-flow__node').count() == 0
    assert page.locator('[data-testid="minimap"]').count() == 0
    before = page.evaluate(COLOURS_JS)
    assert before["idle"] > 1000 and before["success"] == 0 and before["failed"] == 0, before

    # Show the latest run as a user does: its states become the nodes' colours on the layer.
    cv.tid("tab-runs").click()
    page.locator(f'[data-testid="run-row-{RUN_IDS[0]}"] button').first.click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"far-layer\"]')?.dataset.idle === '0'", timeout=60_000
    )
    page.wait_for_timeout(300)
    states = json.loads(layer.get_attribute("data-states") or "{}")
    assert states == {"success": 1800, "failed": 300, "up_for_retry": 300, "running": 300, "skipped": 300}
    after = page.evaluate(COLOURS_JS)
    # 60% of the nodes succeeded, 10% failed: both colours cover the layer, grey is gone.
    assert after["success"] > 1000 and after["failed"] > 150 and after["idle"] < before["idle"] / 10, after
    cv.shot("canvas-far-layer-run")

    # Click a node on the layer (n1, the second node of the first row): it is selected and zoomed
    # into, where the real node is drawn with its name and run state.
    box = page.evaluate(
        """() => { const c = document.querySelector('[data-testid="far-layer"]').getBoundingClientRect();
            const t = new DOMMatrix(getComputedStyle(document.querySelector(
                '[data-testid="canvas"] .react-flow__viewport')).transform);
            return {x: c.left + t.e + (260 + 100) * t.a, y: c.top + t.f + 32 * t.a}; }"""
    )
    page.mouse.click(box["x"], box["y"])
    node = page.locator('[data-testid="canvas"] [data-testid="node-n1"]')
    node.wait_for(timeout=30_000)
    assert page.locator('[data-testid="far-layer"]').count() == 0
    assert node.get_attribute("data-state") == "success"  # node_state(1, 0) in benchmarks/canvas.py
    assert "Step 1" in node.inner_text()
    assert page.locator('[data-testid="canvas"] .react-flow__node.selected[data-id="n1"]').count() == 1
    # Culled to the view: a few of the 3000 nodes are mounted.
    mounted = page.locator('[data-testid="canvas"] .react-flow__node').count()
    assert 0 < mounted < 300, mounted
    cv.shot("canvas-far-layer-zoomed-in")
