""" "Re-run from this node" on a real run: Airflow's clear of the node's task instance and everything
downstream of it in that run, by the same model functions, in the same order, as Airflow's core API
route ``POST /api/v2/dags/{dag_id}/clearTaskInstances`` with ``dag_run_id``, ``task_ids``,
``include_downstream=True`` and ``reset_dag_runs=True`` (``find_relevant_relatives``, ``dag.clear``
with ``dry_run=True`` for the list, then ``clear_task_instances``, which re-queues the run). The
scheduler then runs them again; nothing of the canvas's own is involved.

The caller (routes/rerun.py) has checked Airflow's PUT permission on the DAG's task instances and
runs, and the canvas read permission, and writes the audit row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_canvas.service.errors import ServiceError
from airflow_canvas.spec.graph import node_id_of


class RerunError(ServiceError):
    """Nothing was cleared; ``status`` for the API."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Cleared:
    task_ids: list[str]
    run_state: str


def clear_from_node(
    session: Session, dag_bag: Any, dag_id: str, run_id: str, node_id: str, *, dry_run: bool = False
) -> Cleared:
    from airflow.exceptions import AirflowClearRunningTaskException
    from airflow.models import DagRun
    from airflow.models.taskinstance import clear_task_instances, find_relevant_relatives
    from airflow.utils.state import DagRunState

    run = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
    if run is None:
        raise RerunError(404, f"Workflow {dag_id!r} has no run {run_id!r}.")
    dag = dag_bag.get_dag_for_run(run, session=session)
    if dag is None:
        raise RerunError(404, f"The DAG of run {run_id!r} is not in Airflow's database.")
    task_id = next((t for t in dag.task_dict if node_id_of(t) == node_id), None)
    if task_id is None:
        raise RerunError(404, f"Run {run_id!r} has no task for node {node_id!r}.")
    task_ids: set[str] = {task_id}
    relatives = find_relevant_relatives(
        task_ids, set(), dag=dag, run_id=run_id, direction="downstream", session=session
    )
    markers: list[Any] = [*task_ids, *(t for t in relatives if not isinstance(t, tuple))]
    markers += [t for t in relatives if isinstance(t, tuple) and t[0] not in markers]
    tis = dag.clear(dry_run=True, task_ids=markers, run_id=run_id, session=session)
    if not dry_run:
        try:
            clear_task_instances(list(tis), session, DagRunState.QUEUED, prevent_running_task=True)
        except AirflowClearRunningTaskException as exc:
            raise RerunError(409, str(exc)) from exc
        session.flush()
        session.refresh(run)
    state = getattr(run.state, "value", run.state)
    return Cleared(sorted({ti.task_id for ti in tis}), str(state))
