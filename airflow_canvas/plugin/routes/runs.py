"""Runs of a workflow's DAG: trigger with params/conf, list, per-node state, a node's XCom output.

Everything goes through Airflow's own models in-process, as the core API's trigger route does, and
every route also checks Airflow's DAG-run permission for the workflow's DAG."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from fastapi import APIRouter, Depends, Query, status
from pydantic import Field
from sqlalchemy import func, select

from airflow_canvas.plugin import config
from airflow_canvas.plugin.api_models import runs as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires, requires_dag
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import PageDep, SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.service.audit import audit
from airflow_canvas.spec.graph import node_id_of
from airflow_canvas.spec.states import mapped_state
from airflow_canvas.store import repository as repo
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["runs"])

Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]
CanTrigger = Depends(requires_dag("POST", DagAccessEntity.RUN))
CanReadRuns = Depends(requires_dag("GET", DagAccessEntity.RUN))
CanReadTasks = Depends(requires_dag("GET", DagAccessEntity.TASK_INSTANCE))
CanReadXCom = Depends(requires_dag("GET", DagAccessEntity.XCOM))


class TriggerBody(RequestBody):
    params: dict[str, Any] = Field(
        default_factory=dict, description="Values for the workflow's input params."
    )
    conf: dict[str, Any] = Field(default_factory=dict, description="Extra run conf; params win on clashes.")
    note: str | None = Field(None, max_length=1000)


def run_json(run: Any) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "run_id": run.run_id,
        "dag_id": run.dag_id,
        "state": str(run.state.value if hasattr(run.state, "value") else run.state),
        "run_type": str(getattr(run.run_type, "value", run.run_type)),
        "logical_date": iso(run.logical_date),
        "queued_at": iso(run.queued_at),
        "start_date": iso(run.start_date),
        "end_date": iso(run.end_date),
        "conf": run.conf or {},
        "triggered_by": str(getattr(run.triggered_by, "value", run.triggered_by) or ""),
    }


def _dag_model(session: SessionDep, dag_id: str) -> Any:
    from airflow.models.dag import DagModel

    dm = session.scalar(select(DagModel).where(DagModel.dag_id == dag_id, ~DagModel.is_stale))
    if dm is None:
        raise ApiError(
            404,
            f"Workflow {dag_id!r} has no DAG in Airflow yet: deploy it and wait for the DAG "
            "processor to parse it.",
        )
    return dm


@router.post(
    "/workflows/{workflow_id}/runs",
    status_code=status.HTTP_201_CREATED,
    dependencies=[CanTrigger],
    response_model=out.RunSummary,
    responses=errors(404, 409),
)
def trigger(workflow_id: str, body: TriggerBody, user: Reader, session: SessionDep) -> dict[str, Any]:
    from airflow.api_fastapi.core_api.datamodels.dag_run import TriggerDAGRunPostBody
    from airflow.models.dagbag import DBDagBag
    from airflow.sdk.definitions.param import ParamValidationError
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType

    repo.get_workflow(session, workflow_id)
    dm = _dag_model(session, workflow_id)
    if dm.has_import_errors:
        raise ApiError(409, f"DAG {workflow_id!r} has import errors; fix and redeploy before running.")
    dag = DBDagBag().get_latest_version_of_dag(workflow_id, session=session)
    if dag is None:
        raise ApiError(404, f"DAG {workflow_id!r} is not serialized yet; wait for the DAG processor.")
    request = TriggerDAGRunPostBody(logical_date=None, conf={**body.conf, **body.params}, note=body.note)
    try:
        ctx = request.validate_context(dag)
        run = dag.create_dagrun(
            run_id=ctx["run_id"],
            logical_date=ctx["logical_date"],
            data_interval=ctx["data_interval"],
            run_after=ctx["run_after"],
            conf=ctx["conf"],
            run_type=DagRunType.MANUAL,
            triggered_by=DagRunTriggeredByType.REST_API,
            triggering_user_name=user.get_name(),
            state=DagRunState.QUEUED,
            partition_key=ctx["partition_key"],
            partition_date=ctx["partition_date"],
            session=session,
        )
    except (ParamValidationError, ValueError) as exc:
        session.rollback()
        raise ApiError(422, f"Airflow refused the run: {exc}") from None
    out = run_json(run)
    session.commit()
    audit("canvas.workflow.run", user=user, workflow_id=workflow_id, run_id=run.run_id)
    return out


@router.get(
    "/workflows/{workflow_id}/runs",
    dependencies=[CanReadRuns],
    response_model=out.RunPage,
    responses=errors(404),
)
def list_runs(workflow_id: str, user: Reader, session: SessionDep, page: PageDep) -> dict[str, Any]:
    from airflow.models.dagrun import DagRun

    repo.get_workflow(session, workflow_id)
    query = select(DagRun).where(DagRun.dag_id == workflow_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    runs = session.scalars(query.order_by(DagRun.id.desc()).offset(page.offset).limit(page.limit)).all()
    return {"items": [run_json(r) for r in runs], "total": total, "offset": page.offset, "limit": page.limit}


def _log_url(dag_id: str, run_id: str, task_id: str) -> str:
    return f"{config.airflow_ui_base()}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}/tasks/{quote(task_id, safe='')}"


@router.get(
    "/workflows/{workflow_id}/runs/{run_id}",
    dependencies=[CanReadRuns, CanReadTasks],
    response_model=out.RunDetail,
    responses=errors(404),
)
def get_run(workflow_id: str, run_id: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance

    run = session.scalar(select(DagRun).where(DagRun.dag_id == workflow_id, DagRun.run_id == run_id))
    if run is None:
        raise ApiError(404, f"Run {run_id!r} of workflow {workflow_id!r} not found.")
    tis = session.scalars(
        select(TaskInstance).where(TaskInstance.dag_id == workflow_id, TaskInstance.run_id == run_id)
    ).all()
    by_task: dict[str, list[Any]] = {}
    for ti in tis:
        by_task.setdefault(ti.task_id, []).append(ti)
    nodes: dict[str, Any] = {}
    for task_id, group in sorted(by_task.items()):
        mapped = [ti for ti in group if ti.map_index >= 0]
        states = [str(getattr(ti.state, "value", ti.state)) if ti.state else None for ti in group]
        starts = [ti.start_date for ti in group if ti.start_date]
        ends = [ti.end_date for ti in group if ti.end_date]
        start, end = (min(starts) if starts else None), (max(ends) if ends else None)
        nodes[node_id_of(task_id)] = {
            "task_id": task_id,
            "state": mapped_state(states),
            "try_number": max(ti.try_number or 0 for ti in group),
            "duration": sum(ti.duration or 0 for ti in group) if any(ti.duration for ti in group) else None,
            "start_date": start.isoformat() if start else None,
            "end_date": end.isoformat() if end else None,
            "map_count": len(mapped) if mapped else None,
            "log_url": _log_url(workflow_id, run_id, task_id),
        }
    return run_json(run) | {"nodes": nodes}


@router.get(
    "/workflows/{workflow_id}/runs/{run_id}/nodes/{node_id}/output",
    dependencies=[CanReadRuns, CanReadXCom],
    response_model=out.NodeOutput,
    responses=errors(404),
)
def node_output(
    workflow_id: str,
    run_id: str,
    node_id: str,
    user: Reader,
    session: SessionDep,
    map_index: Annotated[int, Query(ge=-1)] = -1,
) -> dict[str, Any]:
    """The node's return value (XCom ``return_value``). Mapped nodes: ``?map_index=``; -1 lists all."""
    from airflow.models.dagrun import DagRun
    from airflow.models.xcom import XComModel

    run = session.scalar(select(DagRun).where(DagRun.dag_id == workflow_id, DagRun.run_id == run_id))
    if run is None:
        raise ApiError(404, f"Run {run_id!r} of workflow {workflow_id!r} not found.")
    rows = session.scalars(
        select(XComModel).where(
            XComModel.dag_id == workflow_id, XComModel.run_id == run_id, XComModel.key == "return_value"
        )
    ).all()
    mine = [r for r in rows if node_id_of(r.task_id) == node_id]
    if map_index >= 0 or any(r.map_index >= 0 for r in mine):
        mine_mapped = [r for r in mine if map_index < 0 or r.map_index == map_index]
        if not mine_mapped:
            raise ApiError(404, f"Node {node_id!r} has no output in run {run_id!r} (map index {map_index}).")
        values = {
            r.map_index: XComModel.deserialize_value(r)
            for r in sorted(mine_mapped, key=lambda r: r.map_index)
        }
        if map_index >= 0:
            return {
                "node_id": node_id,
                "task_id": mine_mapped[0].task_id,
                "map_index": map_index,
                "value": values[map_index],
            }
        return {
            "node_id": node_id,
            "task_id": mine_mapped[0].task_id,
            "mapped": True,
            "value": list(values.values()),
        }
    if not mine:
        raise ApiError(
            404, f"Node {node_id!r} has no output in run {run_id!r} (not run yet, or returned nothing)."
        )
    row = mine[0]
    return {"node_id": node_id, "task_id": row.task_id, "value": XComModel.deserialize_value(row)}


# -- reading runs on the canvas: history grid, a node's inputs, data on edges --------------------------
def _may_read_xcom(user: BaseUser, dag_id: str) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagDetails

    return get_auth_manager().is_authorized_dag(
        method="GET", access_entity=DagAccessEntity.XCOM, details=DagDetails(id=dag_id), user=user
    )


def _run_or_404(session: SessionDep, workflow_id: str, run_id: str) -> Any:
    from airflow.models.dagrun import DagRun

    run = session.scalar(select(DagRun).where(DagRun.dag_id == workflow_id, DagRun.run_id == run_id))
    if run is None:
        raise ApiError(404, f"Run {run_id!r} of workflow {workflow_id!r} not found.")
    return run


@router.get(
    "/workflows/{workflow_id}/run-history",
    dependencies=[CanReadRuns, CanReadTasks],
    response_model=out.RunHistory,
    responses=errors(404),
)
def run_history(
    workflow_id: str,
    user: Reader,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100, description="How many recent runs.")] = 20,
) -> dict[str, Any]:
    """Runs x nodes (Airflow's grid, for the canvas): each node's state, duration and tries in each
    of the last ``limit`` runs; tokens and cost too when the user may read the DAG's XComs."""
    from airflow_canvas.policies.history import load_rows
    from airflow_canvas.policies.runview import grid

    repo.get_workflow(session, workflow_id)
    with_usage = _may_read_xcom(user, workflow_id)
    runs, tasks, metrics = load_rows(session, workflow_id, limit, with_metrics=with_usage)
    return {"workflow_id": workflow_id, "limit": limit, **grid(runs, tasks, metrics, with_usage=with_usage)}


def _mapped_nodes(session: SessionDep, workflow_id: str, run_id: str) -> set[str]:
    from airflow.models.taskinstance import TaskInstance

    rows = session.scalars(
        select(TaskInstance.task_id).where(
            TaskInstance.dag_id == workflow_id, TaskInstance.run_id == run_id, TaskInstance.map_index >= 0
        )
    ).all()
    return {node_id_of(t) for t in rows}


def _xcom_rows(session: SessionDep, workflow_id: str, run_id: str, key: str) -> list[Any]:
    from airflow.models.xcom import XComModel

    return list(
        session.scalars(
            select(XComModel).where(
                XComModel.dag_id == workflow_id, XComModel.run_id == run_id, XComModel.key == key
            )
        ).all()
    )


@router.get(
    "/workflows/{workflow_id}/runs/{run_id}/nodes/{node_id}/inputs",
    dependencies=[CanReadRuns, CanReadTasks, CanReadXCom],
    response_model=out.NodeInputs,
    responses=errors(404),
)
def node_inputs(
    workflow_id: str, run_id: str, node_id: str, user: Reader, session: SessionDep
) -> dict[str, Any]:
    """What the node received in the run: its upstream outputs (XComs) through the wiring of the
    deployed version (service/run_inputs.py), size-capped (policies/runrecord.py)."""
    from airflow.models.taskinstance import TaskInstance

    from airflow_canvas.policies.runrecord import capped
    from airflow_canvas.service.run_inputs import NoInputs
    from airflow_canvas.service.run_inputs import node_inputs as derive

    run = _run_or_404(session, workflow_id, run_id)
    mine = [
        ti
        for ti in session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == workflow_id, TaskInstance.run_id == run_id)
        ).all()
        if node_id_of(ti.task_id) == node_id and ti.start_date is not None
    ]
    if not mine:
        raise ApiError(404, f"Node {node_id!r} has not run in run {run_id!r}: it received nothing yet.")
    indexes = sorted(ti.map_index for ti in mine if ti.map_index >= 0)
    try:
        value = derive(
            _deployed_spec(session, workflow_id),
            node_id,
            _outputs(session, workflow_id, run_id),
            map_indexes=indexes or None,
            params=run.conf or {},
        )
    except NoInputs as exc:
        raise ApiError(404, str(exc)) from None
    return {
        "node_id": node_id,
        "task_id": mine[0].task_id,
        "mapped": True if indexes else None,
        **capped(value),
    }


def _deployed_spec(session: SessionDep, workflow_id: str) -> Any:
    """The spec of the version deployed as this DAG (its wiring is what the runs used), else the head."""
    deployed = [d for d in repo.current_deployments(session, workflow_id).values() if d.dag_id == workflow_id]
    if deployed:
        latest = max(deployed, key=lambda d: d.deployed_at)
        return repo.load_spec(repo.get_version(session, workflow_id, latest.version_number))
    return repo.load_spec(repo.head(session, workflow_id))


def _outputs(session: SessionDep, workflow_id: str, run_id: str) -> dict[str, Any]:
    """Node (or generated task) id -> its return value in the run; mapped: the instances' values."""
    from airflow.models.xcom import XComModel

    rows: dict[str, list[Any]] = {}
    for row in _xcom_rows(session, workflow_id, run_id, "return_value"):
        rows.setdefault(node_id_of(row.task_id), []).append(row)
    values: dict[str, Any] = {}
    for node, group in rows.items():
        ordered = sorted(group, key=lambda r: r.map_index)
        mapped = ordered[0].map_index >= 0
        values[node] = (
            [XComModel.deserialize_value(r) for r in ordered]
            if mapped
            else XComModel.deserialize_value(ordered[0])
        )
    return values


@router.get(
    "/workflows/{workflow_id}/runs/{run_id}/edges",
    dependencies=[CanReadRuns, CanReadXCom],
    response_model=out.RunEdges,
    responses=errors(404),
)
def run_edges(workflow_id: str, run_id: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    """Per data-flow edge of the deployed spec: how many items and bytes its source sent in the run
    and a truncated sample (the source's output XCom, read with Airflow's XCom check)."""
    from airflow_canvas.policies.runrecord import edge_data
    from airflow_canvas.spec.models import EdgeKind

    _run_or_404(session, workflow_id, run_id)
    wf = _deployed_spec(session, workflow_id)
    outputs = _outputs(session, workflow_id, run_id)
    mapped_nodes = _mapped_nodes(session, workflow_id, run_id)
    edges: dict[str, Any] = {}
    for edge in wf.edges:
        if edge.kind is not EdgeKind.DATA_FLOW or edge.source not in outputs:
            continue
        value = outputs[edge.source]
        edges[edge.key] = {
            "source": edge.source,
            "target": edge.target,
            **edge_data(value, mapped=edge.source in mapped_nodes),
        }
    return {"run_id": run_id, "edges": edges}
