"""Where a workflow stands in each environment: the Deploy tab's overview (issue 16)."""

from __future__ import annotations

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel


class LastRun(ApiModel):
    run_id: str
    state: str = Field(description="Airflow's DagRun state: queued, running, success, failed.")
    queued_at: str | None


class Promotion(ApiModel):
    requires: str | None = Field(description="The environment a version must be proven in first.")
    candidate_version: int | None = Field(
        description="What a deploy here would bring: the version deployed to `requires` now, else main's head."
    )
    allowed: bool = Field(description="Whether the promotion rule lets the candidate in now.")
    reason: str | None = Field(description="Why not, when not.")


class EnvironmentStatus(ApiModel):
    name: str
    kind: str = Field(description="folder or git.")
    protected: bool
    may_deploy: bool = Field(description="Whether the caller holds this environment's deploy permission.")
    deployed_version: int | None
    dag_id: str | None = Field(
        description="The DAG id deployed there (the workflow id plus any dag_id_suffix)."
    )
    deployed_at: str | None
    deployed_by: str | None
    last_run: LastRun | None = Field(description="The latest run of that DAG in this Airflow.")
    promotion: Promotion


class WorkflowEnvironments(ApiModel):
    workflow_id: str
    head_version: int
    items: list[EnvironmentStatus]
