"""The co-pilot in a real browser against a real Airflow (offline engine: no LLM connection exists):
add and connect nodes by command, see the preview diff, apply, undo; run the agent-node wizard;
instantiate a template; explain a failed node of a real run and apply the suggested fix.
Screenshots go to tests/artifacts/canvas-*copilot*.png."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

API = "/airflow-canvas/api"


def create_workflow(live_airflow: Any, spec: dict[str, Any]) -> None:
    with live_airflow.client("Admin") as api:
        r = api.post(
            f"{API}/workflows", json={"spec": spec, "message": "created by the co-pilot browser test"}
        )
        assert r.status_code == 201, r.text


def canvas_edge(cv: CanvasPage, edge_id: str) -> Any:
    """An edge on the editor's canvas (not in a co-pilot preview, which draws the same components).
    Wait for it "attached": Playwright reports React Flow's edge <g> as hidden although drawn."""
    return cv.page.locator(f'[data-testid="canvas"] .react-flow__edge[data-id="{edge_id}"]')


def canvas_node(cv: CanvasPage, node_id: str) -> Any:
    return cv.page.locator(f'[data-testid="canvas"] [data-testid="node-{node_id}"]')


def ask(cv: CanvasPage, message: str) -> Any:
    """Send a message; return the locator of its answer once the answer has finished streaming."""
    answers = cv.page.locator('[data-testid="copilot-msg-assistant"]')
    before = answers.count()
    cv.tid("copilot-input").fill(message)
    cv.tid("copilot-send").click()
    cv.page.locator('[data-testid="copilot-msg-assistant"][data-streaming="false"]').nth(before).wait_for()
    return answers.nth(before)


def apply_latest(cv: CanvasPage) -> None:
    proposal = cv.page.locator('[data-testid="copilot-proposal"]').last
    proposal.locator('[data-testid="proposal-apply"]').click()
    proposal.locator('[data-testid="proposal-applied"]').wait_for()


def test_offline_copilot_builds_with_commands_wizard_and_template(
    live_airflow: Any, new_page: Any, artifacts_dir: Path
) -> None:
    wf = "copilot_built"
    create_workflow(
        live_airflow,
        {
            "id": wf,
            "name": "Co-pilot built",
            "nodes": [
                {"id": "start", "type": "input", "ui": {"position": {"x": 0, "y": 0}}},
                {"id": "fetch", "type": "process", "ui": {"position": {"x": 300, "y": 0}}},
                {"id": "end", "type": "output", "ui": {"position": {"x": 900, "y": 0}}},
            ],
            "edges": [{"source": "start", "target": "fetch"}],
        },
    )
    page = new_page("copilot-build")
    live_airflow.browser_login(page, "Admin")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(wf)
    cv.tid("tab-copilot").click()
    cv.tid("copilot-engine").filter(has_text="Offline").wait_for()

    # Add a node by command: the proposal shows what changes and a preview drawn with canvas nodes.
    answer = ask(cv, "add process node clean after fetch")
    proposal = answer.locator('[data-testid="copilot-proposal"]')
    proposal.wait_for()
    assert "Adds node clean" in proposal.locator('[data-testid="proposal-changes"]').inner_text()
    proposal.locator(
        '[data-testid="proposal-diagram"] [data-testid="node-clean"][data-diff="added"]'
    ).wait_for()
    assert canvas_node(cv, "clean").count() == 0  # only the preview has it until Apply
    cv.shot("copilot-proposal")
    apply_latest(cv)
    canvas_node(cv, "clean").wait_for()
    cv.shot("copilot-applied")
    canvas_edge(cv, "fetch->clean").wait_for(state="attached")

    # Connect by command, apply; one undo removes exactly that edge, redo brings it back.
    ask(cv, "connect clean to end")
    apply_latest(cv)
    canvas_edge(cv, "clean->end").wait_for(state="attached")
    cv.shot("copilot-connected")
    cv.tid("undo").click()
    canvas_edge(cv, "clean->end").wait_for(state="detached")
    assert canvas_edge(cv, "fetch->clean").count() == 1
    cv.tid("redo").click()
    canvas_edge(cv, "clean->end").wait_for(state="attached")

    # A rejected proposal changes nothing.
    ask(cv, "remove node clean")
    page.locator('[data-testid="copilot-proposal"]').last.locator('[data-testid="proposal-reject"]').click()
    page.locator('[data-testid="proposal-rejected"]').wait_for()
    assert canvas_node(cv, "clean").count() == 1

    # The agent-node wizard: four steps, a required field checked on the way, then a proposal.
    cv.tid("copilot-wizard-pick").select_option("new_agent_node")
    cv.tid("copilot-wizard").wait_for()
    cv.tid("wizard-name").fill("Triage")
    cv.tid("wizard-after").select_option("clean")
    cv.tid("wizard-next").click()
    cv.tid("wizard-next").click()  # the prompt is required
    page.locator('[data-testid="copilot-wizard"] .cv-error').first.wait_for()
    cv.tid("wizard-prompt").fill("Is {{ inputs }} urgent?")
    cv.tid("wizard-model").fill("gpt-4o-mini")
    cv.tid("wizard-next").click()
    cv.tid("wizard-max_steps").wait_for()
    cv.tid("wizard-next").click()
    cv.tid("wizard-output_schema").fill("urgent:boolean, reason:string")
    cv.shot("copilot-wizard")
    cv.tid("wizard-next").click()
    apply_latest(cv)
    canvas_edge(cv, "clean->triage").wait_for(state="attached")

    # A sub-graph template from the gallery, joined after a node.
    answer = ask(cv, "templates")
    answer.locator('[data-testid="suggestion-send"]').first.wait_for()
    ask(cv, "use template http_fetch_extract after triage with expression=items")
    apply_latest(cv)
    canvas_edge(cv, "triage->fetch_2").wait_for(state="attached")
    cv.tid("fit-button").click()  # the canvas draws only what is in view; the template lands to the right
    canvas_node(cv, "pick").wait_for()
    cv.shot("copilot-template")
    cv.wait_valid()

    # The conversation is stored and comes back after a reload.
    cv.save("built with the co-pilot")
    page.reload()
    cv.tid("editor-title").wait_for()
    cv.tid("tab-copilot").click()
    page.locator('[data-testid="copilot-msg-user"]', has_text="connect clean to end").wait_for()


def _wait_run(live_airflow: Any, wf: str, run_id: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    with live_airflow.client("Admin") as api:
        while time.monotonic() < deadline:
            run = api.get(f"{API}/workflows/{wf}/runs/{run_id}").json()
            if run.get("state") in ("success", "failed"):
                return run
            time.sleep(2)
    raise TimeoutError(f"run {run_id} of {wf} did not finish in {timeout}s")


def test_explain_failed_node_and_apply_fix(live_airflow: Any, new_page: Any, artifacts_dir: Path) -> None:
    wf = "copilot_failing"
    create_workflow(
        live_airflow,
        {
            "id": wf,
            "name": "Co-pilot failing",
            "nodes": [
                {
                    "id": "start",
                    "type": "input",
                    "ui": {"position": {"x": 0, "y": 0}},
                    "output_schema": {
                        "type": "object",
                        "properties": {"url": {"type": "string", "default": "https://example.org/feed"}},
                    },
                },
                {
                    "id": "flaky",
                    "type": "process",
                    "ui": {"position": {"x": 300, "y": 0}},
                    "process": {
                        "language": "python",
                        "expression": "raise ConnectionError('503 Service Unavailable from upstream')\nresult = None",
                    },
                },
                {"id": "end", "type": "output", "ui": {"position": {"x": 600, "y": 0}}},
            ],
            "edges": [{"source": "start", "target": "flaky"}, {"source": "flaky", "target": "end"}],
        },
    )
    with live_airflow.client("Admin") as api:
        # The flaky node is Python: a deploy confirms the code it puts live (the preview's hash).
        preview = api.get(f"{API}/workflows/{wf}/deploy/preview", params={"environment": "dev"}).json()
        api.post(
            f"{API}/workflows/{wf}/deploy",
            json={"environment": "dev", "confirm_code": preview["confirm_code"]},
        ).raise_for_status()
        live_airflow.wait_for_dag(wf)
        api.patch(f"/api/v2/dags/{wf}", json={"is_paused": False}).raise_for_status()
        run = api.post(
            f"{API}/workflows/{wf}/runs", json={"params": {"url": "https://example.org/feed"}}
        ).json()
    finished = _wait_run(live_airflow, wf, run["run_id"])
    assert finished["nodes"]["flaky"]["state"] == "failed", finished

    page = new_page("copilot-debug")
    live_airflow.browser_login(page, "Admin")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(wf)
    cv.tid("tab-runs").click()
    page.locator(f'[data-testid="run-row-{run["run_id"]}"] button').click()
    page.locator('[data-testid="canvas"] [data-testid="node-flaky"][data-state="failed"]').wait_for(
        timeout=60_000
    )
    cv.tid("tab-copilot").click()
    cv.tid("copilot-explain-flaky").click()
    answer = page.locator('[data-testid="copilot-msg-assistant"]').last
    fix = answer.locator('[data-testid="suggestion-apply_patch"]').first
    fix.wait_for()
    # The server read the failed task's log (its tail is shown, with the error) and rebuilt the
    # node's inputs from the upstream XComs (the mock input offered for a single-node run).
    assert "ConnectionError" in answer.inner_text()
    assert "Inputs of flaky" in answer.inner_text() and "https://example.org/feed" in answer.inner_text()
    assert (
        answer.locator('[data-testid="copilot-suggestions"] [data-testid="suggestion-run_node"]').count() == 1
    )
    cv.shot("copilot-explain-failure")
    fix.click()
    page.locator('[data-testid="copilot-msg-system"]', has_text="Applied").wait_for()
    cv.tid("dirty").wait_for()  # the fix is an unsaved edit, undoable like any other
    cv.select_node("flaky")
    cv.tid("tab-properties").click()
    cv.shot("copilot-fix-applied")
