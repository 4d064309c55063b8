"""Node tests that work by default and the connection picker (issue 17, items 4 and 5), in a real
browser against the real Airflow of tests/e2e/live_airflow.py:

- "Run with mock data" with nothing typed runs the node on an input generated from its input
  schema (the tool's required ``text`` included: it used to send ``{}`` and fail with ``run()
  missing 'text'``), shows that input, the output and the timing, and puts the input in the box
  to edit and run again; the context menu's entry runs the node at once.
- A tool's connection field (http_request's ``conn_id``, ``x-airflow-connection: ["http"]``) offers
  the HTTP connections the user may read in Airflow; picking one sets the parameter, which is saved.

Screenshots go to tests/artifacts (canvas-NN-mock-run-generated.png, canvas-NN-connection-picker.png)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

API = "/airflow-canvas/api"
WF = "mock_run_picker"
CRM = "picker_browser_crm"
COUNT_TOOL = {
    "name": "word_stats",
    "version": "1.0.0",
    "description": "Counts words.",
    "code": "def run(text, times=1):\n    words = (text + ' ') * max(times, 1)\n"
    "    return {'words': len(words.split()), 'first': text.split()[0] if text.split() else ''}\n",
    "input_schema": {
        "type": "object",
        "properties": {"text": {"type": "string"}, "times": {"type": "integer", "minimum": 1}},
        "required": ["text"],
    },
    "output_schema": {
        "type": "object",
        "properties": {"words": {"type": "integer"}, "first": {"type": "string"}},
        "required": ["words"],
    },
}
SPEC = {
    "id": WF,
    "name": "Mock run and picker",
    "tools": [COUNT_TOOL],
    "nodes": [
        {"id": "count", "type": "tool", "tool": "word_stats@1.0.0", "ui": {"position": {"x": 0, "y": 0}}},
        {"id": "fetch", "type": "tool", "tool": "http_request@1.0.0", "parameters": {"endpoint": "/health"},
         "ui": {"position": {"x": 320, "y": 0}}},
    ],
    "edges": [],
}  # fmt: skip


@pytest.fixture(scope="module")
def setup(live_airflow: Any) -> None:
    with live_airflow.client("Admin") as api:
        api.delete(f"/api/v2/connections/{CRM}")
        r = api.post(
            "/api/v2/connections",
            json={"connection_id": CRM, "conn_type": "http", "host": "crm.internal.example",
                  "password": "never-shown-4471", "description": "The CRM's REST API"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        r = api.post(f"{API}/workflows", json={"spec": SPEC, "message": "mock run and picker browser test"})
        assert r.status_code == 201, r.text


def test_mock_run_with_generated_input_and_connection_picker(
    live_airflow: Any, setup: None, new_page: Any, artifacts_dir: Path
) -> None:
    page = new_page("mock-run-picker")
    live_airflow.browser_login(page, "Admin")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(WF)

    # --- Run with mock data, nothing typed: an input generated from the tool's input schema.
    cv.select_node("count")
    assert cv.tid("node-test-input").input_value() == ""
    cv.tid("node-test-run").click()
    cv.tid("node-test-report").wait_for()
    assert cv.tid("node-test-state").inner_text() == "success"
    assert cv.tid("node-test-input-source").inner_text() == "(generated from the input schema)"
    used = json.loads(cv.tid("node-test-used-input").inner_text())
    assert isinstance(used["text"], str) and used["text"] and used["times"] >= 1
    output = json.loads(cv.tid("node-test-output").inner_text())
    assert output["words"] == len(used["text"].split()) * used["times"]
    assert cv.tid("node-test-duration").inner_text().endswith(" ms")
    assert json.loads(cv.tid("node-test-input").input_value()) == used  # in the box, to edit
    cv.tid("node-test-section").scroll_into_view_if_needed()
    cv.shot("mock-run-generated")

    # Edited and run again: the typed input is used.
    cv.tid("node-test-input").fill(json.dumps({"text": "alpha beta gamma", "times": 2}))
    cv.tid("node-test-run").click()
    cv.tid("node-test-input-source").filter(has_text="(your input)").wait_for()
    assert json.loads(cv.tid("node-test-output").inner_text()) == {"words": 6, "first": "alpha"}

    # The context menu's entry runs the node at once (here on another node: the HTTP tool's failure
    # without a reachable connection is the node's answer, shown in the report, not an error page).
    cv.context_menu("count")
    cv.tid("node-test-clear").click()
    cv.context_menu("count")
    cv.tid("menu-run-node").click()
    cv.tid("node-test-input-source").filter(has_text="(generated from the input schema)").wait_for()

    # --- The connection picker: http_request's conn_id lists the HTTP connections Admin may read.
    cv.select_node("fetch")
    field = cv.tid("prop-params-conn_id")
    field.wait_for()
    choose = cv.tid("prop-params-conn_id-choose")
    choose.wait_for()
    options = choose.locator("option").all_inner_texts()
    assert any(o.startswith(f"{CRM} (http)") and "The CRM's REST API" in o for o in options), options
    assert "never-shown-4471" not in page.content() and "crm.internal.example" not in page.content()
    choose.select_option(CRM)
    assert field.input_value() == CRM
    assert "1 connection of type http" in cv.tid("prop-params-conn_id-picker-note").inner_text()
    cv.wait_valid()
    cv.tid("prop-params-conn_id-picker").scroll_into_view_if_needed()
    cv.shot("connection-picker")
    # Free text stays possible (a connection may exist only on the workers), with the warning.
    field.fill("only_on_workers")
    cv.tid("prop-params-conn_id-error").filter(has_text="only_on_workers").wait_for()  # W_CONNECTION_UNKNOWN
    field.fill("")
    choose.select_option(CRM)
    cv.save("picked the CRM connection")
    with live_airflow.client("Admin") as api:
        spec = api.get(f"{API}/workflows/{WF}").json()["spec"]
    fetch = next(n for n in spec["nodes"] if n["id"] == "fetch")
    assert fetch["parameters"]["conn_id"] == CRM
