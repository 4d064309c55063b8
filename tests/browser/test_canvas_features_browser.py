"""Canvas features in a real browser against the real Airflow of tests/e2e/live_airflow.py, logged in
as real FAB users: the save conflict (409) and its resolutions, branches and merging them (with a
conflict settled in the History panel), copy/paste between workflows, the node context menu, the
edge panel, the Code tab following edits, and running one node with mock data. Every result is
checked through the API as well. Screenshots go to tests/artifacts/canvas-*.png."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

API = "/airflow-canvas/api"


def chain(wf_id: str, name: str, nodes: list[tuple[str, str]]) -> dict[str, Any]:
    """A workflow of ``nodes`` ((id, type) pairs) in one row, each feeding the next."""
    return {
        "id": wf_id,
        "name": name,
        "nodes": [
            {"id": i, "type": t, "ui": {"position": {"x": 300 * n, "y": 0}}} for n, (i, t) in enumerate(nodes)
        ],
        "edges": [{"source": a[0], "target": b[0]} for a, b in zip(nodes, nodes[1:], strict=False)],
    }


THREE = [("start", "input"), ("clean", "process"), ("finish", "output")]
WORKFLOWS = [
    chain("feat_versions", "Versions and branches", THREE),
    chain("feat_copy_src", "Copy source", THREE),
    chain("feat_copy_dst", "Paste target", [("clean", "input"), ("done", "output")]),
    chain("feat_menu", "Context menu", THREE),
    chain("feat_edges", "Edges and code", THREE),
]


@pytest.fixture(scope="module")
def workflows(live_airflow: Any) -> list[str]:
    """The module's workflows, created once through the API (version 1 each)."""
    with live_airflow.client("Admin") as api:
        for spec in WORKFLOWS:
            r = api.post(
                f"{API}/workflows", json={"spec": spec, "message": "created by the feature browser tests"}
            )
            assert r.status_code == 201, r.text
    return [w["id"] for w in WORKFLOWS]


def head(live_airflow: Any, wf: str, branch: str = "main") -> dict[str, Any]:
    with live_airflow.client("Admin") as api:
        r = api.get(f"{API}/workflows/{wf}", params={"branch": branch})
        r.raise_for_status()
        return r.json()


def node_of(record: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in record["spec"]["nodes"] if n["id"] == node_id)


def save_as(
    live_airflow: Any, role: str, wf: str, edit: Callable[[dict[str, Any]], None], branch: str = "main"
) -> int:
    """Another user saves a version through the API (based on the branch's head); its number."""
    rec = head(live_airflow, wf, branch)
    spec = rec["spec"]
    edit(spec)
    with live_airflow.client(role) as api:
        r = api.put(
            f"{API}/workflows/{wf}",
            json={
                "spec": spec,
                "base_version": rec["head_version"],
                "message": f"edited by {role} through the API",
                "branch": branch,
            },
        )
        assert r.status_code == 200, r.text
        return r.json()["version"]


def rename(node_id: str, name: str) -> Callable[[dict[str, Any]], None]:
    return set_node(node_id, name=name)


def set_node(node_id: str, **fields: Any) -> Callable[[dict[str, Any]], None]:
    def edit(spec: dict[str, Any]) -> None:
        next(n for n in spec["nodes"] if n["id"] == node_id).update(fields)

    return edit


def open_as(
    live_airflow: Any, new_page: Any, artifacts_dir: Path, wf: str, role: str = "Admin"
) -> CanvasPage:
    page = new_page(f"features-{wf}")
    live_airflow.browser_login(page, role)
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_workflow(wf)
    cv.node("start").wait_for()
    return cv


def test_save_conflict_resolutions_branches_and_merge(
    live_airflow: Any, workflows: list[str], new_page: Any, artifacts_dir: Path
) -> None:
    wf = "feat_versions"
    cv = open_as(live_airflow, new_page, artifacts_dir, wf)
    assert cv.version() == 1

    # --- 409: Op saves v2 through the API while the browser still edits v1.
    assert save_as(live_airflow, "Op", wf, rename("finish", "Their finish")) == 2
    cv.select_node("clean")
    cv.tid("prop-name").fill("My clean")
    dialog = cv.save_expecting_conflict("my rename")
    assert "now v2" in cv.tid("conflict-versions").inner_text()
    assert "since you opened v1" in cv.tid("conflict-versions").inner_text()
    theirs = cv.tid("conflict-theirs-nodes/finish").inner_text()
    assert "changed node finish" in theirs and "Their finish" in theirs
    assert "My clean" in cv.tid("conflict-yours-nodes/clean").inner_text()
    for choice in ("conflict-load-theirs", "conflict-keep-mine", "conflict-save-branch", "conflict-cancel"):
        assert dialog.locator(f'[data-testid="{choice}"]').is_visible(), choice
    cv.shot("conflict-dialog")

    # "Keep mine": my version goes on top of theirs (v3); theirs stays in the history as v2.
    cv.tid("conflict-keep-mine").click()
    dialog.wait_for(state="detached")
    cv.tid("dirty").wait_for(state="detached")
    cv.wait_version(3)
    rec = head(live_airflow, wf)
    assert rec["head_version"] == 3 and rec["author"] == live_airflow.username("Admin")
    assert node_of(rec, "clean")["name"] == "My clean"
    assert node_of(rec, "finish").get("name", "") == ""  # mine replaced theirs, as the dialog says
    with live_airflow.client("Admin") as api:
        v2 = api.get(f"{API}/workflows/{wf}/versions/2").json()
    assert node_of(v2, "finish")["name"] == "Their finish" and v2["author"] == live_airflow.username("Op")

    # --- Another conflict, settled by "Save on a branch": nothing is overwritten.
    assert save_as(live_airflow, "Op", wf, rename("finish", "Their finish again")) == 4
    cv.select_node("clean")
    cv.tid("prop-process-expression").fill("items[?keep]")
    cv.wait_valid()
    cv.save_expecting_conflict("keep only kept items")
    assert "Their finish again" in cv.tid("conflict-theirs").inner_text()
    cv.tid("conflict-branch-name").fill("mine_expr")
    cv.tid("conflict-save-branch").click()
    cv.tid("conflict-dialog").wait_for(state="detached")
    cv.wait_version(5, "mine_expr")
    assert cv.tid("dirty").count() == 0
    on_branch = head(live_airflow, wf, "mine_expr")
    assert on_branch["head_version"] == 5 and on_branch["branch"] == "mine_expr"
    assert on_branch["parent_version"] == 3  # branched from the version the edit started from
    assert node_of(on_branch, "clean")["process"]["expression"] == "items[?keep]"
    assert head(live_airflow, wf)["head_version"] == 4  # main untouched

    # --- Switch branches: the canvas shows each branch's content.
    cv.tid("tab-history").click()
    cv.tid("version-branch-5").filter(has_text="mine_expr").wait_for()
    cv.tid("branch-select").select_option("main")
    cv.wait_version(4)
    cv.tid("node-name-finish").filter(has_text="Their finish again").wait_for()
    assert "items[?keep]" not in cv.node("clean").inner_text()
    cv.tid("branch-select").select_option("mine_expr")
    cv.wait_version(5, "mine_expr")
    cv.node("clean").filter(has_text="items[?keep]").wait_for()
    assert cv.tid("node-name-finish").inner_text() == "finish"
    cv.tid("branch-select").select_option("main")
    cv.wait_version(4)

    # --- Merge mine_expr into main from the History panel: no conflict (different nodes changed).
    assert cv.tid("merge-target").inner_text() == "main"
    cv.tid("merge-source").select_option("mine_expr")
    cv.tid("merge-button").click()
    cv.wait_version(6)
    cv.node("clean").filter(has_text="items[?keep]").wait_for()
    cv.tid("node-name-finish").filter(has_text="Their finish again").wait_for()
    merged = head(live_airflow, wf)
    assert merged["head_version"] == 6 and merged["merged_version"] == 5
    assert node_of(merged, "clean")["process"]["expression"] == "items[?keep]"
    assert node_of(merged, "finish")["name"] == "Their finish again"
    cv.shot("merged-branch")

    # --- A branch created on the canvas takes the unsaved edit along; save it there.
    cv.tid("tab-properties").click()
    cv.select_node("finish")
    cv.tid("prop-name").fill("Alt finish")
    cv.tid("dirty").wait_for()
    cv.tid("tab-history").click()
    assert cv.tid("branch-select").is_disabled()  # switching would drop the edit
    cv.tid("branch-new-name").fill("alt")
    cv.tid("branch-create").click()
    cv.wait_version(6, "alt")
    cv.tid("dirty").wait_for()
    cv.save("alt finish on a branch")
    cv.wait_version(7, "alt")
    assert node_of(head(live_airflow, wf, "alt"), "finish")["name"] == "Alt finish"

    # Meanwhile main renames the same node: merging alt into main conflicts on that field.
    assert save_as(live_airflow, "Op", wf, rename("finish", "Main finish")) == 8
    cv.tid("branch-select").select_option("main")
    cv.wait_version(8)
    cv.tid("node-name-finish").filter(has_text="Main finish").wait_for()
    cv.tid("merge-source").select_option("alt")
    cv.tid("merge-button").click()
    conflict = cv.tid("merge-conflict-nodes/finish")
    conflict.wait_for()
    assert "1 conflict(s)" in cv.tid("merge-conflict-summary").inner_text()
    text = conflict.inner_text()
    assert "name" in text and "Main finish" in text and "Alt finish" in text and "Their finish again" in text
    assert cv.tid("merge-resolve").is_disabled()  # every conflict needs a choice first
    cv.tid("merge-resolve").scroll_into_view_if_needed()
    cv.shot("merge-conflict")
    cv.tid("merge-take-source-nodes/finish").check()
    cv.tid("merge-resolve").click()
    cv.wait_version(9)
    cv.tid("node-name-finish").filter(has_text="Alt finish").wait_for()
    assert cv.tid("merge-conflicts").count() == 0
    final = head(live_airflow, wf)
    assert final["head_version"] == 9 and final["merged_version"] == 7
    assert node_of(final, "finish")["name"] == "Alt finish"
    assert node_of(final, "clean")["process"]["expression"] == "items[?keep]"
    with live_airflow.client("Admin") as api:
        branches = {
            b["name"]: b["head_version"] for b in api.get(f"{API}/workflows/{wf}/branches").json()["items"]
        }
    assert branches == {"main": 9, "mine_expr": 5, "alt": 7}
    cv.shot("merge-resolved")


def test_copy_paste_between_workflows(
    live_airflow: Any, workflows: list[str], new_page: Any, artifacts_dir: Path
) -> None:
    source = "feat_copy_src"
    save_as(
        live_airflow,
        "Admin",
        source,
        set_node("clean", name="Clean up", process={"language": "jmespath", "expression": "items[0]"}),
    )
    cv = open_as(live_airflow, new_page, artifacts_dir, source)
    page = cv.page
    cv.select_node("clean")
    cv.select_node("finish", add=True)
    page.keyboard.press("Control+c")
    cv.tid("toast").filter(has_text="Copied 2 node(s)").wait_for()

    # Another workflow that already has a node "clean": the pasted one gets a fresh id, and the
    # edge between the two pasted nodes follows it.
    cv.open_workflow("feat_copy_dst")
    cv.node("done").wait_for()
    page.locator(".react-flow__pane").click(position={"x": 300, "y": 600})
    page.keyboard.press("Control+v")
    cv.node("clean_2").wait_for()
    cv.node("finish").wait_for()
    cv.edge("clean_2->finish").wait_for(state="attached")
    assert cv.edge_count() == 2  # clean->done and the pasted one; nothing dangling
    assert cv.tid("panel-multi").inner_text().startswith("2 nodes")  # the pasted nodes are selected
    assert cv.tid("node-name-clean_2").inner_text() == "Clean up"
    cv.wait_valid()
    cv.shot("pasted-into-other-workflow")
    cv.save("pasted from feat_copy_src")
    rec = head(live_airflow, "feat_copy_dst")
    assert sorted(n["id"] for n in rec["spec"]["nodes"]) == ["clean", "clean_2", "done", "finish"]
    assert node_of(rec, "clean")["type"] == "input"  # the original is untouched
    assert node_of(rec, "clean_2")["type"] == "process"
    assert node_of(rec, "clean_2")["process"]["expression"] == "items[0]"
    assert sorted((e["source"], e["target"]) for e in rec["spec"]["edges"]) == [
        ("clean", "done"),
        ("clean_2", "finish"),
    ]
    # Undo removes the whole paste in one step.
    page.keyboard.press("Control+z")
    cv.node("clean_2").wait_for(state="detached")
    assert cv.node("finish").count() == 0


def test_node_context_menu(
    live_airflow: Any, workflows: list[str], new_page: Any, artifacts_dir: Path
) -> None:
    wf = "feat_menu"
    cv = open_as(live_airflow, new_page, artifacts_dir, wf)
    page = cv.page
    menu = cv.context_menu("clean")
    items = [b.get_attribute("data-testid") for b in menu.locator("button").all()]
    # No run selected: no "Show output" nor "Re-run from this node"; no debug session: no breakpoint
    # nor "Run to here" (ui/src/editor/ContextMenu.tsx).
    assert items == [
        "menu-run-node",
        "menu-duplicate",
        "menu-group",
        "menu-save-chain",
        "menu-delete",
        "menu-ask-copilot",
    ]
    cv.shot("context-menu")

    # Duplicate: a copy with a fresh id, selected.
    cv.tid("menu-duplicate").click()
    cv.node("clean_2").wait_for()
    assert cv.tid("panel-node").get_attribute("data-node") == "clean_2"
    # Delete (the right-clicked node).
    cv.context_menu("clean_2")
    cv.tid("menu-delete").click()
    cv.node("clean_2").wait_for(state="detached")
    assert cv.edge_count() == 2
    # Group selection: the right-clicked node becomes a group's member.
    cv.context_menu("clean")
    cv.tid("menu-group").click()
    cv.tid("group-group_1").wait_for()
    assert cv.tid("panel-group").get_attribute("data-group") == "group_1"
    cv.select_node("clean")
    assert cv.tid("prop-group").input_value() == "group_1"
    page.keyboard.press("Control+z")
    cv.tid("group-group_1").wait_for(state="detached")

    # Run this node (mock data): the node's panel opens and the node runs at once, on an input
    # generated from its input schema (shown in the input box to edit and run again).
    cv.context_menu("finish")
    cv.tid("menu-run-node").click()
    assert cv.tid("panel-node").get_attribute("data-node") == "finish"
    cv.tid("node-test-report").wait_for()
    assert cv.tid("node-test-input-source").inner_text() == "(generated from the input schema)"
    cv.tid("node-test-input").fill('{"answer": 42}')
    cv.tid("node-test-run").click()
    cv.tid("node-test-output").filter(has_text="42").wait_for()

    # Ask the co-pilot: its tab opens and the question about this node is sent, with the node selected.
    cv.context_menu("clean")
    cv.tid("menu-ask-copilot").click()
    assert "active" in (cv.tid("tab-copilot").get_attribute("class") or "")
    question = page.locator('[data-testid="copilot-msg-user"]', has_text="explain node clean")
    question.wait_for()
    answer = page.locator('[data-testid="copilot-msg-assistant"][data-streaming="false"]').last
    answer.wait_for()
    assert "clean" in answer.inner_text() and "didn't understand" not in answer.inner_text()
    cv.shot("context-menu-ask-copilot")
    # Coming back to the tab does not ask again.
    cv.tid("tab-properties").click()
    cv.tid("tab-copilot").click()
    page.locator('[data-testid="copilot-msg-assistant"]').first.wait_for()
    page.wait_for_timeout(1500)
    assert question.count() == 1
    with live_airflow.client("Admin") as api:
        convs = api.get(f"{API}/copilot/conversations", params={"workflow_id": wf}).json()["items"]
    asked = [
        m
        for c in convs
        for m in c["messages"]
        if m["role"] == "user" and m["content"] == "explain node clean"
    ]
    assert len(asked) == 1, convs


def test_edge_panel_code_tab_and_mock_run(
    live_airflow: Any, workflows: list[str], new_page: Any, artifacts_dir: Path
) -> None:
    wf = "feat_edges"
    cv = open_as(live_airflow, new_page, artifacts_dir, wf)
    page = cv.page
    code = cv.tid("code-source")

    # --- The Code tab shows the generated DAG and follows edits.
    cv.tid("tab-code").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=code-source]')?.innerText.includes('dag_id=')"
    )
    source = code.inner_text()
    assert 'dag_id="feat_edges"' in source and 'task_id="clean"' in source and "ProcessOperator(" in source
    # Rename in place on the canvas (double-click): the task's display name follows.
    cv.tid("node-name-clean").dblclick()
    cv.tid("rename-input").fill("Scrub rows")
    cv.tid("rename-input").press("Enter")
    code.filter(has_text='task_display_name="Scrub rows"').wait_for()
    # A new id is a new task_id; the edges follow it.
    cv.tid("tab-properties").click()
    cv.select_node("clean")
    cv.tid("prop-id").fill("scrub")
    cv.tid("prop-id").press("Enter")
    cv.node("scrub").wait_for()
    cv.tid("tab-code").click()
    code.filter(has_text='task_id="scrub"').wait_for()
    source = code.inner_text()
    assert 'task_id="clean"' not in source and '"start": start.output' in source
    cv.shot("code-tab-renamed")

    # --- The edge panel: label, condition and mapping, shown on the edge.
    cv.tid("tab-properties").click()
    cv.edge("start->scrub").wait_for(state="attached")
    cv.click_edge("start->scrub")
    panel = cv.tid("panel-edge")
    panel.wait_for()
    assert panel.get_attribute("data-edge") == "start->scrub"
    cv.tid("prop-edge-label").fill("rows")
    cv.tid("prop-edge-condition").fill("length(items) > `0`")
    cv.tid("mapping-add").click()
    cv.tid("mapping-source-0").fill("items")
    cv.tid("mapping-target-0").fill("rows")
    badge = cv.tid("edge-label-start->scrub")
    badge.filter(has_text="rows · if length(items) > `0`").wait_for()
    assert "cond" in (badge.get_attribute("class") or "")
    cv.wait_valid()
    cv.shot("edge-panel")

    # A bad condition: the edge turns red, the field and the problems bar say why.
    cv.tid("prop-edge-condition").fill("items[")
    cv.page.locator('[data-testid="canvas"] .react-flow__edge.has-error[data-id="start->scrub"]').wait_for(
        state="attached", timeout=20_000
    )
    assert "not valid JMESPath" in cv.tid("prop-edge-condition-error").inner_text()
    problem = cv.tid("problem-E_JMESPATH_INVALID")
    assert "start->scrub" in problem.inner_text()
    stroke = page.evaluate(
        """() => getComputedStyle(document.querySelector(
            '[data-testid=canvas] .react-flow__edge[data-id="start->scrub"] .react-flow__edge-path')).stroke"""
    )
    assert stroke == "rgb(220, 38, 38)", stroke
    cv.shot("edge-bad-condition")
    cv.tid("prop-edge-condition").fill("length(items) > `0`")
    cv.page.locator('[data-testid="canvas"] .react-flow__edge.has-error').wait_for(
        state="detached", timeout=20_000
    )
    cv.wait_valid()
    cv.tid("tab-code").click()
    code.filter(has_text="ConditionBranchOperator(").wait_for()
    assert '"scrub": "length(items) > `0`"' in code.inner_text()
    assert 'input_mapping={"rows": \'"start"."items"\'}' in code.inner_text()

    # --- Run one node with mock data from its panel (debug mode).
    cv.tid("tab-properties").click()
    cv.select_node("scrub")
    cv.tid("prop-process-expression").fill("rows[?keep].name")
    cv.tid("node-test-input").fill(
        json.dumps({"rows": [{"name": "a", "keep": True}, {"name": "b", "keep": False}]})
    )
    cv.tid("node-test-run").click()
    output = cv.tid("node-test-output")
    output.wait_for()
    assert json.loads(output.inner_text()) == ["a"]
    assert cv.tid("node-test-state").inner_text() == "success"
    cv.tid("node-test-report").locator("summary").click()
    report = json.loads(cv.tid("node-test-result").inner_text())
    assert report["debug"]["resolved_inputs"]["rows"][1]["name"] == "b" and report["input_generated"] is False
    cv.shot("mock-run")
    # A failing node shows its error, not a server error.
    cv.tid("prop-process-language").select_option("python")
    cv.tid("prop-process-expression").fill("raise ValueError('no rows kept: ' + str(len(inputs['rows'])))")
    cv.tid("node-test-run").click()
    cv.tid("node-test-error").filter(has_text="no rows kept: 2").wait_for()
    assert cv.tid("node-test-state").inner_text() == "failed"
    cv.tid("prop-process-language").select_option("jmespath")
    cv.tid("prop-process-expression").fill("rows[?keep].name")
    cv.wait_valid()

    cv.save("edge condition, mapping, renamed node")
    rec = head(live_airflow, wf)
    edge = next(e for e in rec["spec"]["edges"] if e["target"] == "scrub")
    assert edge["label"] == "rows" and edge["condition"] == "length(items) > `0`"
    assert edge["mapping"] == [{"source": "items", "target": "rows"}]
    scrub = node_of(rec, "scrub")
    assert scrub["name"] == "Scrub rows" and scrub["process"]["expression"] == "rows[?keep].name"
    assert re.search(r"^v\d+$", cv.tid("editor-version").inner_text())
