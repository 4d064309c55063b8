"""Pytest fixtures for the fakes. A test folder's conftest.py imports the ones it needs, e.g.
``from tests.fakes.fixtures import openai_server  # noqa: F401``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.openai_server import ScriptedOpenAIServer


@pytest.fixture
def openai_server() -> Iterator[ScriptedOpenAIServer]:
    """A started ScriptedOpenAIServer, stopped after the test."""
    with ScriptedOpenAIServer() as server:
        yield server
