"""Golden files of generated DAG source for the run-time policies (pools, queues, priority,
executor, mapping, logging, notifications), and a DagBag parse proving Airflow reads the knobs
back as the task attributes they stand for.

Regenerate after an intended change with ``CANVAS_UPDATE_GOLDEN=1`` and review the diff."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.spec.load import parse_workflow

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "policies"

SPECS: dict[str, dict[str, Any]] = {
    "pol_scaling": {
        "id": "pol_scaling",
        "settings": {"max_active_runs": 2, "max_active_tasks": 8},
        "defaults": {"pool": "canvas_default", "queue": "cpu", "priority_weight": 1},
        "nodes": [
            {"id": "cheap", "type": "process"},
            {
                "id": "heavy",
                "type": "process",
                "execution": {
                    "pool": "llm",
                    "pool_slots": 2,
                    "queue": "gpu",
                    "priority_weight": 10,
                    "weight_rule": "absolute",
                    "max_active_tis_per_dag": 3,
                    "executor": "LocalExecutor",
                },
            },
        ],
        "edges": [{"source": "cheap", "target": "heavy"}],
    },
    "pol_mapping": {
        "id": "pol_mapping",
        "nodes": [
            {
                "id": "listing",
                "type": "process",
                "process": {"language": "python", "expression": "result = [1, 2]"},
            },
            {
                "id": "each",
                "type": "process",
                "execution": {
                    "map_over": "item",
                    "log_level": "DEBUG",
                    "log_payloads": "redacted",
                    "pool": "llm",
                },
            },
        ],
        "edges": [{"source": "listing", "target": "each", "mapping": [{"source": "", "target": "item"}]}],
    },
    "pol_notify": {
        "id": "pol_notify",
        "notifications": [
            {"on": ["failure"], "to": ["ops@example.com"], "subject": "{{ dag.dag_id }} failed"},
            {"on": ["deadline_miss"], "to": ["ops@example.com"], "deadline_seconds": 3600},
        ],
        "groups": [{"id": "g", "notifications": [{"on": ["retry"], "to": ["g@example.com"]}]}],
        "nodes": [
            {
                "id": "n",
                "type": "process",
                "group": "g",
                "notifications": [
                    {"on": ["success"], "connection_id": "smtp_ops", "to": ["n@example.com"], "message": "ok"}
                ],
            }
        ],
    },
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_generated_source_matches_golden(name: str) -> None:
    source = compile_workflow(parse_workflow(SPECS[name])).source
    path = GOLDEN / f"{name}.py"
    if os.environ.get("CANVAS_UPDATE_GOLDEN"):
        path.write_text(source)
    assert path.exists(), f"missing golden file {path}; run with CANVAS_UPDATE_GOLDEN=1"
    assert source == path.read_text()


def test_airflow_reads_the_knobs_back(tmp_path: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    for name, spec in SPECS.items():
        (tmp_path / f"{name}.py").write_text(compile_workflow(parse_workflow(spec)).source)
    bag = DagBag(str(tmp_path))
    assert bag.import_errors == {}
    from airflow.serialization.serialized_objects import DagSerialization

    for dag in bag.dags.values():  # what the DAG processor stores: notifiers and deadlines included
        DagSerialization.from_dict(DagSerialization.to_dict(dag))
    scaling = bag.dags["pol_scaling"]
    assert (scaling.max_active_runs, scaling.max_active_tasks) == (2, 8)
    heavy, cheap = scaling.get_task("heavy"), scaling.get_task("cheap")
    assert (heavy.pool, heavy.pool_slots, heavy.queue, heavy.priority_weight) == ("llm", 2, "gpu", 10)
    assert (str(heavy.weight_rule), heavy.max_active_tis_per_dag, heavy.executor) == (
        "absolute",
        3,
        "LocalExecutor",
    )
    assert (cheap.pool, cheap.queue, cheap.priority_weight) == ("canvas_default", "cpu", 1)

    each = bag.dags["pol_mapping"].get_task("each")
    assert type(each).__name__ == "MappedOperator" and each.partial_kwargs["pool"] == "llm"
    assert each.partial_kwargs["log_level"] == "DEBUG"

    notify = bag.dags["pol_notify"]
    task = notify.get_task("g.n")
    assert [type(c).__name__ for c in task.on_success_callback] == ["SmtpNotifier"]
    assert task.on_retry_callback[0].to == ["g@example.com"]  # from the TaskGroup's default_args
    assert notify.on_failure_callback[0].subject == "{{ dag.dag_id }} failed"
    assert notify.deadline[0].interval.total_seconds() == 3600
    serialized = DagSerialization.to_dict(notify)["dag"]["deadline"][0]
    assert (
        serialized["callback"]["__data__"]["path"] == "airflow.providers.smtp.notifications.smtp.SmtpNotifier"
    )
