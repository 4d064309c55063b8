"""Reusable chains and user templates (issue 17, item 6) in a real browser against the real Airflow:
a group is saved as a chain from its context menu (interface derived, version 1.0.0 suggested),
inserted into another workflow from "Insert chain…" (ids prefixed, group pinned), saved; a newer
compatible version shows "update available" on the group and updating replaces its contents; the
workflow is saved as a template with parameters and a new workflow is created from it in the New
workflow dialog. Screenshots: tests/artifacts/canvas-*-chain-*.png and *-template-*.png."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage
from tests.integration.api.test_chains import source_spec, target_spec

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

API = "/airflow-canvas/api"
SRC = "chain_lib_src"
DST = "chain_lib_dst"


def _record(live_airflow: Any, wid: str) -> dict[str, Any]:
    with live_airflow.client("Admin") as api:
        r = api.get(f"{API}/workflows/{wid}")
        assert r.status_code == 200, r.text
        rec: dict[str, Any] = r.json()
        return rec


def test_save_chain_insert_update_and_template(live_airflow: Any, new_page: Any, artifacts_dir: Path) -> None:
    src = source_spec(SRC)
    dst = target_spec(DST) | {
        "name": "Answer desk",
        "description": "Answers questions",
        "triggers": {"schedule": {"kind": "cron", "value": "0 6 * * *"}},
    }
    with live_airflow.client("Admin") as api:
        for spec in (src, dst):
            assert api.post(f"{API}/workflows", json={"spec": spec}).status_code == 201
    page = new_page("chains")
    page.on("dialog", lambda d: d.accept())
    live_airflow.browser_login(page, "Admin")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    # The badge is on the group's frame (and again in the group's panel when it is selected).
    frame = '[data-testid="group-clean_text_ui"] '

    # --- Save the group "clean" as a chain from its context menu.
    cv.open_workflow(SRC)
    cv.tid("group-clean").wait_for()
    page.locator('[data-testid="group-clean"] .cv-group-header span').first.click(button="right")
    cv.tid("menu-save-chain").click()
    dialog = cv.tid("save-chain-dialog")
    dialog.wait_for()
    cv.tid("chain-name").fill("clean_text_ui")
    cv.tid("chain-port-text").wait_for()  # the interface derived from the boundary edges
    cv.tid("chain-port-result").wait_for()
    assert cv.tid("chain-version").input_value() == "1.0.0"
    cv.tid("chain-description").fill("Strip and upper-case a text")
    cv.shot("chain-save-dialog")
    cv.tid("chain-publish").click()
    dialog.wait_for(state="detached")
    with live_airflow.client("Admin") as api:
        versions = api.get(f"{API}/chains/clean_text_ui").json()["items"]
    assert [v["version"] for v in versions] == ["1.0.0"]

    # --- Insert it into another workflow and save.
    cv.open_workflow(DST)
    cv.node("ask").wait_for()
    cv.tid("insert-chain-button").click()
    cv.tid("insert-chain-dialog").wait_for()
    cv.tid("chain-search").fill("upper-case")
    cv.tid("chain-item-clean_text_ui").click()
    cv.shot("chain-insert-dialog")
    cv.tid("chain-insert").click()
    cv.tid("insert-chain-dialog").wait_for(state="detached")
    cv.tid("group-clean_text_ui").wait_for()
    cv.node("clean_text_ui_strip").wait_for()
    page.locator(frame + '[data-testid="chain-badge-clean_text_ui"]').filter(
        has_text="clean_text_ui@1.0.0"
    ).wait_for()
    cv.save("insert the clean_text_ui chain")
    cv.wait_version(2)
    saved = _record(live_airflow, DST)["spec"]
    group = next(g for g in saved["groups"] if g["id"] == "clean_text_ui")
    assert group["chain"] == "clean_text_ui@1.0.0"
    assert {n["id"] for n in saved["nodes"]} >= {
        "ask",
        "answer",
        "clean_text_ui_strip",
        "clean_text_ui_upper",
    }

    # --- A compatible 1.1.0 appears: the group offers the update, and updating replaces its contents.
    v11 = copy.deepcopy(src)
    v11["nodes"][2]["process"]["expression"] = "{result: clean, shouted: clean}"
    with live_airflow.client("Admin") as api:
        body = {"spec": v11, "group_id": "clean", "name": "clean_text_ui", "version": "1.1.0"}
        assert api.post(f"{API}/chains", json=body).status_code == 201
    cv.open_workflow(DST)
    update = page.locator(frame + '[data-testid="chain-update-clean_text_ui"]')
    update.filter(has_text="update available: 1.1.0").wait_for()
    cv.shot("chain-update-available")
    update.click()
    page.locator(frame + '[data-testid="chain-badge-clean_text_ui"]').filter(
        has_text="clean_text_ui@1.1.0"
    ).wait_for()
    update.wait_for(state="detached")
    cv.save("update clean_text_ui to 1.1.0")
    cv.wait_version(3)
    saved = _record(live_airflow, DST)["spec"]
    assert next(g for g in saved["groups"] if g["id"] == "clean_text_ui")["chain"] == "clean_text_ui@1.1.0"
    upper = next(n for n in saved["nodes"] if n["id"] == "clean_text_ui_upper")
    assert upper["process"]["expression"] == "{result: clean, shouted: clean}"

    # --- Save the workflow as a template with its schedule and description as parameters.
    cv.tid("save-template-button").click()
    cv.tid("save-template-dialog").wait_for()
    cv.tid("template-name").fill("answer_desk_tpl")
    assert cv.tid("template-param-schedule").is_checked()
    assert cv.tid("template-param-description").is_checked()
    cv.shot("template-save-dialog")
    cv.tid("template-save").click()
    cv.tid("save-template-dialog").wait_for(state="detached")

    # --- Create a new workflow from it, with another schedule.
    cv.tid("back-to-list").click()
    cv.tid("new-workflow").click()
    cv.tid("new-mode-template").click()
    cv.tid("new-template").select_option("user:answer_desk_tpl")
    cv.tid("new-name").fill("Evening desk")
    cv.tid("new-template-params-schedule").fill("0 18 * * *")
    cv.shot("template-create-from-user-template")
    cv.tid("new-create").click()
    cv.tid("editor-title").filter(has_text="Evening desk").wait_for()
    made = _record(live_airflow, "evening_desk")["spec"]
    assert made["triggers"]["schedule"]["value"] == "0 18 * * *"
    assert made["description"] == "Answers questions"
    assert next(g for g in made["groups"] if g["id"] == "clean_text_ui")["chain"] == "clean_text_ui@1.1.0"
    cv.tid("group-clean_text_ui").wait_for()
