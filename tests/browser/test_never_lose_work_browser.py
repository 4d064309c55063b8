"""Never lose work (issue 18, item 1) in a real browser against the real Airflow: Ctrl+S in a text
field opens the save dialog and the message typed next goes into it (not into the field); an edit
is autosaved as the user's server-side draft, a reload asks first (beforeunload) and then offers the
draft, Restore brings the edit back; the editor's "←" and Airflow's own navigation links ask before
leaving unsaved changes; "?" lists the canvas's shortcuts. Screenshots: tests/artifacts/canvas-*.png."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

API = "/airflow-canvas/api"
WF = "never_lose_work"
SPEC = {
    "id": WF,
    "name": "Never lose work",
    "nodes": [
        {"id": "start", "type": "input", "ui": {"position": {"x": 0, "y": 0}}},
        {"id": "clean", "type": "process", "ui": {"position": {"x": 300, "y": 0}}},
        {"id": "finish", "type": "output", "ui": {"position": {"x": 600, "y": 0}}},
    ],
    "edges": [{"source": "start", "target": "clean"}, {"source": "clean", "target": "finish"}],
}


def _draft(live_airflow: Any, role: str = "Admin") -> dict[str, Any] | None:
    with live_airflow.client(role) as api:
        r = api.get(f"{API}/workflows/{WF}/draft")
        r.raise_for_status()
        draft: dict[str, Any] | None = r.json()["draft"]
        return draft


def _name_in(spec: dict[str, Any], node_id: str) -> str | None:
    return next((n.get("name") for n in spec["nodes"] if n["id"] == node_id), None)


def test_autosaved_draft_is_restored_after_reload_and_leaving_asks(
    live_airflow: Any, new_page: Any, artifacts_dir: Path
) -> None:
    with live_airflow.client("Admin") as api:
        assert api.post(f"{API}/workflows", json={"spec": SPEC}).status_code == 201
    page = new_page("never-lose-work")
    # Every dialog is recorded; `answers` says whether to accept the next ones (default: accept).
    dialogs: list[tuple[str, str]] = []
    answers: list[bool] = []

    def on_dialog(d: Any) -> None:
        dialogs.append((d.type, d.message))
        d.accept() if (answers.pop(0) if answers else True) else d.dismiss()

    page.on("dialog", on_dialog)
    live_airflow.browser_login(page, "Admin")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(WF)
    cv.node("start").wait_for()

    # --- Ctrl+S while typing in a field: the save dialog opens and takes the message typed next.
    desc = cv.tid("prop-wf-description")
    desc.click()
    page.keyboard.type("Cleans tickets")
    page.keyboard.press("Control+s")
    cv.tid("save-dialog").wait_for()
    page.keyboard.type("describe it")
    assert cv.tid("save-message").input_value() == "describe it"
    assert desc.input_value() == "Cleans tickets"
    page.keyboard.press("Enter")
    cv.tid("save-dialog").wait_for(state="detached")
    cv.wait_version(2)
    with live_airflow.client("Admin") as api:
        rec = api.get(f"{API}/workflows/{WF}").json()
    assert rec["spec"]["description"] == "Cleans tickets" and rec["message"] == "describe it"

    # --- An edit is autosaved as the user's draft (debounced), only after the last change.
    cv.select_node("clean")
    cv.tid("prop-name").fill("Renamed in the draft")
    cv.tid("dirty").wait_for()
    t0 = time.monotonic()
    while time.monotonic() - t0 < 15:
        d = _draft(live_airflow)
        if d and _name_in(d["spec"], "clean") == "Renamed in the draft":
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"the edit was not autosaved within 15 s: {_draft(live_airflow)}")
    assert d["base_version"] == 2
    assert _draft(live_airflow, "Op") is None  # private: another user sees no draft

    # --- Reload: the browser asks first (beforeunload), then the draft is offered.
    page.reload()
    assert ("beforeunload", "") in [(t, "") for t, _ in dialogs], dialogs
    offer = cv.tid("draft-offer")
    offer.wait_for()
    assert "You have unsaved changes from" in offer.inner_text()
    assert cv.tid("dirty").count() == 0  # offered, not applied behind the user's back
    cv.node("clean").wait_for()
    shot = cv.shot("draft-restore-offer")
    assert shot.stat().st_size > 10_000
    cv.tid("draft-restore").click()
    offer.wait_for(state="detached")
    assert cv.tid("node-name-clean").inner_text() == "Renamed in the draft"
    cv.tid("dirty").wait_for()

    # --- "?" lists the canvas's own shortcuts (not while typing in a field).
    cv.page.locator(".react-flow__pane").click(position={"x": 40, "y": 40})
    page.keyboard.press("?")
    overlay = cv.tid("shortcuts-overlay")
    overlay.wait_for()
    assert "Save a version (also while typing in a field)" in overlay.inner_text()
    cv.shot("shortcuts-overlay")
    cv.tid("shortcuts-close").click()
    overlay.wait_for(state="detached")
    desc.click()
    page.keyboard.press("?")
    page.wait_for_timeout(300)
    assert overlay.count() == 0 and desc.input_value().endswith("?")
    page.keyboard.press("Backspace")

    # --- Leaving with unsaved changes asks: the editor's "←" and Airflow's own nav link. Stay first.
    n = len(dialogs)
    answers.extend([False, False])
    cv.tid("back-to-list").click()
    page.wait_for_timeout(300)
    page.locator('a[href$="/plugin/canvas"]').first.click()
    page.wait_for_timeout(500)
    asked = [m for t, m in dialogs[n:] if t == "confirm"]
    assert len(asked) == 2 and all("unsaved changes" in m for m in asked), dialogs[n:]
    assert cv.tid("editor-title").is_visible() and f"workflow={WF}" in page.url
    # Leave anyway: the list opens; the draft on the server holds the edit.
    answers.append(True)
    cv.tid("back-to-list").click()
    cv.tid("workflow-list").wait_for()
    d = _draft(live_airflow)
    assert d is not None and _name_in(d["spec"], "clean") == "Renamed in the draft"

    # --- Reopen and Discard: the draft is gone from the server; a real save also deletes it.
    cv.open_workflow(WF)
    cv.tid("draft-discard").click()
    cv.tid("draft-offer").wait_for(state="detached")
    assert _draft(live_airflow) is None
    assert cv.tid("node-name-clean").inner_text() != "Renamed in the draft"
