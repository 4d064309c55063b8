"""A real run where notifiers send to a loopback SMTP server: success, retry and failure callbacks
on tasks, a group and the DAG, with templated text, then the metrics aggregation over that run's
rows in the metadata DB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.policies_run import deploy, run_dag, task_instances
from tests.integration.policies_sinks import SmtpSink

pytestmark = pytest.mark.slow
DAG_ID = "pol_notify"


def _mail(on: list[str], subject: str, message: str) -> dict[str, Any]:
    return {
        "on": on,
        "notifier": "smtp",
        "connection_id": "pol_smtp",
        "to": ["oncall@example.com"],
        "subject": subject,
        "message": message,
    }


SPEC: dict[str, Any] = {
    "id": DAG_ID,
    # Workflow level: one message per failed run (the DAG's on_failure_callback).
    "notifications": [_mail(["failure"], "Workflow {{ dag.dag_id }} failed", "Reason: {{ reason }}")],
    "groups": [
        {
            "id": "risky",
            # Group level: every task in the group retries with this message (TaskGroup default_args).
            "notifications": [
                _mail(["retry"], "Retrying {{ ti.task_id }}", "try {{ ti.try_number }} failed")
            ],
        }
    ],
    "nodes": [
        {
            "id": "ok",
            "type": "process",
            "process": {"language": "python", "expression": "result = {'n': 1}"},
            "notifications": [
                _mail(["success"], "{{ ti.task_id }} succeeded", "All good in {{ dag.dag_id }}")
            ],
        },
        {
            "id": "flaky",
            "type": "process",
            "group": "risky",
            "process": {"language": "python", "expression": "raise RuntimeError('the model is down')"},
            "execution": {"retry": {"retries": 1, "delay_seconds": 0}},
            "notifications": [
                _mail(["failure"], "{{ ti.task_id }} failed", "Run {{ run_id }} of {{ dag.dag_id }} failed")
            ],
        },
    ],
    "edges": [{"source": "ok", "target": "flaky"}],
}


@pytest.fixture(scope="module")
def notified_run(airflow_db: Path, dags_folder: Path) -> dict[str, Any]:
    deploy(SPEC, dags_folder)
    with SmtpSink() as sink:
        conn = f"smtp://127.0.0.1:{sink.port}?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=20"
        conn += "&from_email=canvas%40example.com"
        result = run_dag(DAG_ID, {"AIRFLOW_CONN_POL_SMTP": conn})
        messages = {
            m["Subject"]: (rcpts, body)
            for (_, rcpts, m), body in zip(sink.messages, sink.bodies(), strict=True)
        }
    return {"result": result, "messages": messages}


def test_success_retry_and_failure_messages_arrive_templated(notified_run: dict[str, Any]) -> None:
    result, messages = notified_run["result"], notified_run["messages"]
    assert result.returncode != 0, "the run must fail: the flaky node always raises"
    assert set(messages) == {"ok succeeded", "Retrying risky.flaky", "risky.flaky failed"}, result.stdout[
        -3000:
    ]
    assert messages["ok succeeded"] == (["oncall@example.com"], "All good in pol_notify")
    assert messages["Retrying risky.flaky"][1] == "try 1 failed"
    body = messages["risky.flaky failed"][1]
    assert body.startswith("Run manual__") and body.endswith(" of pol_notify failed")


def test_metrics_aggregate_the_real_run(notified_run: dict[str, Any]) -> None:
    from airflow import settings

    from airflow_canvas.operators import implied_tool_calls
    from airflow_canvas.policies.history import aggregate, load_rows

    states = {(t, s, tries) for t, _, s, tries in task_instances(DAG_ID)}
    assert states == {("ok", "success", 1), ("risky.flaky", "failed", 2)}
    with settings.Session() as session:
        out = aggregate(*load_rows(session, DAG_ID, limit=5), implied=implied_tool_calls())
    flaky = out["nodes"]["flaky"]
    assert (flaky["runs"], flaky["failed"], flaky["tries"]["max"], flaky["tries"]["retried_runs"]) == (
        1,
        1,
        2,
        1,
    )
    assert out["nodes"]["ok"]["predicted_duration_seconds"] is not None
    assert out["nodes"]["ok"]["duration_seconds"]["max"] >= 0
