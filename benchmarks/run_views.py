"""Server-side cost of the canvas's run views over a workflow's history: the run-history grid
(runs x nodes), the node history and the prediction of the next run (critical path of medians,
cost from tokens at the model's price), against what GET /metrics already computed from the same
rows before the run views existed (``policies.history.aggregate``), measured in the same run.

    .venv/bin/python benchmarks/run_views.py [--quick] [--json out.json]

Rows are synthetic (the shape ``policies.history.load_rows`` reads from the metadata DB: one task
instance per node and run, a metrics XCom for every 10th node), so the figures are the pure
computation the routes do; the DB reads are the same queries /metrics makes. Targets at 1000 nodes
x 20 runs: the run-history grid within 1.5x of the baseline aggregation, /metrics with the
prediction within 2x of it (the prediction costs at most what the aggregation did), both < 500 ms.
Times are CPU time (``time.process_time``), best of 5.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.compile_parse import synthetic_workflow  # noqa: E402

SIZES = ((200, 20), (1000, 20))
HISTORY_TARGET = 1.5  # the run-history grid / the baseline aggregation
METRICS_TARGET = 2.0  # /metrics with the prediction / the baseline aggregation
ABSOLUTE_TARGET_S = 0.5


def rows(n_nodes: int, n_runs: int) -> tuple[Any, Any, list[tuple[str, str, Any]], Any]:
    from airflow_canvas.policies.history import RunRow, TaskRow
    from airflow_canvas.spec.graph import task_ids
    from airflow_canvas.spec.load import parse_workflow

    wf = parse_workflow(synthetic_workflow(n_nodes))
    ids = task_ids(wf)
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    runs, tasks, metrics = [], [], []
    for r in range(n_runs):
        run_id = f"manual__{r}"
        runs.append(RunRow(run_id, "success", t0, t0 + timedelta(seconds=60 + r)))
        for k, task_id in enumerate(ids.values()):
            end = t0 + timedelta(seconds=1 + (k * 7 + r) % 13 / 10)
            tasks.append(TaskRow(run_id, task_id, -1, "success", 1, t0, end, "ProcessOperator"))
            if k % 10 == 0:
                usage = {"tokens": {"prompt": 100 + r, "completion": 50, "total": 150 + r}, "cost": 0.001}
                metrics.append((run_id, task_id, usage))
    return runs, tasks, metrics, wf


def best(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def measure(runs: Any, tasks: Any, metrics: Any, wf: Any) -> tuple[float, float, float]:
    """CPU seconds, best of 5: the baseline (/metrics' aggregation before the run views), the
    run-history route's grid, and /metrics now (aggregation + node history + prediction)."""
    from airflow_canvas.policies.history import aggregate
    from airflow_canvas.policies.runview import grid, node_history, predict

    baseline = best(lambda: aggregate(runs, tasks, metrics, implied={}), 5)
    history = best(lambda: grid(runs, tasks, metrics, with_usage=True), 5)
    metrics_now = best(
        lambda: (aggregate(runs, tasks, metrics, implied={}), predict(wf, node_history(tasks, metrics))), 5
    )
    return baseline, history, metrics_now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the smaller size only")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = []
    ok = True
    for n_nodes, n_runs in SIZES[:1] if args.quick else SIZES:
        runs, tasks, metrics, wf = rows(n_nodes, n_runs)
        baseline, history, metrics_now = measure(runs, tasks, metrics, wf)
        row = {"nodes": n_nodes, "runs": n_runs, "baseline_s": baseline, "history_s": history}
        row |= {"metrics_s": metrics_now, "history_ratio": history / baseline}
        row["metrics_ratio"] = metrics_now / baseline
        results.append(row)
        print(
            f"{n_nodes:5d} nodes x {n_runs} runs: baseline /metrics aggregation {baseline * 1000:6.1f} ms; "
            f"run-history grid {history * 1000:6.1f} ms (x{row['history_ratio']:.2f}); "
            f"/metrics with the prediction {metrics_now * 1000:6.1f} ms (x{row['metrics_ratio']:.2f})"
        )
        if n_nodes == 1000:
            met = row["history_ratio"] <= HISTORY_TARGET and row["metrics_ratio"] <= METRICS_TARGET
            met = met and max(history, metrics_now) <= ABSOLUTE_TARGET_S
            ok = ok and met
            print(
                f"targets at 1000 nodes: grid <= x{HISTORY_TARGET}, /metrics <= x{METRICS_TARGET}, both <= "
                f"{ABSOLUTE_TARGET_S * 1000:.0f} ms: {'met' if met else 'MISSED'}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
