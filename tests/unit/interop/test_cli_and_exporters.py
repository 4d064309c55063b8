"""The import/export CLI commands and the exporters' refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from airflow_canvas.cli import main
from airflow_canvas.exporters import ExportError, export_workflow
from airflow_canvas.spec.load import parse_workflow

SAMPLES = Path("/work/shared/interop-samples")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "interop-samples"


def test_import_command_writes_specs_and_reports(tmp_path, capsys):
    files = [
        str(SAMPLES / "dag-factory" / "example_task_group.yml"),
        str(SAMPLES / "dag-factory" / "defaults.yml"),
        str(SAMPLES / "elyra" / "aa_bash_operator_example.pipeline"),
    ]
    assert main(["import", *files, "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aa_bash_operator_example.json", "task_group.json"]
    spec = json.loads((tmp_path / "task_group.json").read_text())
    assert parse_workflow(spec).groups[1].parent == "task_group_1"
    err = capsys.readouterr().err
    assert "defaults.yml holds dag-factory defaults" in err
    assert "xcom_push" in err  # the report item is shown
    # a second run refuses to overwrite
    assert main(["import", files[0], "-o", str(tmp_path)]) == 2


def test_import_command_invalid_yaml_exit_code(tmp_path, capsys):
    assert main(["import", str(SAMPLES / "dag-factory" / "invalid.yaml"), "-o", str(tmp_path)]) == 2
    assert "invalid.yaml: not valid YAML at line 8" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_export_command_formats(tmp_path, capsys):
    assert (
        main(["import", str(SAMPLES / "dag-factory" / "example_dag_factory.yml"), "-o", str(tmp_path)]) == 0
    )
    spec = str(tmp_path / "basic_example_dag.json")
    out = tmp_path / "dag.yml"
    assert main(["export", spec, "-f", "dag-factory", "-o", str(out)]) == 0
    exported = yaml.safe_load(out.read_text())["basic_example_dag"]
    assert [t["task_id"] for t in exported["tasks"]] == ["task_1", "task_2", "task_3"]
    assert exported["schedule"] == "0 3 * * *"
    capsys.readouterr()
    assert main(["export", spec, "-f", "python"]) == 0
    source = capsys.readouterr().out
    assert "ejected from the airflow-canvas workflow basic_example_dag" in source
    assert "airflow_canvas" not in source
    assert main(["export", spec]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "basic_example_dag"


def _wf(*nodes, **extra):
    return parse_workflow({"id": "w", "nodes": list(nodes), **extra})


def test_dag_factory_export_names_the_first_non_operator_node():
    wf = _wf(
        {"id": "a", "type": "tool", "operator": "airflow.providers.standard.operators.empty.EmptyOperator"},
        {"id": "p", "type": "process"},
        {"id": "q", "type": "process"},
    )
    with pytest.raises(ExportError) as info:
        export_workflow(wf, "dag-factory")
    assert info.value.node_id == "p" and "'p' is a process node" in str(info.value)


def test_dag_factory_export_maps_policies_callables_and_assets():
    wf = _wf(
        {
            "id": "py",
            "type": "tool",
            "operator": "airflow.providers.standard.operators.python.PythonOperator",
            "parameters": {"python_callable": {"$callable": "pkg.mod.fn"}},
            "execution": {"retry": {"retries": 2, "delay_seconds": 30}, "pool": "p1"},
        },
        triggers={"assets": {"uris": ["s3://a", "s3://b"], "mode": "or"}},
    )
    dag = yaml.safe_load(export_workflow(wf, "dag-factory"))["w"]
    task = dag["tasks"][0]
    assert task["python_callable"] == "pkg.mod.fn"
    assert task["retries"] == 2 and task["retry_delay"] == {"__type__": "datetime.timedelta", "seconds": 30.0}
    assert task["pool"] == "p1"
    assert dag["schedule"] == {"datasets": {"__or__": ["s3://a", "s3://b"]}}


def test_eject_refuses_agents_and_tools_with_dependencies():
    agent = _wf({"id": "bot", "type": "agent", "agent": {"prompt": "hi"}})
    with pytest.raises(ExportError, match="'bot' is an agent node"):
        export_workflow(agent, "python")
    tool = _wf(
        {"id": "t", "type": "tool", "tool": "heavy@1.0.0"},
        tools=[
            {
                "name": "heavy",
                "version": "1.0.0",
                "code": "def run():\n    return {}\n",
                "dependencies": ["pyjokes"],
            }
        ],
    )
    with pytest.raises(ExportError, match="'t' runs tool heavy@1.0.0, which has pip dependencies"):
        export_workflow(tool, "python")


def test_unknown_export_format():
    with pytest.raises(ExportError, match="unknown export format"):
        export_workflow(_wf(), "xml")
