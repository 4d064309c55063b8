""" "Re-run from this node" on a real Airflow run: clear the node's task instance and its downstream in
that run (service/rerun.py: Airflow's own clear, as its clearTaskInstances route does).

Authorization is Airflow's first: PUT on the DAG's task instances and on its runs (what Airflow's
own clear route and run state changes ask; a Viewer has neither), plus the canvas read permission.
Each clear (not a dry run) writes an audit row before it happens."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from fastapi import APIRouter, Depends
from pydantic import Field

from airflow_canvas.plugin.api_models import debug as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires, requires_dag
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.service.audit import audit
from airflow_canvas.service.rerun import RerunError, clear_from_node
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["runs"])
Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]
CanClearTasks = Depends(requires_dag("PUT", DagAccessEntity.TASK_INSTANCE))
CanChangeRuns = Depends(requires_dag("PUT", DagAccessEntity.RUN))


class ClearBody(RequestBody):
    # Required, not defaulted: a clear re-runs work in a real run, so the caller says which it means.
    dry_run: bool = Field(description="true: list what would be cleared, change nothing; false: clear.")


@router.post(
    "/workflows/{workflow_id}/runs/{run_id}/nodes/{node_id}/clear",
    response_model=out.ClearedRun,
    responses=errors(404, 409),
    dependencies=[CanClearTasks, CanChangeRuns],
)
def clear_node(
    workflow_id: str,
    run_id: str,
    node_id: str,
    body: ClearBody,
    user: Reader,
    session: SessionDep,
) -> dict[str, Any]:
    """Re-run from this node: its task instance and everything downstream in the run are cleared
    and the run is queued again."""
    if not body.dry_run:
        audit("canvas.run.clear", user=user, workflow_id=workflow_id, run_id=run_id, node_id=node_id[:200])
    from airflow.models.dagbag import DBDagBag

    # A DBDagBag of its own: Airflow keeps its shared one on the main app's state, which a mounted
    # plugin app does not see. It reads the run's own serialized DAG version, as the core route does.
    try:
        cleared = clear_from_node(session, DBDagBag(), workflow_id, run_id, node_id, dry_run=body.dry_run)
    except RerunError as exc:
        raise ApiError(exc.status, str(exc)) from None
    if not body.dry_run:
        session.commit()
    return {
        "dag_id": workflow_id, "run_id": run_id, "node_id": node_id, "dry_run": body.dry_run,
        "task_ids": cleared.task_ids, "run_state": cleared.run_state,
    }  # fmt: skip
