"""CanvasOperator calls the policies around run(): log level, payload logging, metrics, XCom."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_canvas.operators.base import CanvasOperator
from airflow_canvas.policies import metrics
from tests.unit.policies.test_metrics import RecordingStats


class FakeTI:
    def __init__(self) -> None:
        self.pushed: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value


class AgentLike(CanvasOperator):
    def run(self, inputs: dict[str, Any], context: Any) -> Any:
        self.log.debug("debug detail from run")
        self.metrics.tool_calls(3)
        self.metrics.tokens(prompt=40, completion=2)
        if inputs.get("explode"):
            raise RuntimeError("boom")
        return {"answer": 42}


@pytest.fixture
def stats(monkeypatch) -> RecordingStats:
    recording = RecordingStats()
    monkeypatch.setattr(metrics, "_stats", lambda: recording)
    return recording


def _op(**kwargs: Any) -> AgentLike:
    return AgentLike(task_id="ask", workflow_id="wf", node_id="ask", **kwargs)


def test_metrics_and_summary_xcom_on_success(stats: RecordingStats) -> None:
    ti = FakeTI()
    op = _op(merge_upstream=["up"], upstream_outputs={"up": {"q": "hi"}})
    assert op.execute({"ti": ti}) == {"answer": 42}
    names = {name for _, name, _ in stats.calls}
    assert {
        "canvas.wf.ask.duration",
        "canvas.wf.ask.payload_bytes.in",
        "canvas.wf.ask.payload_bytes.out",
        "canvas.wf.ask.tool_calls",
        "canvas.wf.ask.tokens",
    } <= names
    assert ti.pushed[metrics.XCOM_KEY]["tokens"] == {"prompt": 40, "completion": 2, "total": 42}


def test_failure_still_reports_duration_and_error(stats: RecordingStats) -> None:
    op = _op(merge_upstream=["up"], upstream_outputs={"up": {"explode": True}})
    with pytest.raises(RuntimeError):
        op.execute({"ti": FakeTI()})
    names = [name for _, name, _ in stats.calls]
    assert "canvas.wf.ask.duration" in names and "canvas.wf.ask.errors.RuntimeError" in names


def test_payload_logging_and_log_level_reach_the_task_log(stats: RecordingStats, capsys) -> None:
    from airflow.sdk._shared.logging.structlog import configure_logging

    configure_logging(log_level="INFO")
    op = _op(
        merge_upstream=["up"],
        upstream_outputs={"up": {"api_key": "sk-very-secret", "q": "hi"}},
        log_payloads="redacted",
        log_level="DEBUG",
    )
    op.execute({"ti": FakeTI()})
    out = capsys.readouterr()
    text = out.out + out.err
    assert "inputs (redacted):" in text and '"q": "hi"' in text and "sk-very-secret" not in text
    assert "debug detail from run" in text
