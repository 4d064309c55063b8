"""The tool studio in a real browser against the real Airflow of tests/e2e/live_airflow.py: write a
tool (code with an inline syntax error first, schemas through the form, a test case), run its tests,
publish 1.0.0 with a changelog, use it in a workflow on the canvas (saved, valid), then start a new
version whose output schema loses a field and see the major bump demanded (2.0.0 suggested, 1.1.0
refused by the server), publish 2.0.0 and deprecate 1.0.0. Every result is checked through the API.
Screenshots: tests/artifacts/canvas-*-studio-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.canvas_page import CanvasPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

API = "/airflow-canvas/api"
TOOL = "studio_wc"
WF = "studio_uses_wc"
BROKEN = "def run(text):\n    return {'words': len(text.split())\n"
CODE = "def run(text):\n    return {'words': len(text.split()), 'chars': len(text)}\n"


def set_code(cv: CanvasPage, code: str) -> None:
    """Replace the CodeMirror document (inserted at once: no auto-indent on the way)."""
    cv.page.locator('[data-testid="tool-code"] .cm-content').click()
    cv.page.keyboard.press("Control+a")
    cv.page.keyboard.insert_text(code)


def api_get(live_airflow: Any, path: str) -> Any:
    with live_airflow.client("Op") as api:
        r = api.get(f"{API}{path}")
        r.raise_for_status()
        return r.json()


def test_write_test_publish_use_and_bump_a_tool(
    live_airflow: Any, new_page: Any, artifacts_dir: Path
) -> None:
    page = new_page("tool-studio")
    live_airflow.browser_login(page, "Op")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    cv.open_from_nav()

    # The Tools page beside the workflows; a new tool starts from a template.
    cv.tid("open-tool-studio").click()
    cv.tid("tool-studio").wait_for()
    cv.tid("tool-item-http_request").wait_for()  # built-ins are listed too
    cv.tid("new-tool").click()
    cv.tid("tool-name").fill(TOOL)
    cv.tid("tool-description-input").fill("Count the words of a text.")

    # A syntax error is underlined in the editor, with its line, before anything is saved or run.
    set_code(cv, BROKEN)
    cv.tid("code-problem").filter(has_text="SyntaxError").wait_for()
    assert "Line 2" in cv.tid("code-problem").first.inner_text()
    page.locator('[data-testid="tool-code"] .cm-lintRange-error').first.wait_for()
    cv.shot("studio-inline-error")
    set_code(cv, CODE)
    cv.tid("code-problem").wait_for(state="detached")

    # Output schema through the form: words and chars, both required integers.
    cv.tid("output-schema-name-0").fill("words")
    cv.tid("output-schema-add").click()
    cv.tid("output-schema-name-1").fill("chars")
    cv.tid("output-schema-type-1").select_option("integer")
    cv.tid("output-schema-required-1").check()
    # The JSON view holds the same schema.
    cv.tid("output-schema-json-tab").click()
    json_text = cv.tid("output-schema-json").inner_text()
    assert '"words"' in json_text and '"chars"' in json_text and '"required"' in json_text
    cv.tid("output-schema-form-tab").click()

    # One unit case: input -> expected output.
    cv.tid("test-0-name").fill("two words")
    cv.tid("test-0-input").fill('{"text": "hello world"}')
    cv.tid("test-0-expected").fill('{"words": 2, "chars": 11}')
    cv.tid("check-summary").filter(has_text="No errors").wait_for()
    cv.shot("studio-editor")

    # Run the tests (saves the draft first): the case passes.
    cv.tid("tool-run-tests").click()
    page.locator('[data-testid="test-result-0"][data-passed="true"]').wait_for(timeout=120_000)
    assert cv.tid("tool-message").get_attribute("data-ok") == "true"
    draft = api_get(live_airflow, f"/tools/{TOOL}/versions/1.0.0")
    assert draft["published"] is False
    assert draft["spec"]["output_schema"]["required"] == ["words", "chars"]

    # Publish 1.0.0 with a changelog.
    cv.tid("tool-publish").click()
    cv.tid("publish-preview").wait_for()
    assert cv.tid("publish-version").input_value() == "1.0.0"
    cv.tid("publish-changelog").fill("First version: words and characters.")
    cv.shot("studio-publish-first")
    cv.tid("publish-confirm").click()
    cv.tid("publish-dialog").wait_for(state="detached", timeout=120_000)
    cv.tid("version-row-1.0.0").filter(has_text="published").wait_for()
    published = api_get(live_airflow, f"/tools/{TOOL}/versions/1.0.0")
    assert published["published"] is True and published["changelog"] == "First version: words and characters."

    # Use it on the canvas: a tool node from the palette, its parameter from the tool's input form.
    with live_airflow.client("Op") as api:
        spec = {"id": WF, "name": "Uses the studio tool",
                "nodes": [{"id": "start", "type": "input", "ui": {"position": {"x": 0, "y": 0}}}]}  # fmt: skip
        assert api.post(f"{API}/workflows", json={"spec": spec, "message": "studio test"}).status_code == 201
    cv.open_workflow(WF)
    cv.tid("palette-search").fill(TOOL)
    box = cv.pane_box()
    cv.drop(f"tool-{TOOL}", box["width"] / 2 + 150, box["height"] / 2)
    node = page.locator(f'[data-testid="canvas"] [data-testid^="node-{TOOL}"]').first
    node.wait_for()
    node_id = node.get_attribute("data-testid").removeprefix("node-")
    cv.select_node(node_id)
    cv.tid("tool-section").wait_for()
    assert cv.tid("prop-tool").input_value() == f"{TOOL}@1.0.0"
    assert "Count the words" in cv.tid("tool-description").inner_text()
    link = cv.tid("open-in-studio")
    assert f"tool={TOOL}%401.0.0" in (link.get_attribute("href") or "")
    cv.tid("prop-params-text").fill("one two three")
    cv.wait_valid()
    cv.save("a node with the studio's tool")
    saved = api_get(live_airflow, f"/workflows/{WF}")["spec"]
    used = next(n for n in saved["nodes"] if n["id"] == node_id)
    assert used["tool"] == f"{TOOL}@1.0.0" and used["parameters"] == {"text": "one two three"}
    with live_airflow.client("Op") as api:
        problems = api.post(f"{API}/validate", json={"spec": saved}).json()["problems"]
    assert [p for p in problems if p["severity"] == "error"] == []

    # Back in the studio by the node's link target: the version lists the workflow that uses it.
    page.goto(link.get_attribute("href"))
    cv.tid("tool-studio").wait_for()
    cv.tid("usage-1.0.0").filter(has_text="Uses the studio tool").wait_for()
    assert cv.tid("editor-status").inner_text() == "published"
    assert cv.tid("tool-save").count() == 0  # a published version is read-only

    # A new version drops "chars" from the output: downstream may rely on it, so a major bump.
    cv.tid("tool-new-version").click()
    assert cv.tid("tool-version").input_value() == "1.0.1"
    # (the stored schema's properties come back in key order: find the row by its name)
    chars = next(i for i in range(2) if cv.tid(f"output-schema-name-{i}").input_value() == "chars")
    cv.tid(f"output-schema-remove-{chars}").click()
    cv.tid("tool-publish").click()
    preview = cv.tid("publish-preview")
    preview.wait_for()
    assert preview.get_attribute("data-required-bump") == "major"
    assert "chars" in cv.tid("publish-changes").inner_text()
    assert cv.tid("publish-version").input_value() == "2.0.0"
    cv.tid("publish-changelog").fill("Drops chars.")
    cv.shot("studio-publish-major")
    # 1.1.0 is too small: the server refuses, and the dialog says why.
    cv.tid("publish-version").fill("1.1.0")
    cv.tid("publish-confirm").click()
    refused = cv.tid("publish-refused")
    refused.wait_for(timeout=120_000)
    assert "major bump (at least 2.0.0)" in refused.inner_text()
    cv.shot("studio-publish-refused")
    assert api_get(live_airflow, f"/tools/{TOOL}/versions/1.1.0")["published"] is False
    cv.tid("publish-version").fill("2.0.0")
    cv.tid("publish-confirm").click()
    cv.tid("publish-dialog").wait_for(state="detached", timeout=120_000)
    cv.tid("version-row-2.0.0").filter(has_text="published").wait_for()
    v2 = api_get(live_airflow, f"/tools/{TOOL}/versions/2.0.0")
    assert v2["published"] and v2["changelog"] == "Drops chars."
    assert v2["spec"]["output_schema"]["required"] == ["words"]

    # Deprecate 1.0.0 (the workflow pinned to it keeps resolving).
    cv.tid("deprecate-1.0.0").click()
    cv.tid("version-row-1.0.0").filter(has_text="deprecated").wait_for()
    versions = {v["version"]: v for v in api_get(live_airflow, f"/tools/{TOOL}/versions")["items"]}
    assert versions["1.0.0"]["deprecated"] is True and versions["2.0.0"]["deprecated"] is False
    cv.shot("studio-versions")


def test_viewer_sees_the_studio_read_only(live_airflow: Any, new_page: Any, artifacts_dir: Path) -> None:
    page = new_page("tool-studio-viewer")
    live_airflow.browser_login(page, "Viewer")
    cv = CanvasPage(page, live_airflow.base_url, artifacts_dir)
    page.goto(f"{live_airflow.base_url}/plugin/canvas?tool=http_request")
    cv.tid("tool-editor").wait_for()
    cv.tid("tool-versions").wait_for()
    for control in ("new-tool", "tool-save", "tool-run-tests", "tool-publish", "tool-new-version"):
        assert cv.tid(control).count() == 0, control
    assert page.locator('[data-testid^="deprecate-"]').count() == 0
    assert page.locator('[data-testid="tool-code"] .cm-content[contenteditable="false"]').count() == 1
