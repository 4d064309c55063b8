"""The debugger on the canvas (issue 18, item 4), in a real browser against the real Airflow of
tests/e2e/live_airflow.py: enter debug mode, set a breakpoint from the context menu, Continue runs
up to it (the nodes before it ran in the sandbox and show their state), inspect and edit the paused
node's input, Step runs it on the edited input and its output is shown; the rest runs to the end.
Then a pinned output is used instead of re-running the node, after a restart.

Screenshots in tests/artifacts: canvas-NN-debugger-paused-on-breakpoint.png (the README's),
canvas-NN-debugger-stepped.png, canvas-NN-debugger-pinned.png."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

API = "/airflow-canvas/api"
WF = "debugger_browser"
SPEC = {
    "id": WF,
    "name": "Debugger demo",
    "nodes": [
        {"id": "start", "type": "input", "name": "Order",
         "input_schema": {"type": "object", "properties": {"qty": {"type": "integer", "default": 3},
                                                           "price": {"type": "number", "default": 2.5}}},
         "ui": {"position": {"x": 0, "y": 80}}},
        {"id": "total", "type": "process", "name": "Compute total",
         "process": {"language": "python",
                     "expression": "result = {'total': inputs['qty'] * inputs['price'], 'qty': inputs['qty']}"},
         "ui": {"position": {"x": 300, "y": 80}}},
        {"id": "label", "type": "process", "name": "Label",
         "process": {"language": "jmespath", "expression": "{total: total, big: total > `50`}"},
         "ui": {"position": {"x": 600, "y": 80}}},
        {"id": "done", "type": "output", "name": "Invoice", "ui": {"position": {"x": 900, "y": 80}}},
    ],
    "edges": [
        {"source": "start", "target": "total"},
        {"source": "total", "target": "label"},
        {"source": "label", "target": "done"},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def setup(live_airflow: Any) -> None:
    with live_airflow.client("Admin") as api:
        r = api.post(f"{API}/workflows", json={"spec": SPEC, "message": "debugger browser test"})
        assert r.status_code in (201, 409), r.text


def status(cv: CanvasPage, text: str) -> None:
    cv.tid("dbg-status").filter(has_text=text).wait_for(timeout=60_000)


def test_breakpoint_inspect_edit_step(
    live_airflow: Any, setup: None, new_page: Any, artifacts_dir: Path
) -> None:
    page = new_page("debugger")
    live_airflow.browser_login(page, "Admin")
    page.evaluate("() => localStorage.clear()")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(WF)

    # Enter debug mode: paused before the first node, nothing run.
    cv.tid("debug-button").click()
    cv.tid("debug-panel").wait_for()
    status(cv, "Paused before start")
    cv.tid("dbg-current-start").wait_for()

    # A breakpoint before "total", from the node's context menu: a marker on the node.
    cv.context_menu("total")
    cv.tid("menu-breakpoint").click()
    cv.tid("bp-total").wait_for()
    assert cv.tid("dbg-bp-toggle-total").is_checked()

    # Continue: "start" runs, the session pauses before the breakpoint node.
    cv.tid("dbg-continue").click()
    status(cv, "Paused before total")
    cv.tid("dbg-current-total").wait_for()
    assert cv.node("start").get_attribute("data-state") == "success"
    assert cv.node("total").get_attribute("data-state") != "success"
    assert json.loads(cv.tid("dbg-next-input").input_value()) == {"qty": 3, "price": 2.5}
    cv.shot("debugger-paused-on-breakpoint")

    # Edit its input, then Step: it runs (in the sandbox) on the edited input.
    cv.tid("dbg-next-input").fill(json.dumps({"qty": 40, "price": 2.5}))
    cv.tid("dbg-step").click()
    status(cv, "Paused before label")
    cv.select_node("total")
    node = cv.tid("dbg-node")
    node.wait_for()
    assert node.get_attribute("data-node") == "total"
    assert json.loads(cv.tid("dbg-node-input").inner_text()) == {"qty": 40, "price": 2.5}
    assert json.loads(cv.tid("dbg-output").input_value()) == {"total": 100.0, "qty": 40}
    assert cv.node("total").get_attribute("data-state") == "success"
    cv.shot("debugger-stepped")

    # Continue to the end: the label saw the edited total.
    cv.tid("dbg-continue").click()
    status(cv, "Finished")
    cv.select_node("label")
    assert json.loads(cv.tid("dbg-output").input_value()) == {"total": 100.0, "big": True}

    # Pin "total" with an edited output; after a restart it is not re-run: the label uses the pin.
    cv.select_node("total")
    cv.tid("dbg-output").fill(json.dumps({"total": 7, "qty": 1}))
    cv.tid("dbg-apply-output").click()
    cv.tid("dbg-pin").click()
    cv.tid("pin-total").wait_for()
    pins = page.evaluate("() => Object.entries(localStorage).filter(([k]) => k.includes('debug-pins'))")
    assert len(pins) == 1 and json.loads(pins[0][1]) == {"total": {"total": 7, "qty": 1}}
    cv.tid("dbg-restart").click()
    status(cv, "Paused before start")
    cv.tid("dbg-bp-toggle-total").uncheck()
    cv.tid("dbg-continue").click()
    status(cv, "Finished")
    cv.select_node("label")
    assert json.loads(cv.tid("dbg-output").input_value()) == {"total": 7, "big": False}
    cv.select_node("total")
    assert cv.tid("dbg-node-state").inner_text() == "pinned"  # no report: it did not run
    cv.shot("debugger-pinned")

    # The pin is not part of the spec: the draft stays unchanged (nothing to save).
    assert cv.tid("dirty").count() == 0
