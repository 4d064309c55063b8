"""settings.cost_budget_usd adds one teardown budget task after the workflow's leaves, measuring the
agent nodes and calling every workflow-level notifier once; without a budget nothing changes."""

from __future__ import annotations

import ast
from typing import Any

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.spec.load import parse_workflow

MAIL = {"notifier": "smtp", "connection_id": "s", "to": ["a@example.com"], "subject": "x", "message": "y"}


def _spec(**settings: Any) -> dict[str, Any]:
    return {
        "id": "bud",
        "settings": settings,
        "notifications": [{"on": ["failure"], **MAIL}, {"on": ["success"], **MAIL}],
        "groups": [{"id": "g"}],
        "nodes": [
            {"id": "a", "type": "process"},
            {"id": "ask", "type": "agent", "group": "g", "agent": {"connection_id": "llm", "prompt": "hi"}},
            {"id": "side", "type": "process"},
        ],
        "edges": [{"source": "a", "target": "ask"}],
    }


def _source(**settings: Any) -> str:
    result = compile_workflow(parse_workflow(_spec(**settings)))
    return getattr(result, "source", result)


def test_budget_task_follows_the_leaves_and_measures_agents() -> None:
    src = _source(cost_budget_usd=0.5)
    ast.parse(src)
    assert 'task_id="canvas.cost_budget"' in src and "budget_usd=0.5" in src
    assert 'measured_task_ids=["g.ask"]' in src
    assert "ask >> cost_budget" in src and "side >> cost_budget" in src and "a >> cost_budget" not in src
    # Two notifications on one channel: one alert, with the budget's own subject.
    assert src.count("Cost budget exceeded: {{ dag.dag_id }}") == 1


def test_no_budget_no_task() -> None:
    src = _source()
    assert "CostBudgetOperator" not in src and "cost_budget" not in src
