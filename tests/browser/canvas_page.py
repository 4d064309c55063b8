"""Page helpers for driving the Canvas with Playwright: stable data-testid selectors only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


class CanvasPage:
    def __init__(self, page: Any, base_url: str, artifacts: Path):
        self.page = page
        self.base_url = base_url
        self.artifacts = artifacts
        self.shots = 0

    def tid(self, test_id: str) -> Any:
        return self.page.locator(f'[data-testid="{test_id}"]')

    def shot(self, name: str) -> Path:
        self.shots += 1
        path = self.artifacts / f"canvas-{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def open_from_nav(self) -> None:
        """Airflow's own home page, then its left nav's "Canvas" entry (our react_apps entry)."""
        self.page.goto(f"{self.base_url}/")
        self.page.locator('a[href$="/plugin/canvas"]').first.click()
        self.page.wait_for_url(re.compile(r"/plugin/canvas"))
        self.tid("workflow-list").wait_for()

    def open_workflow(self, workflow_id: str) -> None:
        self.page.goto(f"{self.base_url}/plugin/canvas?workflow={workflow_id}")
        self.tid("editor-title").wait_for()

    def pane_box(self) -> dict[str, float]:
        return self.page.locator(".react-flow__pane").bounding_box()

    def drop(self, palette_item: str, x: float, y: float) -> None:
        """Drag a palette entry onto the canvas at pane coordinates (x, y) (HTML5 drag and drop)."""
        self.page.drag_and_drop(
            f'[data-testid="palette-{palette_item}"]', ".react-flow__pane", target_position={"x": x, "y": y}
        )

    def connect(self, source: str, target: str, kind: str = "data_flow") -> None:
        src = self.page.locator(
            f'[data-testid="node-{source}"] [data-testid="handle-out-{kind}"]'
        ).bounding_box()
        dst = self.page.locator(
            f'[data-testid="node-{target}"] [data-testid="handle-in-{kind}"]'
        ).bounding_box()
        mouse = self.page.mouse
        mouse.move(src["x"] + src["width"] / 2, src["y"] + src["height"] / 2)
        mouse.down()
        tx, ty = dst["x"] + dst["width"] / 2, dst["y"] + dst["height"] / 2
        mouse.move((src["x"] + tx) / 2, (src["y"] + ty) / 2, steps=5)
        mouse.move(tx, ty, steps=5)
        mouse.up()
        # A straight edge's SVG box has no height, so wait for it in the DOM, not for "visible".
        self.page.locator(f'.react-flow__edge[data-id="{source}->{target}"]').wait_for(state="attached")

    def select_node(self, node_id: str, add: bool = False) -> None:
        self.page.locator(f'[data-testid="node-name-{node_id}"]').click(modifiers=["Shift"] if add else None)

    def edge_count(self) -> int:
        return self.page.locator(".react-flow__edge").count()

    def wait_valid(self) -> None:
        self.page.locator('[data-testid="validation-status"][data-status="valid"]').wait_for(timeout=20_000)

    def save(self, message: str) -> None:
        self.tid("save-button").click()
        self.tid("save-message").fill(message)
        self.tid("save-confirm").click()
        self.tid("save-dialog").wait_for(state="detached")
        self.tid("dirty").wait_for(state="detached")

    def version(self) -> int:
        return int(self.tid("editor-version").inner_text().strip().lstrip("v").split()[0])

    # ---- helpers for the feature tests (tests/browser/test_canvas_features_browser.py) -------------

    def node(self, node_id: str) -> Any:
        """A node on the editor's canvas (not one drawn in a co-pilot preview)."""
        return self.page.locator(f'[data-testid="canvas"] [data-testid="node-{node_id}"]')

    def edge(self, edge_id: str) -> Any:
        """An edge on the editor's canvas; wait for it "attached" (its SVG group reads as hidden)."""
        return self.page.locator(f'[data-testid="canvas"] .react-flow__edge[data-id="{edge_id}"]')

    def click_edge(self, edge_id: str) -> None:
        """Click the middle of an edge's box: a bezier between two nodes in a row passes through it."""
        box = self.edge(edge_id).bounding_box()
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    def context_menu(self, node_id: str) -> Any:
        self.page.locator(f'[data-testid="canvas"] [data-testid="node-name-{node_id}"]').click(button="right")
        menu = self.tid("context-menu")
        menu.wait_for()
        return menu

    def save_expecting_conflict(self, message: str) -> Any:
        self.tid("save-button").click()
        self.tid("save-message").fill(message)
        self.tid("save-confirm").click()
        dialog = self.tid("conflict-dialog")
        dialog.wait_for()
        return dialog

    def wait_version(self, version: int, branch: str | None = None) -> None:
        text = f"v{version}" + (f" · {branch}" if branch else "")
        exact = re.compile(rf"^{re.escape(text)}$")
        self.page.locator('[data-testid="editor-version"]', has_text=exact).wait_for()

    def luminance(self, selector: str, prop: str = "backgroundColor") -> float:
        """Relative luminance (0 black .. 1 white) of an element's computed color. The color may be
        in any CSS syntax (Airflow's Chakra theme uses oklch()): a 1x1 canvas turns it into sRGB."""
        return self.page.evaluate(
            """([sel, prop]) => {
                const el = document.querySelector(sel);
                if (!el) throw new Error('no element ' + sel);
                const ctx = document.createElement('canvas').getContext('2d');
                ctx.fillStyle = '#000';
                ctx.fillStyle = getComputedStyle(el)[prop];
                ctx.fillRect(0, 0, 1, 1);
                const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
                if (a === 0) throw new Error('transparent ' + prop + ' on ' + sel);
                const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
                return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
            }""",
            [selector, prop],
        )
