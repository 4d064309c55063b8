"""The workflow list's create dialog (from a template with parameters, from an exported Canvas JSON
file, from a dag-factory YAML file), the Canvas in Airflow's dark mode, and the "Canvas" tab on a
generated DAG's page in Airflow's UI; in a real browser against the real Airflow of
tests/e2e/live_airflow.py, logged in as real FAB users. Screenshots go to tests/artifacts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

API = "/airflow-canvas/api"
SAMPLES = Path("/work/shared/interop-samples")
TASK_GROUP_YAML = SAMPLES / "dag-factory" / "example_task_group.yml"

SOURCE = {
    "id": "create_source",
    "name": "Exported source",
    "description": "Exported as Canvas JSON and imported again.",
    "nodes": [
        {"id": "start", "type": "input", "ui": {"position": {"x": 0, "y": 0}}},
        {
            "id": "pick",
            "type": "process",
            "name": "Pick",
            "process": {"language": "jmespath", "expression": "items[0]"},
            "ui": {"position": {"x": 300, "y": 0}},
        },
        {"id": "finish", "type": "output", "ui": {"position": {"x": 600, "y": 0}}},
    ],
    "edges": [{"source": "start", "target": "pick", "label": "rows"}, {"source": "pick", "target": "finish"}],
}
DEPLOYED = "theme_deployed"
PLAIN_DAG = "plain_airflow_dag"
PLAIN_DAG_SOURCE = f'''"""A DAG written by hand, not by the canvas."""
from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(dag_id="{PLAIN_DAG}", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    EmptyOperator(task_id="nothing")
'''


@pytest.fixture(scope="module")
def setup(live_airflow: Any) -> None:
    """One workflow to export, one deployed as a DAG, and a hand-written DAG, for the whole module."""
    deployed = {**SOURCE, "id": DEPLOYED, "name": "Theme deployed", "description": ""}
    with live_airflow.client("Admin") as api:
        for spec in (SOURCE, deployed):
            r = api.post(
                f"{API}/workflows",
                json={"spec": spec, "message": "created by the create/theme browser tests"},
            )
            assert r.status_code == 201, r.text
        r = api.post(f"{API}/workflows/{DEPLOYED}/deploy", json={"environment": "dev"})
        assert r.status_code == 201, r.text
    (live_airflow.dags_folder / f"{PLAIN_DAG}.py").write_text(PLAIN_DAG_SOURCE)


def login(
    live_airflow: Any, new_page: Any, artifacts_dir: Path, name: str, role: str = "Admin"
) -> CanvasPage:
    page = new_page(name)
    live_airflow.browser_login(page, role)
    return CanvasPage(page, live_airflow.base_url, artifacts_dir)


def record(live_airflow: Any, wf: str) -> dict[str, Any]:
    with live_airflow.client("Admin") as api:
        r = api.get(f"{API}/workflows/{wf}")
        assert r.status_code == 200, r.text
        return r.json()


def test_create_from_template_and_imports(
    live_airflow: Any, setup: None, new_page: Any, artifacts_dir: Path, tmp_path: Path
) -> None:
    cv = login(live_airflow, new_page, artifacts_dir, "create-dialog")
    page = cv.page
    cv.open_from_nav()

    # --- From a template, with its parameters filled in the dialog.
    cv.tid("new-workflow").click()
    cv.tid("new-mode-template").click()
    cv.tid("new-template").select_option("llm_summarise")
    cv.tid("new-name").fill("French summaries")
    assert cv.tid("new-id").input_value() == "french_summaries"
    cv.tid("new-template-params-language").fill("French")
    cv.tid("new-template-params-max_words").fill("80")
    cv.shot("create-from-template")
    cv.tid("new-create").click()
    cv.tid("editor-title").filter(has_text="French summaries").wait_for()
    assert cv.version() == 1
    assert re.search(r"[?&]workflow=french_summaries\b", page.url)
    rec = record(live_airflow, "french_summaries")
    agent = next(n for n in rec["spec"]["nodes"] if n["type"] == "agent")
    assert agent["parameters"] == {"language": "French", "max_words": 80}
    for node in rec["spec"]["nodes"]:
        cv.node(node["id"]).wait_for()

    # --- From an exported Canvas JSON file (the export endpoint's own output), under a new id.
    with live_airflow.client("Admin") as api:
        exported = api.get(f"{API}/workflows/{SOURCE['id']}/export", params={"format": "json"})
        assert exported.status_code == 200, exported.text
    json_file = tmp_path / "create_source.json"
    json_file.write_text(exported.text)
    cv.tid("back-to-list").click()
    cv.tid("new-workflow").click()
    cv.tid("new-mode-import").click()
    cv.tid("new-import-file").set_input_files(str(json_file))
    cv.tid("new-import-content").filter(has_text='"create_source"').wait_for()
    assert cv.tid("new-import-format").input_value() == "json"
    cv.tid("new-id").fill("imported_json")
    cv.tid("new-create").click()
    cv.tid("editor-title").filter(has_text="Exported source").wait_for()
    cv.node("pick").wait_for()
    cv.tid("edge-label-start->pick").filter(has_text="rows").wait_for()
    imported = record(live_airflow, "imported_json")["spec"]
    original = json.loads(exported.text)
    for key in ("nodes", "edges", "description"):
        assert imported[key] == original[key], key

    # --- From a dag-factory YAML file (a real one from dag-factory's examples): ids come from the file.
    cv.tid("back-to-list").click()
    cv.tid("new-workflow").click()
    cv.tid("new-mode-import").click()
    cv.tid("new-import-file").set_input_files(str(TASK_GROUP_YAML))
    cv.tid("new-import-ids").wait_for()  # the file (read asynchronously) names its DAGs: no id field
    assert cv.tid("new-import-format").input_value() == "dag-factory"
    assert cv.tid("new-id").count() == 0
    cv.shot("create-from-dag-factory")
    cv.tid("new-create").click()
    cv.tid("editor-title").wait_for()
    for task in ("task_1", "task_2", "task_4"):
        cv.node(task).wait_for()
    for group in ("task_group_1", "task_group_2"):
        cv.tid(f"group-{group}").wait_for()
    spec = record(live_airflow, "task_group")["spec"]
    members = {n["id"]: n.get("group") for n in spec["nodes"]}
    assert members["task_2"] == "task_group_1" and members["task_4"] == "task_group_2"
    assert next(g for g in spec["groups"] if g["id"] == "task_group_2")["parent"] == "task_group_1"
    assert all("ui" not in n for n in spec["nodes"])  # dag-factory has no positions...
    # ...so the canvas lays the nodes out instead of stacking them, as a change to save.
    cv.tid("toast").filter(has_text="Laid out the nodes").wait_for()
    cv.tid("dirty").wait_for()
    boxes = [cv.node(t).bounding_box() for t in ("task_1", "task_2", "task_4")]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            assert apart, (a, b)
    cv.shot("imported-dag-factory")
    cv.save("layout")
    laid_out = {n["id"]: n["ui"]["position"] for n in record(live_airflow, "task_group")["spec"]["nodes"]}
    assert len({(p["x"], p["y"]) for p in laid_out.values()}) == 3
    # The list shows the three new workflows.
    cv.tid("back-to-list").click()
    for wf in ("french_summaries", "imported_json", "task_group"):
        cv.tid(f"open-{wf}").wait_for()


def choose_color_mode(cv: CanvasPage, mode: str) -> None:
    """Airflow's own switch: the user menu's Appearance submenu."""
    cv.page.get_by_role("button", name="User").click()
    cv.page.get_by_role("menuitem", name="Appearance").hover()
    cv.page.get_by_role("menuitemradio", name=mode).click()
    cv.page.keyboard.press("Escape")
    cv.page.get_by_role("menuitem", name="Appearance").wait_for(state="hidden")


def test_dark_mode_and_the_dag_tab(
    live_airflow: Any, setup: None, new_page: Any, artifacts_dir: Path
) -> None:
    cv = login(live_airflow, new_page, artifacts_dir, "dark-mode", role="User")
    page = cv.page
    cv.open_workflow(DEPLOYED)
    cv.node("pick").wait_for()
    surfaces = [
        '[data-testid="canvas-root"]',
        '[data-testid="canvas"] .react-flow',
        '[data-testid="node-pick"]',
        '[data-testid="dock"]',
        '[data-testid="palette"]',
    ]
    assert cv.tid("canvas-root").get_attribute("data-color-mode") == "light"
    for sel in surfaces:
        assert cv.luminance(sel) > 0.6, sel

    # Airflow's dark mode: the canvas follows at once (no reload), text turns light.
    choose_color_mode(cv, "Dark Mode")
    page.locator('[data-testid="canvas-root"][data-color-mode="dark"]').wait_for()
    assert "dark" in (page.evaluate("document.documentElement.className") or "")
    for sel in surfaces:
        assert cv.luminance(sel) < 0.05, sel
    assert cv.luminance('[data-testid="node-name-pick"]', "color") > 0.6
    assert cv.luminance('[data-testid="editor-title"]', "color") > 0.6
    cv.shot("dark-mode")

    # The "Canvas" tab on the generated DAG's page (react_apps destination "dag"), still dark.
    live_airflow.wait_for_dag(DEPLOYED)
    page.goto(f"{live_airflow.base_url}/dags/{DEPLOYED}")
    tab = page.locator(f'a[href$="/dags/{DEPLOYED}/plugin/canvas-tab"]')
    tab.click()
    page.wait_for_url(re.compile(rf"/dags/{DEPLOYED}/plugin/canvas-tab"))
    cv.tid("editor-title").filter(has_text="Theme deployed").wait_for()
    cv.node("pick").wait_for()
    assert cv.tid("canvas-root").get_attribute("data-color-mode") == "dark"
    assert cv.luminance('[data-testid="canvas"] .react-flow') < 0.05
    cv.shot("dag-tab-dark")

    # A DAG the canvas did not make gets a note, not an editor.
    live_airflow.wait_for_dag(PLAIN_DAG)
    page.goto(f"{live_airflow.base_url}/dags/{PLAIN_DAG}/plugin/canvas-tab")
    cv.tid("not-a-canvas-dag").wait_for()
    assert cv.tid("editor-title").count() == 0

    # Back to light mode, from Airflow's menu again.
    choose_color_mode(cv, "Light Mode")
    page.locator('[data-testid="canvas-root"][data-color-mode="light"]').wait_for()
    assert cv.luminance('[data-testid="canvas-root"]') > 0.6
