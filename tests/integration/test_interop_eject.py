"""Round trips: spec -> JSON -> spec is the identity; spec -> ejected Python file -> the DAG runs
the same as the canvas-deployed one (task states and XComs), without importing airflow_canvas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.exporters import export_workflow
from airflow_canvas.spec.load import parse_workflow
from tests.integration.tool_run import deploy, run_dag, states, xcoms

pytestmark = pytest.mark.slow


def spec(dag_id: str) -> dict[str, Any]:
    return {
        "id": dag_id,
        "name": "Eject round trip",
        "nodes": [
            {"id": "start", "type": "input",
             "input_schema": {"type": "object", "properties": {"n": {"type": "integer", "default": 3}}}},
            {"id": "double", "type": "process",
             "process": {"language": "python", "expression": "result = {'n': inputs['n'] * 2, 'tag': parameters['tag']}"},
             "parameters": {"tag": "x2"}},
            {"id": "add", "type": "tool", "tool": "adder@1.0.0"},
            {"id": "done", "type": "output", "output_schema": {"type": "object", "properties": {"n": {"type": "integer"}}}},
        ],
        "edges": [
            {"source": "start", "target": "double"},
            {"source": "double", "target": "add", "mapping": [{"source": "n", "target": "n"}]},
            {"source": "add", "target": "done"},
        ],
        "tools": [{
            "name": "adder", "version": "1.0.0", "code": "def run(n, k=1):\n    return {'n': n + k}\n",
            "parameters": {"k": 10},
            "input_schema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
            "output_schema": {"type": "object", "properties": {"n": {"type": "integer"}}},
        }],
    }  # fmt: skip


def test_json_round_trip_is_identity() -> None:
    wf = parse_workflow(spec("json_rt"))
    text = export_workflow(wf, "json")
    again = parse_workflow(json.loads(text))
    assert again == wf
    assert export_workflow(again, "json") == text  # byte-stable as well


def test_ejected_file_is_standalone() -> None:
    text = export_workflow(parse_workflow(spec("standalone")), "python")
    assert "airflow_canvas" not in text.replace("airflow-canvas", "")
    assert "CANVAS_TOOLS" in text and "def run(n, k=1)" in text
    compile(text, "ejected.py", "exec")


@pytest.fixture(scope="module")
def both_runs(airflow_db: Path, dags_folder: Path) -> dict[str, Any]:
    canvas_id = deploy(spec("interop_eject_canvas"), dags_folder)
    ejected_id = "interop_eject_ejected"
    (dags_folder / f"{ejected_id}.py").write_text(export_workflow(parse_workflow(spec(ejected_id)), "python"))
    out = {}
    for dag_id in (canvas_id, ejected_id):
        result = run_dag(dag_id, {})
        out[dag_id] = {"result": result, "states": states(dag_id), "xcoms": xcoms(dag_id)}
    return out


def test_ejected_dag_runs_the_same(both_runs: dict[str, Any]) -> None:
    canvas, ejected = both_runs["interop_eject_canvas"], both_runs["interop_eject_ejected"]
    for run in (canvas, ejected):
        assert run["result"].returncode == 0, run["result"].stdout[-4000:] + run["result"].stderr[-4000:]
    assert canvas["states"] == {"start": "success", "double": "success", "add": "success", "done": "success"}
    assert ejected["states"] == canvas["states"]
    # Only agent nodes store a canvas_metrics XCom (tokens, cost): the tool node's one call is
    # counted from its task instance, so the canvas DAG writes exactly the ejected DAG's XComs.
    assert ejected["xcoms"] == canvas["xcoms"]
    assert {k[1] for k in ejected["xcoms"]} == {"return_value"}
    assert canvas["xcoms"][("done", "return_value")] == {"n": 16}
