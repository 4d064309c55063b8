"""Workflows, checks, versions, branches, diffs and merges."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel, Page
from airflow_canvas.spec.problems import Problem
from airflow_canvas.spec.wire import SpecJson


class WorkflowSummary(ApiModel):
    id: str
    name: str
    description: str
    created_by: str
    created_at: str | None
    updated_at: str | None
    head_version: int | None = Field(description="main's head; null for a workflow with no main version.")


class WorkflowPage(Page):
    items: list[WorkflowSummary]


class VersionInfo(ApiModel):
    """One stored version (``plugin.specs.version_json``)."""

    workflow_id: str
    version: int
    branch: str
    author: str
    message: str
    created_at: str | None
    parent_version: int | None
    merged_version: int | None
    content_hash: str = Field(
        description="The hash of the stored spec's content (store.serialize.content_hash): equal for "
        "versions with the same content. Not the compiler's spec_hash, which the compile and deploy "
        "answers carry and the DAG file's header names."
    )


class VersionWithSpec(VersionInfo):
    spec: SpecJson


class SavedVersion(VersionInfo):
    """A save, rollback or merge: the new version (no spec) and the spec's warnings."""

    warnings: list[Problem] = []


class CreatedWorkflow(VersionWithSpec):
    warnings: list[Problem]


class WorkflowRecord(VersionWithSpec):
    name: str
    head_version: int | None = Field(description="The head of the branch asked for.")
    branches: dict[str, int] = Field(description="Branch name -> its head version.")


class Deleted(ApiModel):
    deleted: str


class ValidateResult(ApiModel):
    valid: bool
    problems: list[Problem]


class CompileResult(ApiModel):
    source: str | None = Field(description="The generated DAG file; null when the spec has errors.")
    dag_id: str | None = None
    spec_hash: str | None = None
    problems: list[Problem]


class VersionPage(Page):
    items: list[VersionInfo]


class FieldChange(ApiModel):
    path: str
    before: Any
    after: Any


class ItemChange(ApiModel):
    id: str
    fields: list[FieldChange]


class CollectionDiff(ApiModel):
    added: list[str]
    removed: list[str]
    changed: list[ItemChange]


class DiffCounts(ApiModel):
    added: int
    removed: int
    changed: int


class SpecDiff(ApiModel):
    """``spec.diff.diff_specs``: what changed from one spec to another, field by field."""

    nodes: CollectionDiff
    edges: CollectionDiff
    groups: CollectionDiff
    tools: CollectionDiff
    workflow: list[FieldChange]
    summary: DiffCounts
    empty: bool


class VersionDiff(ApiModel):
    model_config = ApiModel.model_config | {"populate_by_name": True}

    from_: int = Field(alias="from")
    to: int
    diff: SpecDiff


class BranchInfo(ApiModel):
    name: str
    head_version: int
    base_version: int | None
    created_by: str
    created_at: str | None


class BranchPage(ApiModel):
    items: list[BranchInfo]
    total: int


class CreatedBranch(ApiModel):
    name: str
    head_version: int
    base_version: int | None
