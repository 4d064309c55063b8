"""Golden files: the exact source each example compiles to (tests/golden/<dag_id>.py).

Regenerate after an intended change with ``CANVAS_UPDATE_GOLDEN=1 pytest tests/unit/compiler``
and review the diff like any code change."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_canvas.compiler import compile_workflow
from tests.conftest import REPO
from tests.integration.example_runs import example_workflows

GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("CANVAS_UPDATE_GOLDEN") == "1"
RUFF = Path(sys.executable).with_name("ruff")


@pytest.mark.parametrize("name", sorted(example_workflows()))
def test_example_matches_golden_file(name: str) -> None:
    source = compile_workflow(example_workflows()[name]).source
    golden = GOLDEN / f"{name}.py"
    if UPDATE:
        golden.write_text(source, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == source, f"regenerate with CANVAS_UPDATE_GOLDEN=1 ({golden})"


def test_compiling_twice_gives_identical_bytes() -> None:
    for wf in example_workflows().values():
        first = compile_workflow(wf)
        second = compile_workflow(wf.model_copy(deep=True))
        assert first.source.encode() == second.source.encode()
        assert first.spec_hash == second.spec_hash


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is installed with the test extra")
def test_generated_files_are_already_formatted_and_lint_clean(tmp_path: Path) -> None:
    # Outside the repo, so airflow_canvas sorts as a third-party import, as in a real dags folder.
    for golden in GOLDEN.glob("*.py"):
        shutil.copy(golden, tmp_path / golden.name)
    base = [str(RUFF)]
    fmt = subprocess.run(
        [*base, "format", "--isolated", "--check", "--diff", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    lint = subprocess.run(
        [
            *base,
            "check",
            "--isolated",
            "--target-version",
            "py310",
            "--select",
            "E,F,W,I,B,UP",
            "--ignore",
            "E501",
            ".",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
