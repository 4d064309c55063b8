"""The smaller daily tools of the editor (issue 18, item 5) in a real browser against the real Airflow
of tests/e2e/live_airflow.py: node search (Ctrl+K / Ctrl+F) framing a node far off screen and opening
its properties, the History tab's dates and authors and the roll-back confirmation, the Code tab's
highlighting, wrapping and Copy, a node's colour and shape shown on the canvas, and Shift-drag area
selection leaving the dock's text unselected. Results are checked through the API as well.
Screenshots go to tests/artifacts/canvas-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

API = "/airflow-canvas/api"
WF = "daily_tools"
LONG = "A description long enough to need wrapping: " + "every word of it matters " * 12


def big_workflow() -> dict[str, Any]:
    """A 6 x 6 grid of process nodes 420 px apart (far wider than the view at zoom 1), plus an input
    and an output; one node is called "Quarterly report" and sits in the far corner."""
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "input", "ui": {"position": {"x": -400, "y": 0}}},
    ]
    for r in range(6):
        for c in range(6):
            nodes.append(
                {
                    "id": f"step_{r}_{c}",
                    "type": "process",
                    "name": "Quarterly report" if (r, c) == (5, 5) else f"Step {r}.{c}",
                    "ui": {"position": {"x": 420 * c, "y": 260 * r}},
                }
            )
    nodes.append(
        {"id": "finish", "type": "output", "description": LONG, "ui": {"position": {"x": 2900, "y": 0}}}
    )
    edges = [{"source": "start", "target": "step_0_0"}, {"source": "step_0_0", "target": "finish"}]
    return {"id": WF, "name": "Daily tools", "nodes": nodes, "edges": edges}


@pytest.fixture(scope="module")
def workflow(live_airflow: Any) -> str:
    with live_airflow.client("Admin") as api:
        r = api.post(f"{API}/workflows", json={"spec": big_workflow(), "message": "first cut"})
        assert r.status_code == 201, r.text
    return WF


def head(live_airflow: Any) -> dict[str, Any]:
    with live_airflow.client("Admin") as api:
        r = api.get(f"{API}/workflows/{WF}")
        r.raise_for_status()
        return r.json()


def node_of(record: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in record["spec"]["nodes"] if n["id"] == node_id)


def open_editor(live_airflow: Any, new_page: Any, artifacts_dir: Path, name: str) -> CanvasPage:
    page = new_page(f"daily-{name}")
    live_airflow.browser_login(page, "Admin")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(WF)
    cv.node("start").wait_for(state="attached")
    return cv


def in_view(cv: CanvasPage, node_id: str) -> bool:
    """The node is drawn wholly inside the canvas pane."""
    pane = cv.pane_box()
    box = cv.node(node_id).bounding_box()
    if not box:
        return False
    return (
        box["x"] >= pane["x"]
        and box["y"] >= pane["y"]
        and box["x"] + box["width"] <= pane["x"] + pane["width"]
        and box["y"] + box["height"] <= pane["y"] + pane["height"]
    )


def test_node_search_frames_the_node_and_opens_it(
    live_airflow: Any, workflow: str, new_page: Any, artifacts_dir: Path
) -> None:
    cv = open_editor(live_airflow, new_page, artifacts_dir, "search")
    page = cv.page
    # Ctrl+F inside a text field stays the browser's find: no search box.
    cv.select_node("start")
    cv.tid("prop-name").click()
    page.keyboard.press("Control+f")
    assert cv.tid("node-search").count() == 0

    # Zoom in on the middle: the far corner's node is not on screen (not even drawn).
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    cv.tid("controls-fit").wait_for()
    for _ in range(8):
        page.locator(".react-flow__controls-zoomin").click()
    page.wait_for_timeout(300)
    assert cv.node("step_5_5").count() == 0 or not in_view(cv, "step_5_5")

    # Ctrl+K on the canvas opens it; Escape closes it.
    page.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+k")
    cv.tid("node-search-input").wait_for()
    assert page.evaluate("() => document.activeElement.dataset.testid") == "node-search-input"
    page.keyboard.press("Escape")
    cv.tid("node-search").wait_for(state="detached")

    # Ctrl+F, a fuzzy query ("qrtrly" is not a substring of anything): the name matches.
    page.keyboard.press("Control+f")
    cv.tid("node-search-input").fill("qrtrly")
    items = page.locator('[data-testid^="node-search-item-"]')
    assert items.count() == 1
    assert items.first.get_attribute("data-testid") == "node-search-item-step_5_5"
    # By type: "output" matches only "finish". Arrows move.
    cv.tid("node-search-input").fill("output")
    assert items.count() == 1
    assert items.first.get_attribute("data-testid") == "node-search-item-finish"
    cv.tid("node-search-input").fill("step_5")
    # (the prefix matches first; step_0_5 ... match fuzzily after them)
    found = [items.nth(i).get_attribute("data-testid") for i in range(items.count())]
    assert found[:6] == [f"node-search-item-step_5_{c}" for c in range(6)], found
    assert "node-search-item-step_0_5" in found[6:]
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    assert cv.tid("node-search-item-step_5_5").get_attribute("aria-selected") == "true"
    cv.shot("node-search")
    page.keyboard.press("Enter")
    cv.tid("node-search").wait_for(state="detached")

    # The node is framed (drawn, inside the pane), selected, and its properties are open.
    cv.node("step_5_5").wait_for()
    page.wait_for_timeout(400)  # the 250 ms pan
    assert in_view(cv, "step_5_5")
    assert cv.tid("panel-node").get_attribute("data-node") == "step_5_5"
    assert "active" in (cv.tid("tab-properties").get_attribute("class") or "")
    assert "selected" in (page.locator('.react-flow__node[data-id="step_5_5"]').get_attribute("class") or "")
    cv.shot("node-search-framed")


def test_node_colour_and_shape_shown_and_saved(
    live_airflow: Any, workflow: str, new_page: Any, artifacts_dir: Path
) -> None:
    cv = open_editor(live_airflow, new_page, artifacts_dir, "look")
    page = cv.page
    cv.select_node("start")
    node = cv.node("start")
    white = cv.luminance('[data-testid="canvas"] [data-testid="node-step_0_0"]')
    cv.tid("prop-color-green").click()
    page.locator('[data-testid="canvas"] [data-testid="node-start"][data-color="#16a34a"]').wait_for()
    # Tinted green (not the plain node background), green edge.
    assert cv.luminance('[data-testid="canvas"] [data-testid="node-start"]') < white
    edge = node.evaluate("el => getComputedStyle(el).borderTopColor")
    assert edge == "rgb(22, 163, 74)", edge
    cv.tid("prop-shape").select_option("pill")
    page.locator('[data-testid="canvas"] [data-testid="node-start"].shape-pill').wait_for()
    assert node.evaluate("el => parseFloat(getComputedStyle(el).borderTopLeftRadius)") > 20
    cv.select_node("step_0_0")
    cv.tid("prop-shape").select_option("diamond")
    cv.tid("prop-color-violet").click()
    page.locator('[data-testid="canvas"] [data-testid="node-step_0_0"].shape-diamond').wait_for()
    # Frame the two (the search again) for a screenshot at a readable zoom.
    page.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+k")
    cv.tid("node-search-input").fill("start")
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)
    cv.shot("node-colour-shape")
    cv.save("colours")
    rec = head(live_airflow)
    assert node_of(rec, "start")["ui"]["color"] == "#16a34a"
    assert node_of(rec, "start")["ui"]["shape"] == "pill"
    assert node_of(rec, "step_0_0")["ui"] == {**node_of(rec, "step_0_0")["ui"], "shape": "diamond"}
    # "No colour" clears it again.
    cv.select_node("start")
    cv.tid("prop-color-none").click()
    page.locator('[data-testid="canvas"] [data-testid="node-start"][data-color=""]').wait_for()


def test_history_dates_and_rollback_confirmation(
    live_airflow: Any, workflow: str, new_page: Any, artifacts_dir: Path
) -> None:
    cv = open_editor(live_airflow, new_page, artifacts_dir, "history")
    page = cv.page
    before = head(live_airflow)["head_version"]
    assert before >= 2  # "first cut" and the colours saved above
    cv.tid("tab-history").click()
    when = cv.tid("version-when-1")
    when.wait_for()
    assert when.inner_text() in ("just now",) or "ago" in when.inner_text(), when.inner_text()
    assert "20" in (when.get_attribute("title") or "")  # the exact date and time on hover
    assert cv.tid("version-author-1").inner_text() == live_airflow.username("Admin")

    # Roll back asks first, naming the version and what happens; Cancel changes nothing.
    cv.tid("rollback-1").click()
    dialog = cv.tid("rollback-confirm")
    dialog.wait_for()
    text = cv.tid("rollback-confirm-text").inner_text()
    assert "new version" in text and "v1" in text and "first cut" in text, text
    assert "history stays" in dialog.inner_text()
    cv.shot("rollback-confirm")
    cv.tid("rollback-cancel").click()
    dialog.wait_for(state="detached")
    assert head(live_airflow)["head_version"] == before

    # Confirmed: a new version with v1's content; the versions before it stay.
    cv.tid("rollback-1").click()
    cv.tid("rollback-confirm-button").click()
    cv.wait_version(before + 1)
    rec = head(live_airflow)
    assert rec["head_version"] == before + 1
    assert (
        "color" not in (node_of(rec, "start").get("ui") or {}) or node_of(rec, "start")["ui"]["color"] is None
    )
    cv.tid(f"version-row-{before}").wait_for()
    cv.tid("version-row-1").wait_for()
    page.wait_for_timeout(100)


def test_code_tab_highlighted_wrapped_and_copied(
    live_airflow: Any, workflow: str, new_page: Any, artifacts_dir: Path
) -> None:
    cv = open_editor(live_airflow, new_page, artifacts_dir, "code")
    page = cv.page
    cv.tid("tab-code").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=code-source]')?.innerText.includes('dag_id=')"
    )
    code = cv.tid("code-source")
    assert code.locator(".cv-tok-kw").count() > 5  # import, def, return ...
    assert code.locator(".cv-tok-str").count() > 5
    kw = code.locator(".cv-tok-kw").first
    assert kw.evaluate("el => getComputedStyle(el).color") != code.evaluate(
        "el => getComputedStyle(el).color"
    )

    # Wrapped (the default): nothing sticks out sideways. Unwrapped: the long line scrolls.
    assert cv.tid("code-wrap").is_checked()
    fits = "el => el.scrollWidth <= el.clientWidth + 1"
    assert code.evaluate(fits)
    cv.shot("code-wrapped")
    cv.tid("code-wrap").uncheck()
    assert not code.evaluate(fits)
    cv.tid("code-wrap").check()

    # Copy puts the whole file on the clipboard.
    cv.tid("code-copy").click()
    cv.tid("code-copy").filter(has_text="Copied").wait_for()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.strip() == code.inner_text().strip()
    assert "dag_id=" in copied and "every word of it matters" in copied


def test_shift_drag_selects_nodes_not_the_dock_text(
    live_airflow: Any, workflow: str, new_page: Any, artifacts_dir: Path
) -> None:
    cv = open_editor(live_airflow, new_page, artifacts_dir, "area")
    page = cv.page
    cv.tid("tab-history").click()
    cv.tid("version-row-1").wait_for()
    # A caret in the dock's text, as after reading it: Shift+mousedown would extend from there.
    cv.tid("version-row-1").click()
    cv.tid("controls-fit").click()
    page.wait_for_timeout(300)
    pane = cv.pane_box()
    page.keyboard.down("Shift")
    page.mouse.move(pane["x"] + 10, pane["y"] + 10)
    page.mouse.down()
    page.mouse.move(pane["x"] + pane["width"] * 0.5, pane["y"] + pane["height"] * 0.5, steps=8)
    page.mouse.move(pane["x"] + pane["width"] + 120, pane["y"] + pane["height"] * 0.6, steps=8)
    page.mouse.up()
    page.keyboard.up("Shift")
    cv.shot("area-selection")
    assert page.evaluate("() => String(window.getSelection())") == ""
    assert page.locator(".react-flow__node.selected").count() > 1
