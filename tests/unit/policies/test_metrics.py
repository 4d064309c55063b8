"""Metric names and what NodeMetrics sends to Airflow's Stats."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_canvas.policies import metrics
from airflow_canvas.policies.metrics import NodeMetrics, metric_name


class RecordingStats:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def timing(self, name: str, value: Any) -> None:
        self.calls.append(("timing", name, value))

    def incr(self, name: str, count: int = 1) -> None:
        self.calls.append(("incr", name, count))

    def gauge(self, name: str, value: float) -> None:
        self.calls.append(("gauge", name, value))


def test_names_are_per_workflow_and_node() -> None:
    assert metric_name("wf", "node-1", "duration") == "canvas.wf.node-1.duration"
    assert metric_name("w f", "n.x", "tokens") == "canvas.w_f.n_x.tokens"
    with pytest.raises(ValueError, match="longer than"):
        metric_name("w" * 200, "n" * 60, "duration")


def test_node_metrics_emit_and_summarise(monkeypatch) -> None:
    stats = RecordingStats()
    monkeypatch.setattr(metrics, "_stats", lambda: stats)
    m = NodeMetrics("wf", "agent1")
    m.start()
    m.payload("in", 120)
    m.tool_calls(2)
    m.tokens(prompt=100, completion=20)
    m.cost(0.01)
    m.cost(0.02)
    seconds = m.stop()
    kinds = {(kind, name) for kind, name, _ in stats.calls}
    assert kinds == {
        ("gauge", "canvas.wf.agent1.payload_bytes.in"),
        ("incr", "canvas.wf.agent1.tool_calls"),
        ("incr", "canvas.wf.agent1.tokens.prompt"),
        ("incr", "canvas.wf.agent1.tokens.completion"),
        ("incr", "canvas.wf.agent1.tokens"),
        ("gauge", "canvas.wf.agent1.cost"),
        ("timing", "canvas.wf.agent1.duration"),
    }
    assert ("incr", "canvas.wf.agent1.tokens", 120) in stats.calls
    assert stats.calls[-1][2] == pytest.approx(seconds * 1000)
    summary = m.summary.to_dict()
    assert summary["tokens"] == {"prompt": 100, "completion": 20, "total": 120}
    assert summary["cost"] == pytest.approx(0.03) and summary["payload_bytes_in"] == 120


def test_a_broken_metrics_backend_never_fails_the_task(monkeypatch) -> None:
    class Broken:
        def incr(self, *args: Any) -> None:
            raise OSError("statsd down")

    monkeypatch.setattr(metrics, "_stats", lambda: Broken())
    m = NodeMetrics("wf", "n")
    m.tool_calls()
    assert m.summary.tool_calls == 1
    with pytest.raises(RuntimeError):
        m.stop()
