"""Response models of the canvas debugger (routes/debug.py) and of "re-run from this node"."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel
from airflow_canvas.plugin.api_models.tools import RunError, SchemaCheck

DebugState = Literal["ready", "pending", "success", "failed", "skipped", "upstream_failed"]


class DebugNode(ApiModel):
    state: DebugState
    upstream: list[str] = Field(description="Nodes directly upstream (generated branch tasks see through).")
    group_chain: list[str]
    runnable: bool = Field(description="False for Airflow operator nodes: they run only in Airflow.")
    mapped: bool


class DebugSession(ApiModel):
    order: list[str] = Field(description="Node ids in the DAG's order (topological, groups kept whole).")
    nodes: dict[str, DebugNode]
    next: str | None = Field(description="The next node to run; null when nothing is ready.")
    next_input: dict[str, Any] | None = Field(description="The inputs the next node would get.")
    finished: bool


class DebugStepResult(ApiModel):
    node_id: str
    type: Literal["input", "process", "output", "tool", "agent"]
    state: Literal["success", "failed", "skipped", "upstream_failed"]
    ok: bool
    input: Any = Field(description="The inputs the node ran on (a list, one per item, for a mapped node).")
    output: Any
    error: RunError | None
    logs: list[dict[str, Any]]
    stdout: str
    stderr: str
    duration: float
    input_generated: bool
    validation: SchemaCheck
    branches: dict[str, bool] | None = Field(
        description="For a node with conditional edges: each target and whether it will run."
    )
    items: int | None = Field(None, description="For a mapped node: how many items it ran over.")


class ClearedRun(ApiModel):
    dag_id: str
    run_id: str
    node_id: str
    dry_run: bool
    task_ids: list[str] = Field(description="The task instances cleared (the node's and its downstream).")
    run_state: str
