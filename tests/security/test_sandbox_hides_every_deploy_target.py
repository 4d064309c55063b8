"""Every deploy environment's folder and the Git environments' work clones are server paths no
sandboxed run may see, whatever form the environment takes in ``[airflow_canvas] environments``.
Before, only the string form ``{"prod": "/dir"}`` was hidden: the object form ``{"prod": {"folder":
"/dir", ...}}`` became the path "{'folder': ...}" and the real folder stayed visible wherever a bound
directory contained it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_canvas.tools import sandbox_view


def test_object_form_folders_and_git_work_clones_are_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging, prod, clones = tmp_path / "staging", tmp_path / "prod", tmp_path / "clones"
    for folder in (staging, prod, clones):
        folder.mkdir()
    environments = {
        "staging": str(staging),
        "prod": {"folder": str(prod), "requires": "staging", "protected": True},
        "remote": {"git": {"url": "https://git.example/dags.git", "branch": "main"}},
    }
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS", json.dumps(environments))
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__GIT_CACHE_DIR", str(clones))
    hidden = set(sandbox_view.forbidden_paths())
    assert {staging.resolve(), prod.resolve(), clones.resolve()} <= hidden
    assert not [p for p in hidden if "{" in str(p)]  # no dict turned into a path


def test_a_malformed_setting_hides_nothing_less(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS", "[not, json")
    assert sandbox_view.forbidden_paths()  # still the Airflow paths; the bad setting is refused elsewhere
