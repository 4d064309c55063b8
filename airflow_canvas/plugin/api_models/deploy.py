"""Environments, deployments and the code review before a deploy."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel, Page


class GitTargetInfo(ApiModel):
    url: str = Field(description="The remote, credentials redacted.")
    branch: str
    path: str
    conn_id: str | None


class BindingsInfo(ApiModel):
    connections: dict[str, str]
    variables: dict[str, str]
    params: dict[str, Any]
    pools: dict[str, str]
    dag_id_suffix: str = Field(description="Appended to the dag_id in this environment.")


class EnvironmentInfo(ApiModel):
    name: str
    kind: Literal["folder", "git"]
    folder: str | None
    git: GitTargetInfo | None
    bindings: BindingsInfo
    requires: str | None = Field(description="The environment a version must be deployed to first.")
    protected: bool


class EnvironmentList(ApiModel):
    items: list[EnvironmentInfo]


class Deployment(ApiModel):
    id: int
    workflow_id: str
    version: int
    environment: str
    state: str = Field(description="deployed, undeployed or failed.")
    dag_id: str
    path: str
    spec_hash: str
    error: str
    deployed_by: str
    deployed_at: str | None


class DeploymentPage(Page):
    items: list[Deployment]
    current: dict[str, Deployment] = Field(description="Environment -> what is deployed there now.")


class CodeChange(ApiModel):
    """One piece of executable code a deploy adds, alters or removes (``spec.code_surface``)."""

    kind: str
    label: str
    pointer: str
    node_id: str | None
    tool: str | None
    change: Literal["added", "altered", "removed"]
    before: Any
    after: Any
    before_text: str
    after_text: str


class DeployPreview(ApiModel):
    workflow_id: str
    environment: str
    version: int
    deployed_version: int | None
    code_changes: list[CodeChange]
    confirm_code: str | None = Field(description="Send it with the deploy to approve exactly this code.")
    requires_confirmation: bool
    bindings: dict[str, Any] | None
    target: dict[str, Any] | None = Field(description="The environment: folder or Git branch (URL redacted).")
    promotion: dict[str, Any] | None = Field(description="requires / allowed / reason.")
    may_deploy: bool = Field(description="Whether the caller may deploy to this environment.")
