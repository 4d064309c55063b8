"""The venv cache: a tool's pip dependencies are installed once per requirement set, then reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.runner import run_in_sandbox
from airflow_canvas.tools.venvs import VenvError, ensure_venv, normalize_requirements, requirements_key


def test_key_ignores_order_duplicates_and_spacing() -> None:
    assert requirements_key(["six", "pyjokes==0.8.3"]) == requirements_key(["pyjokes == 0.8.3", "six", "six"])
    assert requirements_key(["six"]) != requirements_key(["six<2"])


@pytest.mark.parametrize(
    "bad",
    ["--index-url=https://evil.example/simple", "-e .", "pkg @ https://evil.example/x.whl", "not a req!"],
)
def test_pip_options_and_urls_are_refused(bad: str) -> None:
    with pytest.raises(VenvError, match="Requirement"):
        normalize_requirements([bad])


@pytest.mark.slow
def test_dependency_installed_once_and_reused(venv_cache: Path) -> None:
    tool = Tool(
        name="joke",
        version="1.0.0",
        dependencies=["pyjokes==0.8.3"],
        code="import pyjokes\n\ndef run():\n    return {'joke': pyjokes.get_joke(), 'where': pyjokes.__file__}\n",
    )
    first = run_in_sandbox(tool).raise_for_error()
    assert first.venv is not None and first.venv.created
    assert first.output["joke"]
    assert first.output["where"].startswith(str(venv_cache))  # installed into the cached venv
    second = run_in_sandbox(tool).raise_for_error()
    assert second.venv is not None and not second.venv.created
    assert second.venv.path == first.venv.path
    assert second.venv.seconds < 0.5
    # The venv still sees this package and Airflow (the child and the built-ins need them).
    assert ensure_venv(["pyjokes==0.8.3"]).path == first.venv.path


def test_failed_install_is_reported_and_not_cached(venv_cache: Path) -> None:
    reqs = ["airflow-canvas-no-such-package-xyz==9.9.9"]
    with pytest.raises(VenvError, match="failed"):
        ensure_venv(reqs)
    assert not (venv_cache / requirements_key(reqs)).exists()
