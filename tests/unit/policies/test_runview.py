"""The run views' pure parts: the runs x nodes grid, the prediction of the next run (critical path
of median durations, cost from tokens at the node's model's price), the inputs record's cap and
the data-on-edge figures."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from airflow_canvas.policies.history import RunRow, TaskRow
from airflow_canvas.policies.runrecord import BUDGET_TASK_ID, capped, edge_data
from airflow_canvas.policies.runview import grid, node_history, predict
from airflow_canvas.spec.load import parse_workflow

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _task(
    run: str, task: str, seconds: float, state: str = "success", tries: int = 1, index: int = -1
) -> TaskRow:
    return TaskRow(run, task, index, state, tries, T0, T0 + timedelta(seconds=seconds))


def _wf(**extra: Any) -> Any:
    """a -> b -> d and a -> c -> d: the critical path goes through the slower of b and c."""
    nodes = [{"id": i, "type": "process"} for i in "abcd"]
    edges = [{"source": s, "target": t} for s, t in ("ab", "ac", "bd", "cd")]
    return parse_workflow({"id": "w", "nodes": nodes, "edges": edges, **extra})


def test_prediction_sums_medians_along_the_critical_path() -> None:
    tasks = [
        *(_task(f"r{i}", "a", 1) for i in range(3)),
        *(_task(f"r{i}", "b", s) for i, s in enumerate((2, 4, 100))),  # median 4: one slow run
        *(_task(f"r{i}", "c", 5) for i in range(3)),
        _task("r0", "d", 1),
        _task("r1", "d", 50, state="failed"),  # failed runs do not predict
    ]
    out = predict(_wf(), node_history(tasks, []))
    assert out["critical_path"] == ["a", "c", "d"]
    assert out["duration_seconds"] == 1 + 5 + 1
    assert out["node_seconds"] == {"a": 1, "b": 4, "c": 5, "d": 1}
    assert out["cost_usd"] is None and out["nodes_without_history"] == []


def test_prediction_prices_the_nodes_current_model_or_takes_the_recorded_cost() -> None:
    wf = parse_workflow({
        "id": "w",
        "nodes": [
            {"id": "cheap", "type": "agent", "agent": {"connection_id": "llm", "prompt": "hi", "model": "gpt-4o-mini"}},
            {"id": "unknown", "type": "agent", "agent": {"connection_id": "llm", "prompt": "hi"}},
        ],
    })  # fmt: skip
    tasks = [_task(f"r{i}", n, 1) for i in range(3) for n in ("cheap", "unknown")]
    usage = {"tokens": {"prompt": 1000, "completion": 500, "total": 1500}, "cost": 0.5}
    metrics = [(f"r{i}", n, usage) for i in range(3) for n in ("cheap", "unknown")]
    out = predict(wf, node_history(tasks, metrics))
    cheap = (1000 * 0.15 + 500 * 0.60) / 1e6
    assert out["node_costs"] == {
        "cheap": {"cost": pytest.approx(cheap), "source": "pricing"},  # not the 0.5 recorded
        "unknown": {"cost": 0.5, "source": "recorded"},
    }
    assert out["cost_usd"] == pytest.approx(cheap + 0.5)


def test_no_history_predicts_nothing_and_names_the_nodes() -> None:
    out = predict(_wf(), node_history([], []))
    assert out["duration_seconds"] is None and out["critical_path"] == []
    assert out["nodes_without_history"] == ["a", "b", "c", "d"]


def test_grid_cells_per_node_and_run_without_the_budget_task() -> None:
    runs = [RunRow("r2", "failed", T0, T0 + timedelta(seconds=9)), RunRow("r1", "success", T0, None)]
    tasks = [
        _task("r1", "a", 2),
        _task("r2", "a", 3, state="failed", tries=2),
        _task("r2", "grp.b", 1, index=0),
        _task("r2", "grp.b", 1, index=1),
        _task("r2", BUDGET_TASK_ID, 0.1),
    ]
    metrics = [("r2", "a", {"tokens": {"total": 10}, "cost": 0.25})]
    out = grid(runs, tasks, metrics, with_usage=True)
    assert [r["run_id"] for r in out["runs"]] == ["r2", "r1"]
    assert (
        out["runs"][0]["duration"] == 9
        and out["runs"][0]["cost"] == 0.25
        and out["runs"][1]["duration"] is None
    )
    assert set(out["nodes"]) == {"a", "b"}
    assert out["nodes"]["a"]["r2"] == {
        "duration": 3,
        "tries": 2,
        "state": "failed",
        "map_count": None,
        "tokens": 10,
        "cost": 0.25,
    }
    assert out["nodes"]["b"]["r2"]["map_count"] == 2
    hidden = grid(runs, tasks, metrics, with_usage=False)
    assert "tokens" not in hidden["nodes"]["a"]["r2"] and "cost" not in hidden["runs"][0]


def test_inputs_are_capped() -> None:
    small = {"q": "hello"}
    assert capped(small) == {"value": small, "truncated": False, "bytes": 14}
    big = capped({"q": "x" * 1000}, cap=100)
    assert big["truncated"] and big["value"] is None and big["bytes"] > 1000 and len(big["preview"]) == 25


def test_edge_data_counts_items_and_truncates_the_sample() -> None:
    assert edge_data([1, 2, 3], mapped=False) == {
        "items": 3,
        "bytes": 9,
        "sample": "[1, 2, 3]",
        "truncated": False,
    }
    assert edge_data({"a": 1}, mapped=False)["items"] == 1
    assert edge_data(None, mapped=False)["items"] == 0
    assert edge_data([{"x": 1}, {"x": 2}], mapped=True)["items"] == 2
    long = edge_data("y" * 1000, mapped=False, sample_chars=10)
    assert long["sample"] == '"yyyyyyyyy' and long["truncated"] and long["bytes"] == 1002
