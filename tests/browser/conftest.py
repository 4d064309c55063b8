"""Browser-test fixtures: the real Airflow from tests/e2e/live_airflow.py and Debian's chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.live_airflow import live_airflow  # noqa: F401  (session fixture re-exported)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser: Any, artifacts_dir: Path) -> Iterator[Any]:
    """Factory of pages; each page's console errors are kept in tests/artifacts for debugging."""
    pages: list[Any] = []

    def make(name: str) -> Any:
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        log = artifacts_dir / f"browser-{name}.log"
        log.write_text("")
        page.on(
            "console",
            lambda m: m.type in ("error", "warning") and log.open("a").write(f"{m.type}: {m.text}\n"),
        )
        page.on("pageerror", lambda e: log.open("a").write(f"pageerror: {e}\n"))
        page.set_default_timeout(30_000)
        pages.append(page)
        return page

    yield make
    for i, page in enumerate(pages):
        # The last state of every page, for when a test failed half-way.
        page.screenshot(path=str(artifacts_dir / f"browser-last-{i}.png"))
        page.context.close()
