"""One real run covering the run-time policies in the worker: a mapped node fans out to one task
instance per list item, the canvas operators' metrics reach a StatsD listener on loopback, and a
connection's password never shows up in the task log even with inputs logging on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.policies_run import deploy, run_dag, task_instances
from tests.integration.policies_sinks import StatsdListener

pytestmark = pytest.mark.slow
DAG_ID = "pol_runtime"
SECRET = "S3cr3t-Pa55w0rd-4711"
SENSITIVE = "plain-but-sensitive-0815"  # not a registered secret: hidden because of its key name

SPEC: dict[str, Any] = {
    "id": DAG_ID,
    "nodes": [
        {
            "id": "start",
            "type": "input",
            "input_schema": {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {"type": "integer"}, "default": [1, 2, 3]}
                },
            },
        },
        {
            "id": "double",
            "type": "process",
            "process": {"language": "python", "expression": "result = {'value': inputs['items'] * 2}"},
            "execution": {"map_over": "items", "log_payloads": "sizes", "log_level": "INFO"},
        },
        {
            "id": "fetch",
            "type": "process",
            "templates": {"token": "{{ conn.pol_secret.password }}"},
            # No log_level: the tests' global WARNING level hides this node's INFO payload lines.
            "execution": {"log_payloads": "sizes"},
            "process": {
                "language": "python",
                "expression": f"result = {{'token': parameters['token'], 'api_key': {SENSITIVE!r}, 'note': 'hello'}}",
            },
        },
        {
            "id": "use",
            "type": "process",
            "process": {"language": "python", "expression": "result = {'length': len(inputs['token'])}"},
            "execution": {"log_payloads": "redacted", "log_level": "DEBUG"},
        },
    ],
    "edges": [
        {"source": "start", "target": "double"},
        {"source": "fetch", "target": "use"},
    ],
}


@pytest.fixture(scope="module")
def runtime_run(airflow_db: Path, dags_folder: Path, artifacts_dir: Path) -> dict[str, Any]:
    deploy(SPEC, dags_folder)
    with StatsdListener() as statsd:
        env = {
            "AIRFLOW_CONN_POL_SECRET": f"http://canvas:{SECRET}@api.example.com",
            "AIRFLOW__METRICS__STATSD_ON": "True",
            "AIRFLOW__METRICS__STATSD_HOST": "127.0.0.1",
            "AIRFLOW__METRICS__STATSD_PORT": str(statsd.port),
            "AIRFLOW__METRICS__STATSD_PREFIX": "airflow",
        }
        result = run_dag(DAG_ID, env)
    log = result.stdout + result.stderr
    (artifacts_dir / f"{DAG_ID}.log").write_text(log)  # for people: what the task log showed
    return {"result": result, "statsd": statsd.lines, "log": log}


def test_mapped_node_runs_one_task_instance_per_item(runtime_run: dict[str, Any]) -> None:
    assert runtime_run["result"].returncode == 0, runtime_run["log"][-4000:]
    mapped = [(idx, state) for task, idx, state, _ in task_instances(DAG_ID) if task == "double"]
    assert mapped == [(0, "success"), (1, "success"), (2, "success")]


def test_operators_send_metrics_to_statsd(runtime_run: dict[str, Any]) -> None:
    lines = runtime_run["statsd"]
    durations = [line for line in lines if line.startswith(f"airflow.canvas.{DAG_ID}.double.duration:")]
    assert len(durations) == 3 and all(line.endswith("|ms") for line in durations)
    names = {line.split(":", 1)[0] for line in lines}
    assert {
        f"airflow.canvas.{DAG_ID}.use.payload_bytes.in",
        f"airflow.canvas.{DAG_ID}.use.payload_bytes.out",
        f"airflow.canvas.{DAG_ID}.fetch.duration",
    } <= names


def test_connection_secret_never_reaches_the_task_log(runtime_run: dict[str, Any]) -> None:
    log = runtime_run["log"]
    assert "inputs (redacted):" in log and '"note": "hello"' in log  # inputs logging was really on
    assert '"token": "***"' in log and '"api_key": "***"' in log
    assert SECRET not in log
    assert SENSITIVE not in log


def test_per_node_log_level_and_payload_modes(runtime_run: dict[str, Any]) -> None:
    # tests/conftest.py sets [logging] logging_level=WARNING for every task; a node's own level wins.
    log = runtime_run["log"]
    assert log.count("inputs: object with 1 field(s)") == 3  # the mapped node, sizes only, INFO
    assert 'output (redacted): {"length": 20}' in log  # the DEBUG node
    assert "output: object with 3 field(s)" not in log  # fetch: no level of its own -> WARNING
