"""GET /workflows/{id}/metrics: per-node duration, tries and token figures over recent runs, and
predicted durations (medians of recent successful runs), from Airflow's own tables; ``prediction``:
the next run's duration along the critical path and its cost (policies/runview.py)."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from fastapi import APIRouter, Depends, Query

from airflow_canvas.operators import implied_tool_calls
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.api_models.runs import WorkflowMetrics
from airflow_canvas.plugin.authz import requires, requires_dag
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.policies.history import aggregate, load_rows
from airflow_canvas.policies.runview import node_history, predict
from airflow_canvas.store import repository as repo
from airflow_canvas.store.errors import NotFound
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["metrics"])

Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]
# Durations and token counts come from task instances and XComs: Airflow's own permissions apply.
CanReadTasks = Depends(requires_dag("GET", DagAccessEntity.TASK_INSTANCE))
CanReadXCom = Depends(requires_dag("GET", DagAccessEntity.XCOM))


@router.get(
    "/workflows/{workflow_id}/metrics",
    dependencies=[CanReadTasks, CanReadXCom],
    response_model=WorkflowMetrics,
    responses=errors(),
)
def workflow_metrics(
    workflow_id: str,
    user: Reader,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="How many recent runs to aggregate.")] = 20,
) -> dict[str, Any]:
    runs, tasks, metrics = load_rows(session, workflow_id, limit)
    return {
        "workflow_id": workflow_id,
        "limit": limit,
        **aggregate(runs, tasks, metrics, implied=implied_tool_calls()),
        "prediction": _prediction(session, workflow_id, tasks, metrics),
    }


def _prediction(
    session: SessionDep, workflow_id: str, tasks: list[Any], metrics: list[Any]
) -> dict[str, Any] | None:
    """The next run of the workflow's current spec (its graph and models) from this history."""
    try:
        wf = repo.load_spec(repo.head(session, workflow_id))
    except NotFound:  # a DAG that is not a canvas workflow: figures, but no graph to predict on
        return None
    return predict(wf, node_history(tasks, metrics)) | {"cost_budget_usd": wf.settings.cost_budget_usd}
