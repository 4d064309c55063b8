from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.fixtures import openai_server  # noqa: F401


@pytest.fixture
def venv_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A venv cache private to the test session (shared between tests, so cache hits happen)."""
    root = tmp_path_factory.getbasetemp() / "venv-cache"
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__VENV_CACHE_DIR", str(root))
    return root
