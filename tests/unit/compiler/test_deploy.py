"""Deploy: atomic, import-checked in a separate interpreter, never replacing a good DAG file with a
broken one, never leaving a partial or temp file behind."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from airflow_canvas.compiler import deploy as deploy_module
from airflow_canvas.compiler.deploy import DeployError, deploy_workflow, undeploy_workflow
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.tools.bundle import load_bundled_tool, write_tool_files
from tests.unit.compiler.helpers import proc, spec

TOOL = {
    "name": "shout",
    "version": "1.0.0",
    "code": "def run(text):\n    return {'text': text.upper()}\n",
    "tests": [{"input": {"text": "a"}, "expected": {"text": "A"}}],
}


def workflow(description: str = ""):
    return parse_workflow(
        spec(
            [proc("a", description=description), {"id": "t", "type": "tool", "tool": "shout@1.0.0"}],
            [{"source": "a", "target": "t"}],
            id="deploy_me",
            tools=[TOOL],
        )
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.slow
def test_deploy_writes_an_importable_file_and_bundles_tools(tmp_path: Path) -> None:
    result = deploy_workflow(workflow(), tmp_path)
    assert result.path == tmp_path / "deploy_me.py" and result.dag_id == "deploy_me" and result.changed
    text = result.path.read_text()
    assert result.spec_hash in text
    assert os.stat(result.path).st_mode & 0o044  # readable by the DAG processor, not private like mkstemp
    assert load_bundled_tool(result.path, "shout", "1.0.0").code == TOOL["code"]
    assert "_canvas_tools/" in (tmp_path / ".airflowignore").read_text().splitlines()
    assert leftovers(tmp_path) == []
    again = deploy_workflow(workflow(), tmp_path)
    assert not again.changed and again.path.read_text() == text


@pytest.mark.slow
def test_a_broken_dag_never_replaces_the_good_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = deploy_workflow(workflow(), tmp_path, import_check=False).path.read_bytes()
    real_compile = deploy_module.compile_workflow

    def broken(wf):
        compiled = real_compile(wf)
        return dataclasses.replace(
            compiled, source=compiled.source + "\nraise RuntimeError('boom at import')\n"
        )

    monkeypatch.setattr(deploy_module, "compile_workflow", broken)
    with pytest.raises(DeployError) as err:
        deploy_workflow(workflow("changed"), tmp_path)
    assert "boom at import" in str(err.value)
    assert (tmp_path / "deploy_me.py").read_bytes() == good
    assert leftovers(tmp_path) == []


def test_an_invalid_spec_writes_nothing(tmp_path: Path) -> None:
    bad = parse_workflow(spec([proc("a")], [{"source": "a", "target": "nowhere"}], id="bad_one"))
    with pytest.raises(SpecError):
        deploy_workflow(bad, tmp_path)
    assert not (tmp_path / "bad_one.py").exists()


def test_undeploy_removes_only_generated_files(tmp_path: Path) -> None:
    deploy_workflow(workflow(), tmp_path, import_check=False)
    assert undeploy_workflow("deploy_me", tmp_path) is True
    assert not (tmp_path / "deploy_me.py").exists()
    assert undeploy_workflow("deploy_me", tmp_path) is False
    (tmp_path / "hand_written.py").write_text("from airflow.sdk import DAG\n")
    with pytest.raises(DeployError):
        undeploy_workflow("hand_written", tmp_path)
    assert (tmp_path / "hand_written.py").exists()


def test_bundled_tool_files_are_rewritten_only_when_they_change(tmp_path: Path) -> None:
    tool = workflow().tools[0]
    [path] = write_tool_files(tmp_path, [tool])
    before = path.stat().st_mtime_ns
    write_tool_files(tmp_path, [tool])
    assert path.stat().st_mtime_ns == before
    assert load_bundled_tool(tmp_path / "some_dag.py", "shout", "9.9.9") is None
