"""Aggregation of recent runs into per-node figures and predicted durations."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow_canvas.operators import implied_tool_calls
from airflow_canvas.policies.history import RunRow, TaskRow, aggregate

T0 = datetime(2026, 1, 1, 12, 0, 0)


def _ti(run: str, task: str, start: float, end: float, state: str = "success", tries: int = 1, idx: int = -1):
    return TaskRow(run, task, idx, state, tries, T0 + timedelta(seconds=start), T0 + timedelta(seconds=end))


def test_per_node_durations_tries_tokens_and_prediction() -> None:
    runs = [
        RunRow("r1", "success", T0, T0 + timedelta(seconds=30)),
        RunRow("r2", "success", T0, T0 + timedelta(seconds=50)),
        RunRow("r3", "failed", T0, T0 + timedelta(seconds=5)),
    ]
    tasks = [
        _ti("r1", "grp.agent", 0, 10),
        _ti("r2", "grp.agent", 0, 20, tries=2),
        _ti("r3", "grp.agent", 0, 4, state="failed", tries=3),
        # a mapped node: three instances in one run span 1s..9s
        _ti("r1", "fan", 1, 3, idx=0),
        _ti("r1", "fan", 2, 9, idx=1),
        _ti("r1", "fan", 1, 5, idx=2),
    ]
    metrics = [
        ("r1", "grp.agent", {"tokens": {"total": 100}, "cost": 0.01, "tool_calls": 2}),
        ("r2", "grp.agent", '{"tokens": {"total": 300}, "cost": 0.03, "tool_calls": 1}'),
        ("r2", "grp.agent", "not json"),
    ]
    out = aggregate(runs, tasks, metrics, implied=implied_tool_calls())
    agent = out["nodes"]["agent"]
    assert (agent["runs"], agent["success"], agent["failed"]) == (3, 2, 1)
    assert agent["duration_seconds"] == {"mean": 11.333, "median": 10.0, "p90": 20.0, "max": 20.0}
    assert agent["predicted_duration_seconds"] == 15.0  # median of the successful runs only
    assert agent["tries"] == {"mean": 2.0, "max": 3, "retried_runs": 2}
    assert agent["tokens"] == {"total": 400, "mean_per_run": 200.0}
    assert agent["cost"] == 0.04 and agent["tool_calls"] == 3
    assert out["nodes"]["fan"]["duration_seconds"]["max"] == 8.0
    assert out["predicted_duration_seconds"] == 40.0 and out["runs"] == 3


def test_tool_calls_of_tool_nodes_come_from_successful_task_instances() -> None:
    """A ToolOperator task stores no canvas_metrics XCom: each successful instance counts as one
    report of one tool call, as its XCom did (written only at the end of a successful try)."""
    runs = [RunRow("r1", "success", T0, T0), RunRow("r2", "failed", T0, T0)]
    tool = {"operator": "ToolOperator"}
    tasks = [
        TaskRow("r1", "fetch", -1, "success", 1, T0, T0, **tool),
        TaskRow("r2", "fetch", -1, "failed", 2, T0, T0, **tool),  # failed tries never recorded a call
        # mapped: two of three instances succeeded; one of them has an XCom from an older operator
        # version (or one with cost to report), which must not be counted twice
        TaskRow("r1", "grp.each", 0, "success", 1, T0, T0, **tool),
        TaskRow("r1", "grp.each", 1, "success", 1, T0, T0, **tool),
        TaskRow("r1", "grp.each", 2, "skipped", 1, T0, T0, **tool),
        TaskRow("r1", "proc", -1, "success", 1, T0, T0, operator="ProcessOperator"),
        TaskRow("r1", "agent", -1, "success", 1, T0, T0, operator="AgentOperator"),
    ]
    metrics = [
        ("r1", "grp.each", {"tool_calls": 1, "tokens": {}, "cost": 0.5}),
        ("r1", "agent", {"tool_calls": 2, "tokens": {"total": 10}, "cost": 0.0}),
    ]
    nodes = aggregate(runs, tasks, metrics, implied=implied_tool_calls())["nodes"]
    assert nodes["fetch"]["tool_calls"] == 1
    assert nodes["fetch"]["tokens"] == {"total": 0, "mean_per_run": 0.0}
    assert (nodes["each"]["tool_calls"], nodes["each"]["cost"]) == (2, 0.5)
    assert nodes["each"]["tokens"] == {"total": 0, "mean_per_run": 0.0}
    assert nodes["proc"]["tool_calls"] == 0 and nodes["proc"]["tokens"]["mean_per_run"] is None
    assert nodes["agent"]["tool_calls"] == 2
    assert nodes["agent"]["tokens"] == {"total": 10, "mean_per_run": 10.0}


def test_tool_node_figures_match_what_its_xcom_used_to_give() -> None:
    """Same runs, once with the XComs the old ToolOperator wrote, once without: same figures."""
    runs = [RunRow("r1", "success", T0, T0), RunRow("r2", "success", T0, T0)]
    rows = [
        TaskRow(run, "t", -1, state, 1, T0, T0 + timedelta(seconds=1), "ToolOperator")
        for run, state in (("r1", "success"), ("r2", "failed"))
    ]
    old_xcoms = [("r1", "t", {"duration_seconds": 0.1, "payload_bytes_in": 3, "payload_bytes_out": 4,
                              "tool_calls": 1, "tokens": {}, "cost": 0.0})]  # fmt: skip
    assert aggregate(runs, rows, old_xcoms, implied=IMPLIED) == aggregate(runs, rows, [], implied=IMPLIED)


def test_no_runs_gives_empty_figures() -> None:
    assert aggregate([], [], [], implied=implied_tool_calls()) == {
        "runs": 0,
        "run_ids": [],
        "predicted_duration_seconds": None,
        "duration_seconds": {"mean": None, "median": None, "p90": None, "max": None},
        "nodes": {},
    }


IMPLIED = implied_tool_calls()


def test_implied_tool_calls_come_from_the_operator_classes_subclasses_included() -> None:
    """The figure is read from ``implied_tool_calls`` on the operator classes, not a table kept by
    hand: a subclass of ToolOperator (a task instance records its own class name) counts too."""
    from airflow_canvas.operators.tool import ToolOperator

    class MyToolOperator(ToolOperator):
        pass

    implied = implied_tool_calls()
    assert implied["ToolOperator"] == ToolOperator.implied_tool_calls == 1
    assert implied["MyToolOperator"] == 1
    assert "AgentOperator" not in implied and "CanvasOperator" not in implied
