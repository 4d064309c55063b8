"""Real runs (``airflow dags test``) of a workflow with a cost budget: an agent node records its
cost, the budget task the compiler adds sums it at the end of the run and mails the workflow's
notification channel only when the run went over the budget; the run's own state is the work's.
The same runs show that nodes write no XCom for the run views."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import ScriptedOpenAIServer
from tests.integration.policies_sinks import SmtpSink
from tests.integration.tool_run import deploy, run_dag, states, xcoms

pytestmark = pytest.mark.slow
USAGE = {"prompt_tokens": 1000, "completion_tokens": 1000, "total_tokens": 2000}
COST = (1000 * 0.15 + 1000 * 0.60) / 1e6  # gpt-4o-mini list price: 0.00075 USD


def _spec(dag_id: str, budget: float) -> dict[str, Any]:
    return {
        "id": dag_id,
        "settings": {"cost_budget_usd": budget},
        "notifications": [
            {
                "on": ["failure"],
                "notifier": "smtp",
                "connection_id": "budget_smtp",
                "to": ["finance@example.com"],
                "subject": "failed",
                "message": "failed",
            }
        ],
        "nodes": [
            {"id": "topic", "type": "process", "process": {"language": "python", "expression": "result = {'topic': 'rain'}"}},
            {
                "id": "writer",
                "type": "agent",
                "agent": {"connection_id": "budget_llm", "prompt": "One line on {{ inputs.topic }}.", "max_steps": 2},
            },
        ],
        "edges": [{"source": "topic", "target": "writer"}],
    }  # fmt: skip


def _run(dag_id: str, budget: float, dags_folder: Path) -> dict[str, Any]:
    deploy(_spec(dag_id, budget), dags_folder)
    with ScriptedOpenAIServer() as llm, SmtpSink() as sink:
        llm.add_text("Rain again.", usage=dict(USAGE))
        smtp = f"smtp://127.0.0.1:{sink.port}?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=20"
        env = {
            "AIRFLOW_CONN_BUDGET_SMTP": smtp + "&from_email=canvas%40example.com",
            "AIRFLOW_CONN_BUDGET_LLM": json.dumps(
                {"conn_type": "generic", "host": llm.url + "/v1", "password": "sk-x", "extra": {"model": "gpt-4o-mini"}}
            ),
        }  # fmt: skip
        result = run_dag(dag_id, env)
        mails = [(m["Subject"], body) for (_, _, m), body in zip(sink.messages, sink.bodies(), strict=True)]
    return {"result": result, "mails": mails, "xcoms": xcoms(dag_id), "states": states(dag_id)}


@pytest.fixture(scope="module")
def over(airflow_db: Path, dags_folder: Path) -> dict[str, Any]:
    return _run("budget_over", COST / 2, dags_folder)


@pytest.fixture(scope="module")
def under(airflow_db: Path, dags_folder: Path) -> dict[str, Any]:
    return _run("budget_under", COST * 10, dags_folder)


def test_over_budget_alerts_through_the_workflows_notifier(over: dict[str, Any]) -> None:
    result = over["result"]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert over["states"] == {"topic": "success", "writer": "success", "canvas.cost_budget": "success"}
    report = over["xcoms"][("canvas.cost_budget", "return_value")]
    assert report["exceeded"] is True and report["cost_usd"] == pytest.approx(COST)
    assert len(over["mails"]) == 1, over["mails"]
    subject, body = over["mails"][0]
    assert subject == "Cost budget exceeded: budget_over"
    assert body.startswith("Run manual__") and f"cost ${COST}" in body and f"budget of ${COST / 2}" in body


def test_under_budget_sends_nothing(under: dict[str, Any]) -> None:
    result = under["result"]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report = under["xcoms"][("canvas.cost_budget", "return_value")]
    assert report == {"cost_usd": pytest.approx(COST), "budget_usd": COST * 10, "exceeded": False}
    assert under["mails"] == []


def test_nodes_write_no_extra_xcom(under: dict[str, Any]) -> None:
    """A node's inputs are derived by the API (service/run_inputs.py), not stored: a process node
    writes its return value only (each write is one more Execution API request per task)."""
    assert {key for task, key in under["xcoms"] if task == "topic"} == {"return_value"}
