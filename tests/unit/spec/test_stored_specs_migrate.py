"""A version stored by an older release is migrated on load, like every other input."""

from __future__ import annotations

import json
import types
from typing import Any

import pytest

from airflow_canvas.spec import load
from airflow_canvas.store.repository import load_spec


def test_stored_spec_of_an_older_version_is_migrated(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend this release reads spec_version 2, whose upgrade from 1 renames the workflow.
    def upgrade(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "name": data["name"] + " (migrated)"}

    monkeypatch.setattr(load, "SPEC_VERSION", 2)
    monkeypatch.setitem(load.MIGRATIONS, 1, upgrade)
    stored = {"spec_version": 1, "id": "old", "name": "Old", "nodes": [{"id": "a", "type": "input"}]}
    wf = load_spec(types.SimpleNamespace(spec=json.dumps(stored)))  # type: ignore[arg-type]
    assert wf.name == "Old (migrated)" and wf.spec_version == 2


def test_stored_spec_of_a_newer_release_is_refused_clearly() -> None:
    stored = {"spec_version": 99, "id": "new", "name": "New", "nodes": []}
    with pytest.raises(load.SpecError, match="spec_version 99 is not supported"):
        load_spec(types.SimpleNamespace(spec=json.dumps(stored)))  # type: ignore[arg-type]
