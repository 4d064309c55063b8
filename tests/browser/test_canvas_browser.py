"""The Canvas in a real browser against a real Airflow (api-server + scheduler + dag-processor),
logged in through FAB's login form: build, group, edit, validate, undo/redo, version, diff, roll
back, deploy, trigger and watch a run, read a node's output; a Viewer gets a read-only canvas.
Screenshots of each state go to tests/artifacts/canvas-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

WF = "browser_built"
PARAMS_SCHEMA = '{"type": "object", "properties": {"topic": {"type": "string", "default": "canvas"}}}'


def test_build_edit_version_deploy_and_run(live_airflow: Any, new_page: Any, artifacts_dir: Path) -> None:
    page = new_page("admin")
    live_airflow.browser_login(page, "Admin")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)

    # Open the Canvas from Airflow's own navigation and create a blank workflow.
    cv.open_from_nav()
    cv.shot("workflow-list")
    cv.tid("new-workflow").click()
    cv.tid("new-name").fill("Browser built")
    cv.tid("new-id").fill(WF)
    cv.tid("new-create").click()
    cv.tid("editor-title").wait_for()
    assert cv.tid("editor-title").inner_text() == "Browser built"

    # Six nodes dragged from the palette into one row (zoomed out so the row fits), connected
    # handle to handle.
    page.locator(".react-flow__controls-zoomout").click()
    page.locator(".react-flow__controls-zoomout").click()
    for i, item in enumerate(["input", "process", "process", "process", "process", "output"]):
        cv.drop(item, 30 + i * 160, 200)
    for node in ("input", "process", "process_2", "process_3", "process_4", "output"):
        cv.tid(f"node-{node}").wait_for()
    chain = ["input", "process", "process_2", "process_3", "process_4", "output"]
    for source, target in zip(chain, chain[1:], strict=False):
        cv.connect(source, target)
    assert cv.edge_count() == 5
    cv.wait_valid()
    cv.shot("six-nodes-connected")

    # Edit properties: a name (shown on the node), a description with preview, the params schema.
    cv.select_node("process")
    cv.tid("prop-name").fill("Clean up")
    cv.tid("node-name-process").filter(has_text="Clean up").wait_for()
    cv.tid("prop-description").fill("Removes **noise** from the input.")
    cv.tid("prop-description-preview-toggle").click()
    assert "noise" in cv.tid("markdown-preview").inner_text()
    cv.select_node("input")
    cv.tid("prop-input-schema").fill(PARAMS_SCHEMA)
    cv.shot("properties")

    # A validation error is highlighted on the node and the field, then fixed.
    cv.select_node("process_4")
    cv.tid("prop-process-expression").fill("foo[")
    cv.tid("node-problem-process_4").wait_for(timeout=20_000)
    cv.tid("prop-process-expression-error").wait_for()
    assert cv.tid("node-process_4").get_attribute("data-problems") != "0"
    cv.shot("validation-error")
    cv.tid("prop-process-expression").fill("@")
    cv.tid("node-problem-process_4").wait_for(state="detached", timeout=20_000)
    cv.wait_valid()

    # Group two nodes (Ctrl+G), collapse (members hidden, one group node), expand again.
    cv.select_node("process_2")
    cv.select_node("process_3", add=True)
    page.keyboard.press("Control+g")
    group = cv.tid("group-group_1")
    group.wait_for()
    cv.tid("group-toggle-group_1").click()
    page.locator('[data-testid="group-group_1"][data-collapsed="true"]').wait_for()
    assert cv.tid("node-process_2").count() == 0
    cv.shot("group-collapsed")
    cv.tid("group-toggle-group_1").click()
    cv.tid("node-process_2").wait_for()
    cv.shot("group-expanded")

    # Undo/redo: delete a node with the keyboard, undo brings it (and its edges) back, redo removes it.
    edges_before = cv.edge_count()
    cv.select_node("process_4")
    page.keyboard.press("Delete")
    cv.tid("node-process_4").wait_for(state="detached")
    assert cv.edge_count() == edges_before - 2
    page.keyboard.press("Control+z")
    cv.tid("node-process_4").wait_for()
    assert cv.edge_count() == edges_before
    page.keyboard.press("Control+y")
    cv.tid("node-process_4").wait_for(state="detached")
    cv.tid("undo").click()
    cv.tid("node-process_4").wait_for()
    cv.wait_valid()

    # Save, change, save again, diff the two versions on the canvas, roll back.
    cv.save("six nodes in a chain")
    saved = cv.version()
    cv.select_node("process_4")
    cv.tid("prop-name").fill("Final touch")
    cv.select_node("process_2")
    cv.tid("prop-process-expression").fill("@ || `{}`")
    cv.wait_valid()
    cv.save("rename and tweak")
    changed = cv.version()
    assert changed == saved + 1
    cv.tid("tab-history").click()
    cv.tid(f"version-pick-{saved}").check()
    cv.tid(f"version-pick-{changed}").check()
    cv.tid("diff-button").click()
    cv.tid("diff-banner").wait_for()
    page.locator('[data-testid="node-process_4"][data-diff="changed"]').wait_for()
    assert "Final touch" in cv.tid("diff-summary").inner_text()
    cv.shot("version-diff")
    cv.tid("diff-exit-banner").click()
    cv.tid(f"rollback-{saved}").click()
    cv.tid("rollback-confirm-button").click()  # roll back asks first (issue 18)
    cv.tid("node-name-process_4").filter(has_text=re.compile(r"^process_4$")).wait_for()
    assert cv.version() == changed + 1
    cv.shot("rolled-back")

    # Auto-layout (ELK in a worker from the plugin's static files).
    cv.tid("tab-properties").click()
    # The node's position in flow coordinates (its wrapper's transform) changes; the view refits.
    wrapper = '.react-flow__node[data-id="output"]'
    before = page.locator(wrapper).evaluate("e => e.style.transform")
    cv.tid("layout-button").click()
    page.wait_for_function(
        "([sel, b]) => document.querySelector(sel).style.transform !== b", arg=[wrapper, before]
    )
    cv.tid("dirty").wait_for()
    cv.save("auto-layout")

    # Deploy to the dev environment; Airflow parses the generated DAG.
    cv.tid("tab-deploy").click()
    cv.tid("deploy-confirm").click()
    cv.tid("deploy-result").wait_for(timeout=60_000)
    cv.shot("deployed")
    live_airflow.wait_for_dag(WF)
    with live_airflow.client("Admin") as api:
        # Pause it, as Airflow does with new DAGs by default: the trigger dialog must offer to unpause.
        api.patch(f"/api/v2/dags/{WF}", json={"is_paused": True}).raise_for_status()

    # Trigger with the Params form generated from the input node's schema, watch the nodes go green.
    cv.tid("run-button").click()
    cv.tid("trigger-unpause").wait_for()
    assert cv.tid("trigger-unpause").is_checked()
    assert cv.tid("param-topic").input_value() == "canvas"
    cv.tid("param-topic").fill("browsers")
    cv.tid("trigger-confirm").click()
    cv.tid("run-banner").wait_for()
    for node in chain:
        page.locator(f'[data-testid="node-{node}"][data-state="success"]').wait_for(timeout=240_000)
    page.locator('[data-testid="run-banner-state"]').filter(has_text="success").wait_for(timeout=60_000)
    cv.shot("run-success")

    # A node's output, duration, tries and log link in the panel.
    cv.select_node("output")
    cv.tid("tab-properties").click()
    cv.tid("node-output-button").click()
    # The output node returns what flowed through the chain: the params given in the trigger form.
    cv.tid("node-output-value").filter(has_text="browsers").wait_for()
    assert cv.tid("node-run-state").inner_text() == "success"
    assert f"/dags/{WF}/runs/" in (cv.tid("node-log-link").get_attribute("href") or "")
    cv.shot("node-output")


def test_viewer_gets_a_read_only_canvas(live_airflow: Any, new_page: Any, artifacts_dir: Path) -> None:
    spec = {
        "id": "viewer_sees",
        "name": "Viewer sees",
        "nodes": [
            {"id": "start", "type": "input", "ui": {"position": {"x": 0, "y": 0}}},
            {"id": "finish", "type": "output", "ui": {"position": {"x": 300, "y": 0}}},
        ],
        "edges": [{"source": "start", "target": "finish"}],
    }
    with live_airflow.client("Admin") as api:
        if api.get("/airflow-canvas/api/workflows/viewer_sees").status_code == 404:
            api.post(
                "/airflow-canvas/api/workflows", json={"spec": spec, "message": "for the viewer"}
            ).raise_for_status()
    page = new_page("viewer")
    live_airflow.browser_login(page, "Viewer")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_from_nav()
    cv.tid("open-viewer_sees").click()
    cv.tid("readonly-banner").wait_for()
    cv.tid("node-start").wait_for()
    cv.tid("back-to-list").click()
    cv.tid("open-viewer_sees").wait_for()
    assert cv.tid("new-workflow").count() == 0
    assert cv.tid("delete-viewer_sees").count() == 0
    cv.tid("open-viewer_sees").click()
    cv.tid("node-start").wait_for()
    for absent in ("palette", "save-button", "undo", "layout-button"):
        assert cv.tid(absent).count() == 0, absent
    # Nodes cannot be dragged (a drag pans the view instead) and fields cannot be edited.
    wrapper = page.locator('.react-flow__node[data-id="start"]')
    before = wrapper.evaluate("e => e.style.transform")
    box = cv.tid("node-start").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 220, box["y"] + 150, steps=5)
    page.mouse.up()
    assert wrapper.evaluate("e => e.style.transform") == before
    cv.select_node("start")
    assert cv.tid("prop-name").get_attribute("readonly") is not None
    page.keyboard.press("Delete")
    assert cv.tid("node-start").count() == 1
    cv.shot("viewer-read-only")
