"""Runs of a workflow's DAG, a node's output, and the metrics over recent runs."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel, Page


class RunSummary(ApiModel):
    run_id: str
    dag_id: str
    state: str
    run_type: str
    logical_date: str | None
    queued_at: str | None
    start_date: str | None
    end_date: str | None
    conf: dict[str, Any]
    triggered_by: str


class RunPage(Page):
    items: list[RunSummary]


class NodeRunState(ApiModel):
    """One node in a run (its mapped task instances folded into one state)."""

    task_id: str
    state: str | None
    try_number: int
    duration: float | None
    start_date: str | None
    end_date: str | None
    map_count: int | None
    log_url: str


class RunDetail(RunSummary):
    nodes: dict[str, NodeRunState] = Field(description="Node id -> its state in this run.")


class NodeOutput(ApiModel):
    node_id: str
    task_id: str
    value: Any = Field(description="The node's return value (a list of every map index's when mapped).")
    map_index: int | None = None
    mapped: bool | None = None


class DurationStats(ApiModel):
    mean: float | None
    median: float | None
    p90: float | None
    max: float | None


class TryStats(ApiModel):
    mean: float | None
    max: int | None
    retried_runs: int


class TokenStats(ApiModel):
    total: int
    mean_per_run: float | None


class NodeMetrics(ApiModel):
    runs: int
    success: int
    failed: int
    duration_seconds: DurationStats
    predicted_duration_seconds: float | None
    tries: TryStats
    tokens: TokenStats
    cost: float
    tool_calls: int


class WorkflowMetrics(ApiModel):
    workflow_id: str
    limit: int
    runs: int
    run_ids: list[str]
    predicted_duration_seconds: float | None
    duration_seconds: DurationStats
    nodes: dict[str, NodeMetrics]
