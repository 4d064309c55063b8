"""Metrics a node emits through Airflow's ``Stats`` (StatsD or OpenTelemetry, as configured under
``[metrics]``), named ``canvas.<workflow>.<node>.<metric>``, plus a small summary the operator
stores as an XCom (key ``canvas_metrics``) so that the API can aggregate tokens and cost per node
over recent runs without a metrics backend."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

PREFIX = "canvas"
XCOM_KEY = "canvas_metrics"
_INVALID = re.compile(r"[^A-Za-z0-9_-]")  # dots separate name segments, so not allowed inside one
MAX_NAME_LENGTH = 250  # Airflow's StatsD name validator rejects longer names

log = logging.getLogger(__name__)


def _segment(value: str) -> str:
    return _INVALID.sub("_", value) or "_"


def metric_name(workflow_id: str, node_id: str, metric: str) -> str:
    """``canvas.<workflow>.<node>.<metric>``; ids are slugs already, anything else becomes ``_``."""
    name = ".".join((PREFIX, _segment(workflow_id), _segment(node_id), metric))
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"metric name {name[:60]!r}... is longer than {MAX_NAME_LENGTH} characters")
    return name


def _stats() -> Any:
    try:
        from airflow.sdk.observability.stats import Stats
    except ImportError:  # pragma: no cover - Airflow < 3.2
        from airflow.stats import Stats
    return Stats


@dataclass
class MetricsSummary:
    duration_seconds: float | None = None
    payload_bytes_in: int = 0
    payload_bytes_out: int = 0
    tool_calls: int = 0
    tokens: dict[str, int] = field(default_factory=dict)  # prompt / completion / total
    cost: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class NodeMetrics:
    """Emits one node's metrics; a failing metrics backend never fails the task."""

    def __init__(self, workflow_id: str, node_id: str):
        self.workflow_id = workflow_id
        self.node_id = node_id
        self.summary = MetricsSummary()
        self._started: float | None = None
        self._prefix = metric_name(workflow_id, node_id, "")  # checked once: a task emits several

    def name(self, metric: str) -> str:
        name = self._prefix + metric
        return name if len(name) <= MAX_NAME_LENGTH else metric_name(self.workflow_id, self.node_id, metric)

    def _emit(self, kind: str, metric: str, *args: Any) -> None:
        try:
            getattr(_stats(), kind)(self.name(metric), *args)
        except Exception:  # noqa: BLE001 - metrics are best effort by design
            log.debug("could not emit metric %s", metric, exc_info=True)

    def start(self) -> None:
        self._started = time.monotonic()

    def stop(self) -> float:
        """Emit ``.duration`` (a timer, milliseconds) for the time since :meth:`start`."""
        if self._started is None:
            raise RuntimeError("NodeMetrics.stop() called before start()")
        seconds = time.monotonic() - self._started
        self.summary.duration_seconds = round(seconds, 6)
        self._emit("timing", "duration", seconds * 1000.0)
        return seconds

    def payload(self, direction: str, size: int) -> None:
        """``.payload_bytes`` gauge per direction ("in" / "out")."""
        if direction == "in":
            self.summary.payload_bytes_in += size
        else:
            self.summary.payload_bytes_out += size
        self._emit("gauge", f"payload_bytes.{_segment(direction)}", size)

    def tool_calls(self, count: int = 1) -> None:
        self.summary.tool_calls += count
        self._emit("incr", "tool_calls", count)

    def tokens(self, prompt: int = 0, completion: int = 0) -> None:
        total = prompt + completion
        for kind, value in (("prompt", prompt), ("completion", completion), ("total", total)):
            self.summary.tokens[kind] = self.summary.tokens.get(kind, 0) + value
        if prompt:
            self._emit("incr", "tokens.prompt", prompt)
        if completion:
            self._emit("incr", "tokens.completion", completion)
        if total:
            self._emit("incr", "tokens", total)

    def cost(self, amount: float) -> None:
        """``.cost`` gauge of this try's running cost (in the model's price currency)."""
        self.summary.cost = round(self.summary.cost + amount, 8)
        self._emit("gauge", "cost", self.summary.cost)

    def error(self, kind: str) -> None:
        self._emit("incr", f"errors.{_segment(kind)}", 1)
