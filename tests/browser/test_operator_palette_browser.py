"""Every installed operator is in the palette (issue 17, item 3): search "bash", drop BashOperator
on the canvas, fill bash_command in the form generated from the operator's parameters, save,
deploy (reviewing the operator node's code) and run it for real on the live Airflow (scheduler,
dag-processor, LocalExecutor)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.canvas_page import CanvasPage

API = "/airflow-canvas/api"
WF = "operator_palette"
BASH = "airflow.providers.standard.operators.bash.BashOperator"


def test_drop_bash_operator_fill_its_form_deploy_and_run(
    live_airflow: Any, new_page: Any, artifacts_dir: Path
) -> None:
    spec = {
        "id": WF,
        "name": "Operator palette",
        "nodes": [{"id": "start", "type": "input", "ui": {"position": {"x": 0, "y": 0}}}],
    }
    with live_airflow.client("Op") as api:
        r = api.post(f"{API}/workflows", json={"spec": spec, "message": "created by the palette test"})
        assert r.status_code == 201, r.text

    page = new_page("operator-palette")
    live_airflow.browser_login(page, "Op")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(WF)

    # One search box over node types, tools and operators; the operator rows come from the server.
    cv.tid("palette-search").fill("bash")
    # Wait for the server's answer to "bash" (BashOperator ranked first), not just for the row: the
    # unfiltered list loaded at mount holds a BashOperator row too, and when the search lands (200 ms
    # debounce, later under load) the rows move, so a drag started on the old list grabbed another row
    # and no "bash" node appeared (the fresh-clone CI run's 30 s timeout at cv.node("bash")).
    page.wait_for_function(
        "() => document.querySelector('[data-testid^=\"palette-op-\"]')?.dataset.testid"
        " === 'palette-op-BashOperator'"
    )
    assert cv.tid("palette-section-Operators").is_visible()
    assert "standard" in cv.tid("palette-op-BashOperator").inner_text()
    assert cv.tid("palette-process").count() == 0  # node types that don't match are filtered out
    # The arrow keys walk the rows; the first match is active at once.
    active = page.locator('[data-testid="palette"] .cv-palette-item.active')
    assert active.count() == 1
    shot = cv.shot("palette-search-bash")
    assert shot.is_file()

    box = cv.pane_box()
    cv.drop("op-BashOperator", box["width"] / 2 + 120, box["height"] / 2)
    cv.node("bash").wait_for()

    # The operator node's panel: its name, provider, docs and the form from its parameters.
    cv.select_node("bash")
    cv.tid("operator-section").wait_for()
    assert cv.tid("operator-name").inner_text() == "BashOperator"
    assert "apache-airflow-providers-standard" in cv.tid("operator-provider").inner_text()
    assert cv.tid("prop-operator").input_value() == BASH
    command = cv.tid("prop-op-params-bash_command")
    field = page.locator('[data-testid="prop-op-params"] [data-field="bash_command"]')
    assert "Jinja" in field.inner_text() and "*" in field.locator("label").inner_text()  # templated, required
    command.fill("echo palette-{{ run_id }} && test 2 -gt 1")
    cv.wait_valid()
    field.scroll_into_view_if_needed()
    form_shot = cv.shot("operator-form")
    assert form_shot.is_file()

    # The raw JSON view holds the same value.
    cv.tid("prop-op-params-raw").check()
    assert "echo palette-" in cv.tid("prop-op-params-json").input_value()
    cv.tid("prop-op-params-raw").uncheck()

    cv.save("a BashOperator from the palette")
    with live_airflow.client("Op") as api:
        saved = api.get(f"{API}/workflows/{WF}").json()["spec"]
    node = next(n for n in saved["nodes"] if n["id"] == "bash")
    assert node["type"] == "tool" and node["operator"] == BASH and node.get("tool") is None
    assert node["parameters"] == {"bash_command": "echo palette-{{ run_id }} && test 2 -gt 1"}

    # Deploy: an operator node is code, so the dialog asks for the review first.
    cv.tid("tab-deploy").click()
    cv.tid("deploy-code-change-0").wait_for()
    assert "bash" in cv.tid("deploy-code-change-0").inner_text()
    cv.tid("deploy-reviewed").check()
    cv.tid("deploy-confirm").click()
    cv.tid("deploy-result").wait_for(timeout=120_000)
    dag_file = live_airflow.dags_folder / f"{WF}.py"
    source = dag_file.read_text()
    assert "from airflow.providers.standard.operators.bash import BashOperator" in source
    assert "echo palette-{{ run_id }} && test 2 -gt 1" in source  # a literal; Airflow renders the Jinja
    live_airflow.wait_for_dag(WF)

    # Run it for real and watch the node go green.
    cv.tid("run-button").click()
    cv.tid("trigger-confirm").click()
    cv.tid("run-banner").wait_for()
    page.locator('[data-testid="canvas"] [data-testid="node-bash"][data-state="success"]').wait_for(
        timeout=240_000
    )
    page.locator('[data-testid="run-banner-state"]').filter(has_text="success").wait_for(timeout=60_000)
    cv.shot("operator-run-success")


def _shout(version: str, suffix: str) -> dict[str, Any]:
    return {
        "name": "shout",
        "version": version,
        "description": "Upper-cases a text.",
        "code": f"def run(text, suffix={suffix!r}):\n    return {{'text': text.upper() + suffix}}\n",
        "input_schema": {
            "type": "object",
            "required": ["text"],
            "properties": {"text": {"type": "string"}, "suffix": {"type": "string"}},
        },
        "output_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
        "tests": [{"input": {"text": "a"}, "expected": {"text": f"A{suffix}"}}],
    }


def test_tool_node_panel_shows_the_tool_and_a_form(
    live_airflow: Any, new_page: Any, artifacts_dir: Path
) -> None:
    """A tool node's panel: description, input/output summary, a version picker and a parameters form
    generated from the tool's input schema (the raw JSON box is a toggle)."""
    wf = "tool_node_panel"
    spec = {
        "id": wf,
        "name": "Tool node panel",
        "tools": [_shout("1.0.0", "!"), _shout("1.1.0", "!!")],
        "nodes": [
            {"id": "loud", "type": "tool", "tool": "shout@1.0.0", "ui": {"position": {"x": 0, "y": 0}}},
            {
                "id": "render",
                "type": "tool",
                "tool": "text_template@1.0.0",
                "ui": {"position": {"x": 300, "y": 0}},
            },
        ],
    }
    with live_airflow.client("Op") as api:
        r = api.post(f"{API}/workflows", json={"spec": spec, "message": "created by the panel test"})
        assert r.status_code == 201, r.text

    page = new_page("tool-node-panel")
    live_airflow.browser_login(page, "Op")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(wf)

    cv.select_node("loud")
    cv.tid("tool-section").wait_for()
    assert cv.tid("tool-description").inner_text() == "Upper-cases a text."
    summary = cv.tid("tool-input-summary").inner_text()
    assert "text* (string)" in summary and "suffix (string)" in summary  # * = required
    assert cv.tid("tool-output-summary").inner_text() == "Output: text (string)"
    picker = cv.tid("prop-tool-version")
    assert picker.locator("option").all_inner_texts() == ["1.1.0", "1.0.0"]
    picker.select_option("1.1.0")
    assert cv.tid("prop-tool").input_value() == "shout@1.1.0"
    cv.tid("prop-params-suffix").fill("?")
    cv.wait_valid()
    cv.tid("prop-params-raw").check()
    assert '"suffix": "?"' in cv.tid("prop-params-json").input_value()

    # A built-in tool: its versions come from GET /tools/{name}/versions.
    cv.select_node("render")
    cv.tid("tool-section").wait_for()
    page.locator('[data-testid="prop-tool-version"] option', has_text="1.0.0 (built-in)").wait_for(
        state="attached"
    )
    assert "template" in cv.tid("tool-input-summary").inner_text()
    cv.tid("prop-params-template").wait_for()
    cv.tid("tool-section").scroll_into_view_if_needed()
    cv.shot("tool-node-form")

    # The keyboard adds from the palette: type, walk with the arrows, Enter.
    search = cv.tid("palette-search")
    search.fill("json transform")
    cv.tid("palette-tool-json_transform").wait_for()
    active = page.locator('[data-testid="palette"] .cv-palette-item.active')
    assert active.get_attribute("data-testid") == "palette-tool-json_transform"  # the first match
    search.press("ArrowUp")  # wraps to the last row
    search.press("ArrowDown")  # and back to the first
    assert active.get_attribute("data-testid") == "palette-tool-json_transform"
    search.press("Enter")
    cv.node("json_transform").wait_for()
    cv.save("suffix and version from the panel")
    with live_airflow.client("Op") as api:
        saved = api.get(f"{API}/workflows/{wf}").json()["spec"]
    loud = next(n for n in saved["nodes"] if n["id"] == "loud")
    assert (loud["tool"], loud["parameters"]) == ("shout@1.1.0", {"suffix": "?"})
    added = next(n for n in saved["nodes"] if n["id"] == "json_transform")
    assert added["tool"] == "json_transform@1.0.0"
