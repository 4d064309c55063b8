"""The cost budget task (``settings.cost_budget_usd``) added to a workflow's IR: a
``CostBudgetOperator`` teardown downstream of every task no other task waits for, measuring the
agent nodes (the only nodes that record a cost) and calling the workflow's notifiers
(operators/budget.py says what it does at run time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_canvas.compiler import notifications
from airflow_canvas.compiler.ir_tasks import CANVAS_MODULE
from airflow_canvas.compiler.pyfmt import Expr, ListOf, Lit
from airflow_canvas.policies.runrecord import BUDGET_TASK_ID
from airflow_canvas.spec.graph import dependency_graph, task_ids
from airflow_canvas.spec.models import NodeType, Workflow

if TYPE_CHECKING:
    from airflow_canvas.compiler.ir import TaskIR

OPERATOR = "CostBudgetOperator"


def budget_task(wf: Workflow, var: str, task_ir: type[TaskIR]) -> TaskIR:
    ids = task_ids(wf)
    measured = [ids[n.id] for n in wf.nodes if n.type is NodeType.AGENT]
    kwargs: dict[str, Expr] = {
        "task_id": Lit(BUDGET_TASK_ID),
        "budget_usd": Lit(float(wf.settings.cost_budget_usd or 0)),
        "measured_task_ids": ListOf(tuple(Lit(t) for t in measured)),
        "notifiers": ListOf(tuple(notifications.budget_notifier_exprs(wf))),
    }
    return task_ir(BUDGET_TASK_ID, var, OPERATOR, CANVAS_MODULE, kwargs)


def leaf_vars(wf: Workflow, tasks: dict[str, TaskIR], deps: list[tuple[str, str]]) -> list[str]:
    """Variables of the node tasks nothing waits for (no edge, sequential group, fallback or
    explicit dependency leaves them), in spec order: every other task finishes before one of them."""
    graph = dependency_graph(wf)
    upstream = {up for up, _ in deps}
    return [
        tasks[n.id].var
        for n in wf.nodes
        if n.id in tasks and not graph.get(n.id) and tasks[n.id].var not in upstream
    ]
