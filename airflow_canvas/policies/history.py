"""Per-node figures over a workflow's recent runs, read from Airflow's own tables: task instance
durations and tries, and the ``canvas_metrics`` XCom the agent operators store (tokens, cost, tool
calls). A tool node stores no such XCom: its one tool call per successful task instance is
counted from the task instance itself (the ``implied`` argument of ``aggregate``: the API passes
``airflow_canvas.operators.implied_tool_calls()``, read from the operator classes). The canvas shows the figures as a
historical view and uses the median as a predicted duration.

``aggregate`` is pure (rows in, JSON out) so it is tested without a database; ``load_rows``
reads the metadata DB."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airflow_canvas.policies.metrics import XCOM_KEY
from airflow_canvas.spec.graph import node_id_of


@dataclass(frozen=True)
class TaskRow:
    run_id: str
    task_id: str
    map_index: int
    state: str | None
    try_number: int
    start_date: datetime | None
    end_date: datetime | None
    operator: str | None = None  # the operator class name Airflow records on the task instance


@dataclass(frozen=True)
class RunRow:
    run_id: str
    state: str | None
    start_date: datetime | None
    end_date: datetime | None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(int(round(fraction * (len(ordered) - 1))), len(ordered) - 1)
    return ordered[index]


def _duration_stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "median": None, "p90": None, "max": None}
    return {
        "mean": round(statistics.fmean(values), 3),
        "median": round(statistics.median(values), 3),
        "p90": round(_percentile(values, 0.9), 3),
        "max": round(max(values), 3),
    }


def _per_run(rows: list[TaskRow]) -> dict[str, Any]:
    """One node in one run: mapped instances span from the first start to the last end."""
    starts = [r.start_date for r in rows if r.start_date]
    ends = [r.end_date for r in rows if r.end_date]
    states = {r.state for r in rows}
    state = (
        "failed"
        if "failed" in states
        else ("success" if states == {"success"} else sorted(map(str, states))[0])
    )
    return {
        "duration": _seconds(min(starts), max(ends)) if starts and ends else None,
        "tries": max(r.try_number for r in rows),
        "state": state,
        "map_count": len(rows) if any(r.map_index >= 0 for r in rows) else None,
    }


def aggregate(
    runs: list[RunRow],
    tasks: list[TaskRow],
    metrics: list[tuple[str, str, Any]],
    *,
    implied: Mapping[str, int],
) -> dict[str, Any]:
    """``metrics`` holds (run_id, task_id, canvas_metrics XCom value) triples.

    ``implied``: operator class name (task instance ``operator`` column) -> tool calls a successful
    task instance of it made (``operators.implied_tool_calls()``; this layer cannot import the
    operators). Such a task writes no canvas_metrics XCom when it has nothing more to record, so
    the calls are counted from the task instance: the same figure the XCom gave, which was
    written only at the end of a successful try."""
    by_node_run: dict[str, dict[str, list[TaskRow]]] = defaultdict(lambda: defaultdict(list))
    for row in tasks:
        by_node_run[node_id_of(row.task_id)][row.run_id].append(row)
    usage: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    stored: dict[tuple[str, str], int] = defaultdict(int)  # (run, task) -> canvas_metrics XComs
    for run_id, task_id, value in metrics:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if not isinstance(value, dict):
            continue
        stored[(run_id, task_id)] += 1
        totals = usage[node_id_of(task_id)]
        totals["tokens"] += float((value.get("tokens") or {}).get("total", 0) or 0)
        totals["cost"] += float(value.get("cost") or 0)
        totals["tool_calls"] += float(value.get("tool_calls") or 0)
        totals["reports"] += 1
    # Successful tool task instances without an XCom of their own: one report of their implied
    # tool calls each (no tokens, no cost). Counted per (run, task) so that mapped instances and
    # XComs written by older versions of the operator are neither lost nor counted twice.
    implied_per_task: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in tasks:
        calls = implied.get(row.operator or "")
        if calls and row.state == "success":
            implied_per_task[(row.run_id, row.task_id)].append(calls)
    for (run_id, task_id), calls_per_instance in implied_per_task.items():
        missing = calls_per_instance[stored.get((run_id, task_id), 0) :]
        if missing:
            totals = usage[node_id_of(task_id)]
            totals["tool_calls"] += sum(missing)
            totals["reports"] += len(missing)

    nodes: dict[str, Any] = {}
    for node_id, per_run_rows in sorted(by_node_run.items()):
        per_run = [_per_run(rows) for rows in per_run_rows.values()]
        durations = [p["duration"] for p in per_run if p["duration"] is not None]
        ok_durations = [
            p["duration"] for p in per_run if p["state"] == "success" and p["duration"] is not None
        ]
        tries = [p["tries"] for p in per_run]
        totals = usage.get(node_id, {})
        reports = int(totals.get("reports", 0))
        nodes[node_id] = {
            "runs": len(per_run),
            "success": sum(p["state"] == "success" for p in per_run),
            "failed": sum(p["state"] == "failed" for p in per_run),
            "duration_seconds": _duration_stats(durations),
            "predicted_duration_seconds": round(statistics.median(ok_durations), 3) if ok_durations else None,
            "tries": {
                "mean": round(statistics.fmean(tries), 3) if tries else None,
                "max": max(tries) if tries else None,
                "retried_runs": sum(t > 1 for t in tries),
            },
            "tokens": {
                "total": int(totals.get("tokens", 0)),
                "mean_per_run": round(totals["tokens"] / reports, 3) if reports else None,
            },
            "cost": round(totals.get("cost", 0.0), 8),
            "tool_calls": int(totals.get("tool_calls", 0)),
        }
    run_durations = [
        d for r in runs if r.state == "success" and (d := _seconds(r.start_date, r.end_date)) is not None
    ]
    return {
        "runs": len(runs),
        "run_ids": [r.run_id for r in runs],
        "predicted_duration_seconds": round(statistics.median(run_durations), 3) if run_durations else None,
        "duration_seconds": _duration_stats(run_durations),
        "nodes": nodes,
    }


def load_rows(
    session: Any, dag_id: str, limit: int, *, with_metrics: bool = True
) -> tuple[list[RunRow], list[TaskRow], list[tuple[str, str, Any]]]:
    """The ``limit`` most recent runs of ``dag_id`` with their task instances and metrics XComs
    (``with_metrics=False``: no XComs, for a caller who may not read them)."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from sqlalchemy import select

    run_rows = session.execute(
        select(DagRun.run_id, DagRun.state, DagRun.start_date, DagRun.end_date)
        .where(DagRun.dag_id == dag_id)
        .order_by(DagRun.id.desc())
        .limit(limit)
    ).all()
    runs = [RunRow(r.run_id, _str(r.state), r.start_date, r.end_date) for r in run_rows]
    run_ids = [r.run_id for r in runs]
    if not run_ids:
        return runs, [], []
    ti_rows = session.execute(
        select(
            TaskInstance.run_id,
            TaskInstance.task_id,
            TaskInstance.map_index,
            TaskInstance.state,
            TaskInstance.try_number,
            TaskInstance.start_date,
            TaskInstance.end_date,
            TaskInstance.operator,
        ).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id.in_(run_ids))
    ).all()
    tasks = [
        TaskRow(
            r.run_id,
            r.task_id,
            r.map_index,
            _str(r.state),
            r.try_number or 0,
            r.start_date,
            r.end_date,
            r.operator,
        )
        for r in ti_rows
    ]
    if not with_metrics:
        return runs, tasks, []
    xcom_rows = session.execute(
        select(XComModel.run_id, XComModel.task_id, XComModel.value).where(
            XComModel.dag_id == dag_id, XComModel.run_id.in_(run_ids), XComModel.key == XCOM_KEY
        )
    ).all()
    metrics = [(r.run_id, r.task_id, XComModel.deserialize_value(r)) for r in xcom_rows]
    return runs, tasks, metrics


def _str(state: Any) -> str | None:
    return None if state is None else str(getattr(state, "value", state))
