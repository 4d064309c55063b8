"""The canvas's views over a workflow's runs, from the rows ``policies.history.load_rows`` reads:

- ``grid``: runs x nodes, each cell one node in one run (state, duration, tries, tokens, cost),
  the data of the run strip on each node and of the run-history view;
- ``predict``: the next run's duration and cost from history: per node the median duration of
  its successful runs, summed along the longest (critical) path of the workflow's dependency
  graph, and per node the median tokens priced at the node's current model (tools/pricing.py), or
  the median recorded cost when the model has no known price.

Both are pure (rows in, JSON out); the API routes read the rows and check permissions."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from graphlib import CycleError, TopologicalSorter
from typing import Any

from airflow_canvas.policies.history import RunRow, TaskRow, _per_run, _seconds
from airflow_canvas.policies.runrecord import BUDGET_TASK_ID
from airflow_canvas.spec.graph import dependency_graph, is_virtual, node_id_of
from airflow_canvas.spec.models import NodeType, Workflow
from airflow_canvas.tools.pricing import price_for


def _usage(metrics: Iterable[tuple[str, str, Any]]) -> dict[tuple[str, str], dict[str, float]]:
    """(node id, run id) -> summed prompt/completion/total tokens and cost of its metrics XComs."""
    out: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for run_id, task_id, value in metrics:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if not isinstance(value, dict):
            continue
        cell = out[(node_id_of(task_id), run_id)]
        tokens = value.get("tokens") or {}
        for kind in ("prompt", "completion", "total"):
            cell[kind] += float(tokens.get(kind, 0) or 0)
        cell["cost"] += float(value.get("cost") or 0)
        cell["tool_calls"] += float(value.get("tool_calls") or 0)
    return out


def _cell(group: list[TaskRow]) -> dict[str, Any]:
    """One node in one run (``history._per_run``), with the common case of one unmapped task
    instance done inline: the views call this for every node x run (20 000 times at 1000 nodes
    and 20 runs), and the general path costs three times as much."""
    if len(group) == 1 and group[0].map_index < 0:
        row = group[0]
        return {
            "duration": _seconds(row.start_date, row.end_date),
            "tries": row.try_number,
            "state": row.state,
            "map_count": None,
        }
    return _per_run(group)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def grid(
    runs: list[RunRow], tasks: list[TaskRow], metrics: list[tuple[str, str, Any]], *, with_usage: bool
) -> dict[str, Any]:
    """Runs newest first, and per node a cell for each run it took part in. ``with_usage``: the
    caller may read XComs, so tokens and cost are included (else they are left out)."""
    usage = _usage(metrics) if with_usage else {}
    rows: dict[str, dict[str, list[TaskRow]]] = defaultdict(lambda: defaultdict(list))
    for row in tasks:
        if row.task_id != BUDGET_TASK_ID:  # the budget check is not a node of the canvas
            rows[node_id_of(row.task_id)][row.run_id].append(row)
    nodes: dict[str, dict[str, Any]] = {}
    run_cost: dict[str, float] = defaultdict(float)
    for node_id, per_run in sorted(rows.items()):
        cells: dict[str, Any] = {}
        for run_id, group in per_run.items():
            cell = _cell(group)
            cell["duration"] = round(cell["duration"], 3) if cell["duration"] is not None else None
            spent = usage.get((node_id, run_id))
            if with_usage:
                cell["tokens"] = int(spent["total"]) if spent else 0
                cell["cost"] = round(spent["cost"], 8) if spent else 0.0
                run_cost[run_id] += cell["cost"]
            cells[run_id] = cell
        nodes[node_id] = cells
    out_runs = []
    for run in runs:
        item: dict[str, Any] = {
            "run_id": run.run_id,
            "state": run.state,
            "start_date": _iso(run.start_date),
            "end_date": _iso(run.end_date),
            "duration": _round(_seconds(run.start_date, run.end_date)),
        }
        if with_usage:
            item["cost"] = round(run_cost.get(run.run_id, 0.0), 8)
        out_runs.append(item)
    return {"runs": out_runs, "nodes": nodes, "with_usage": with_usage}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def node_history(tasks: list[TaskRow], metrics: list[tuple[str, str, Any]]) -> dict[str, dict[str, Any]]:
    """Per node: median duration of successful runs and median usage per run (tokens, cost)."""
    durations: dict[str, list[float]] = defaultdict(list)
    rows: dict[str, dict[str, list[TaskRow]]] = defaultdict(lambda: defaultdict(list))
    for row in tasks:
        if row.task_id != BUDGET_TASK_ID:
            rows[node_id_of(row.task_id)][row.run_id].append(row)
    for node_id, per_run in rows.items():
        for group in per_run.values():
            cell = _cell(group)
            if cell["state"] == "success" and cell["duration"] is not None:
                durations[node_id].append(cell["duration"])
    per_node_usage: dict[str, list[dict[str, float]]] = defaultdict(list)
    for (node_id, _run), spent in _usage(metrics).items():
        per_node_usage[node_id].append(spent)
    out: dict[str, dict[str, Any]] = {}
    for node_id in sorted(set(rows) | set(per_node_usage)):
        spent_list = per_node_usage.get(node_id, [])

        def median(kind: str, spent_list: list[dict[str, float]] = spent_list) -> float | None:
            return statistics.median(s[kind] for s in spent_list) if spent_list else None

        out[node_id] = {
            "p50_seconds": _round(statistics.median(durations[node_id])) if durations[node_id] else None,
            "successful_runs": len(durations[node_id]),
            "prompt_tokens": median("prompt"),
            "completion_tokens": median("completion"),
            "cost": median("cost"),
        }
    return out


def _node_cost(wf: Workflow, node_id: str, history: Mapping[str, Any]) -> tuple[float | None, str]:
    """Predicted cost of one node and how it was found ('pricing', 'recorded' or 'none')."""
    node = wf.node(node_id)
    model = node.agent.model if node is not None and node.type is NodeType.AGENT and node.agent else None
    price = price_for(model) if model else None
    if price is not None and history.get("prompt_tokens") is not None:
        cost = (
            history["prompt_tokens"] * price.get("input", 0)
            + (history.get("completion_tokens") or 0) * price.get("output", 0)
        ) / 1_000_000
        return round(cost, 8), "pricing"
    if history.get("cost") is not None:
        return round(history["cost"], 8), "recorded"
    return None, "none"


def predict(wf: Workflow, history: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The next run's duration along the critical path and its cost, from ``node_history``."""
    graph = dependency_graph(wf)
    weight = {n.id: (history.get(n.id) or {}).get("p50_seconds") for n in wf.nodes}
    finish: dict[str, float] = {}
    via: dict[str, str | None] = {}
    predecessors: dict[str, list[str]] = defaultdict(list)
    for source, targets in graph.items():
        for target in targets:
            predecessors[target].append(source)
    try:
        order = list(TopologicalSorter({v: predecessors.get(v, []) for v in graph}).static_order())
    except CycleError:  # validation refuses cycles; a stored spec with one predicts nothing
        order = []
    for vertex in order:
        best = max(predecessors.get(vertex, []), key=lambda p: finish.get(p, 0.0), default=None)
        start = finish.get(best, 0.0) if best is not None else 0.0
        own = 0.0 if is_virtual(vertex) else float(weight.get(vertex) or 0.0)
        finish[vertex], via[vertex] = start + own, best
    end = max((v for v in order if not is_virtual(v)), key=lambda v: finish[v], default=None)
    path: list[str] = []
    while end is not None:
        if not is_virtual(end):
            path.append(end)
        end = via.get(end)
    costs: dict[str, Any] = {}
    total_cost = 0.0
    for node in wf.nodes:
        cost, source = _node_cost(wf, node.id, history.get(node.id) or {})
        if cost is not None:
            costs[node.id] = {"cost": cost, "source": source}
            total_cost += cost
    missing = [n.id for n in wf.nodes if weight.get(n.id) is None]
    return {
        "duration_seconds": round(finish[path[0]], 3) if path and any(weight.values()) else None,
        "critical_path": list(reversed(path)) if any(weight.values()) else [],
        "cost_usd": round(total_cost, 8) if costs else None,
        "node_costs": costs,
        "nodes_without_history": missing,
        "node_seconds": {k: v for k, v in weight.items() if v is not None},
    }
