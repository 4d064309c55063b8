"""The sandbox child runs a tool from a plain view of the request, without the spec models: importing
pydantic was ~120 ms of a ~200 ms node test (benchmarks/tools.py). The parent validated the tool."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools import sandbox_child

TOOL = Tool(
    name="shout",
    version="1.2.0",
    code="def run(text, suffix='!'):\n    return {'text': text.upper() + suffix}\n",
    parameters={"suffix": "?"},
    tests=[{"name": "hi", "input": {"text": "hi"}, "expected": {"text": "HI?"}}],
)


def _child(tmp_path: Path, request: dict) -> tuple[dict, str]:
    req, res = tmp_path / "req.json", tmp_path / "res.json"
    req.write_text(json.dumps(request))
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "airflow_canvas.tools.sandbox_child", str(req), str(res)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.read_text()), proc.stderr


def test_a_call_imports_no_pydantic_and_keeps_the_calling_convention(tmp_path: Path) -> None:
    request = {
        "tool": TOOL.model_dump(mode="json"),
        "mode": "call",
        "inputs": {"text": "a"},
        "parameters": {},
    }
    result, imports = _child(tmp_path, request)
    assert result["ok"], result
    assert result["output"] == {"text": "A?"}  # the tool's default parameter, the input's text
    imported = {line.split("|")[-1].strip() for line in imports.splitlines() if "|" in line}
    assert "airflow_canvas.tools.loader" in imported  # the list is the child's: this it needs
    assert not {m for m in imported if m.split(".")[0] == "pydantic"}
    assert "airflow_canvas.spec.models" not in imported


def test_tests_run_from_the_view_with_names_and_defaults(tmp_path: Path) -> None:
    result, _ = _child(tmp_path, {"tool": TOOL.model_dump(mode="json"), "mode": "tests"})
    assert result["ok"], result
    [case] = result["tests"]
    assert (case["name"], case["kind"], case["passed"], case["required"]) == ("hi", "unit", True, False)


def test_the_view_names_the_tool_by_its_ref_in_errors(tmp_path: Path) -> None:
    broken = {**TOOL.model_dump(mode="json"), "entry_point": "missing"}
    result, _ = _child(tmp_path, {"tool": broken, "mode": "call", "inputs": {"text": "a"}})
    assert not result["ok"]
    assert "shout@1.2.0" in result["error"]["message"] and "'missing'" in result["error"]["message"]


@pytest.mark.parametrize("name", ["../escape.txt", "{abs}", "a/../../escape.txt"])
def test_fixture_files_stay_in_the_working_directory(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ToolTest refuses such names before a request is made; the child checks again on its own.
    # Working directories go under tmp_path/work, so a missed check would write into tmp_path only.
    (tmp_path / "work").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "work"))
    name = name.format(abs=tmp_path / "escape.txt")
    with pytest.raises(ValueError, match="outside the test's working directory"):
        sandbox_child._write_files({name: "x"})
    assert not (tmp_path / "escape.txt").exists()
    assert not list((tmp_path / "work").iterdir())  # the working directory is removed
