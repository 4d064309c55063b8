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
    cv.tid("palette-op-BashOperator").wait_for()
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
