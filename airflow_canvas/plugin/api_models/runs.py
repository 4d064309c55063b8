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
    prediction: Prediction | None = Field(
        None, description="The next run's duration and cost from history (None: the workflow has no spec)."
    )


class NodeInputs(ApiModel):
    """What a node received in a run: its upstream outputs through the deployed version's wiring
    (an input node: the run's params)."""

    node_id: str
    task_id: str
    value: Any = Field(description="The inputs (a list of every map index's when mapped); None if truncated.")
    truncated: bool = Field(False, description="Over 64 KiB as JSON: value is None, see bytes and preview.")
    bytes: int | None = None
    preview: str | None = None
    mapped: bool | None = None


class EdgeData(ApiModel):
    source: str
    target: str
    items: int = Field(
        description="Items that flowed: a list's length, 1 for a record, one per mapped instance."
    )
    bytes: int = Field(description="Size of the source's output as JSON.")
    sample: str = Field(description="The start of the data as JSON.")
    truncated: bool


class RunEdges(ApiModel):
    run_id: str
    edges: dict[str, EdgeData] = Field(description="Edge key (id or 'source->target') -> its data.")


class GridCell(ApiModel):
    state: str | None
    duration: float | None
    tries: int
    map_count: int | None
    tokens: int | None = None
    cost: float | None = None


class GridRun(ApiModel):
    run_id: str
    state: str | None
    start_date: str | None
    end_date: str | None
    duration: float | None
    cost: float | None = None


class RunHistory(ApiModel):
    workflow_id: str
    limit: int
    runs: list[GridRun] = Field(description="Newest first.")
    nodes: dict[str, dict[str, GridCell]] = Field(description="Node id -> run id -> the node in that run.")
    with_usage: bool = Field(description="Tokens and cost included (the caller may read this DAG's XComs).")


class NodeCost(ApiModel):
    cost: float
    source: str = Field(
        description="'pricing': median tokens at the node's model's price; 'recorded': median cost."
    )


class Prediction(ApiModel):
    duration_seconds: float | None = Field(description="Median durations summed along the critical path.")
    critical_path: list[str]
    cost_usd: float | None
    node_costs: dict[str, NodeCost]
    node_seconds: dict[str, float]
    nodes_without_history: list[str]
    cost_budget_usd: float | None = None


WorkflowMetrics.model_rebuild()  # Prediction is defined after it
