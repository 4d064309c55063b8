"""Elyra pipeline import: names, links, positions, comments; generic and component nodes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_canvas.importers import ImportError_, import_file, import_text
from airflow_canvas.spec.load import dump_workflow, parse_workflow

SAMPLES = Path("/work/shared/interop-samples/elyra")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "interop-samples" / "elyra"


def _raw(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def test_generic_pipeline_keeps_names_links_and_positions():
    source = _raw("hello-generic-world.pipeline")
    [result] = import_file(SAMPLES / "hello-generic-world.pipeline")
    wf = result.workflow
    raw_nodes = source["pipelines"][0]["nodes"]
    assert len(wf.nodes) == len(raw_nodes)
    ids = {}
    for raw, node in zip(raw_nodes, wf.nodes, strict=True):
        ui = raw["app_data"]["ui_data"]
        assert node.name == (raw["app_data"]["label"] or ui["label"])
        assert (node.ui.position.x, node.ui.position.y) == (ui["x_pos"], ui["y_pos"])
        ids[raw["id"]] = node.id
    links = {
        (ids[link["node_id_ref"]], ids[raw["id"]], link["id"])
        for raw in raw_nodes
        for port in raw.get("inputs", [])
        for link in port.get("links", [])
    }
    assert {(e.source, e.target, e.id) for e in wf.edges} == links
    assert len(links) == 3
    load = wf.nodes[0]
    assert load.name == "Load weather data" and load.id == "Load_weather_data"
    assert load.operator == "airflow.providers.standard.operators.bash.BashOperator"
    assert (
        "jupyter nbconvert" in load.parameters["bash_command"]
        and "load_data.ipynb" in load.parameters["bash_command"]
    )
    assert load.parameters["cwd"] == str(SAMPLES.resolve())
    assert load.parameters["env"]["DATASET_URL"].startswith("https://")
    assert "Download the data" in load.description  # the node's comment
    assert "docker.io/amancevice/pandas:1.1.1" in load.description  # container setting kept visible
    # a file name with spaces is quoted for the shell
    assert "'Part 1 - Data Cleaning.ipynb'" in wf.nodes[1].parameters["bash_command"]
    assert wf.description.startswith("A generic pipeline tutorial")
    assert "runtime: Generic" in wf.description
    assert parse_workflow(dump_workflow(wf)) == wf


@pytest.mark.parametrize(
    ("name", "operator", "expected"),
    [
        (
            "aa_bash_operator_example.pipeline",
            "airflow.providers.standard.operators.bash.BashOperator",
            {
                "bash_command": "cat /etc/hosts && echo $TEST_ENV",
                "env": {"TEST_ENV": "Hello World"},
                "output_encoding": "utf-8",
            },
        ),
        (
            "aa_http_operator_example.pipeline",
            "airflow.providers.http.operators.http.HttpOperator",
            {
                "endpoint": "/v1/satellites/25544",
                "method": "GET",
                "headers": {"Content-Type": "application/json"},
                "http_conn_id": "http_iss",
                "log_response": False,
            },
        ),
    ],
)
def test_component_nodes_become_airflow3_operator_nodes(name, operator, expected):
    [result] = import_file(SAMPLES / name)
    [node] = result.workflow.nodes
    assert node.operator == operator
    assert node.parameters == expected  # JSON text decoded into dicts, empty optional fields dropped
    assert node.ui.position.x > 0
    xcom = [i for i in result.report.items if i.path.endswith("xcom_push")]
    assert xcom and "no argument 'xcom_push'" in xcom[0].message  # Airflow 1 argument reported


def test_unknown_components_and_supernodes_are_reported():
    doc = {
        "doc_type": "pipeline",
        "version": "3.0",
        "primary_pipeline": "p",
        "pipelines": [
            {
                "id": "p",
                "app_data": {
                    "properties": {
                        "name": "my pipe",
                        "pipeline_defaults": {"env_vars": ["A=0", "B=2"], "runtime_image": "img"},
                    }
                },
                "nodes": [
                    {
                        "id": "n1",
                        "type": "execution_node",
                        "op": "spark_SparkSubmitOperator",
                        "app_data": {
                            "label": "spark",
                            "component_parameters": {},
                            "ui_data": {"x_pos": 1, "y_pos": 2},
                        },
                    },
                    {"id": "n2", "type": "super_node", "app_data": {"label": "sub"}},
                    {
                        "id": "n3",
                        "type": "execution_node",
                        "op": "execute-python-node",
                        "app_data": {
                            "label": "run.py",
                            "component_parameters": {
                                "filename": "run.py",
                                "env_vars": [{"env_var": "A", "value": "1"}],
                                "runtime_image": "img",
                            },
                        },
                        "inputs": [
                            {
                                "id": "inPort",
                                "links": [
                                    {"id": "l1", "node_id_ref": "n1"},
                                    {"id": "l2", "node_id_ref": "n2"},
                                ],
                            }
                        ],
                    },
                ],
            }
        ],
    }
    [result] = import_text(json.dumps(doc), "x.pipeline")
    wf = result.workflow
    assert wf.id == "my_pipe"
    assert [n.id for n in wf.nodes] == ["spark", "run"]
    assert wf.nodes[0].operator.endswith("EmptyOperator")
    # pipeline defaults fill the generic node; its own env var wins
    assert wf.nodes[1].parameters == {
        "bash_command": "python3 run.py",
        "env": {"A": "1", "B": "2"},
        "append_env": True,
    }
    assert [(e.source, e.target) for e in wf.edges] == [("spark", "run")]
    severities = {i.path: i.severity for i in result.report.items}
    assert severities["nodes/n1/op"] == "error"
    assert severities["nodes/n2"] == "error"
    assert severities["links/l2"] == "error"


def test_not_a_pipeline_is_a_clear_error():
    with pytest.raises(ImportError_, match="not an Elyra pipeline"):
        import_text('{"doc_type": "notebook"}', "x.pipeline")
    with pytest.raises(ImportError_, match="not valid JSON"):
        import_text("{", "x.pipeline")


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.pipeline")))
def test_every_sample_validates_compiles_and_round_trips(name):
    from airflow_canvas.compiler import compile_workflow
    from airflow_canvas.validation import validate_workflow

    [result] = import_file(SAMPLES / name)
    wf = result.workflow
    assert [p for p in validate_workflow(wf) if p.severity == "error"] == []
    source = compile_workflow(wf).source
    for node in wf.nodes:
        assert f'task_id="{node.id}"' in source
    assert parse_workflow(json.loads(json.dumps(dump_workflow(wf)))) == wf
