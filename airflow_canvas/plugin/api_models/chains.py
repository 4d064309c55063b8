"""The chain library and user templates (routes/chains.py, routes/user_templates.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel
from airflow_canvas.service.chain_fragment import Interface
from airflow_canvas.spec.wire import ProblemJson, SpecJson


class Change(ApiModel):
    bump: str = Field(description="major | minor | patch")
    where: str = Field(description="input, output or code")
    path: str
    message: str


class ChainVersion(ApiModel):
    name: str
    version: str
    ref: str = Field(description="name@version, what an inserted group pins.")
    description: str
    changelog: str
    created_by: str
    created_at: str | None
    interface: Interface
    nodes: int = Field(description="How many nodes the chain adds.")


class ChainSummary(ChainVersion):
    latest: str
    versions: list[str] = Field(description="Every published version, oldest first.")


class ChainPage(ApiModel):
    items: list[ChainSummary]
    total: int


class ChainVersionPage(ApiModel):
    items: list[ChainVersion]
    total: int


class ChainFragment(ApiModel):
    root: str = Field(description="The fragment's root group id (the inserted group gets a new one).")
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    tools: list[dict[str, Any]]


class ChainDetail(ChainVersion):
    fragment: ChainFragment


class ChainPublished(ChainVersion):
    changes: list[Change] = Field(description="What changed against the previous version.")


class ChainPreview(ApiModel):
    name: str
    fragment: ChainFragment
    interface: Interface = Field(description="The interface that would be stored.")
    derived_interface: Interface = Field(description="The interface the boundary edges imply.")
    latest: str | None = Field(description="The chain's newest published version, if any.")
    required_bump: str | None = Field(description="The bump the change against `latest` needs.")
    changes: list[Change]
    suggested_version: str


class ChainInserted(ApiModel):
    spec: SpecJson
    group_id: str = Field(description="Id of the new group holding the chain.")
    problems: list[ProblemJson] = Field(description="Validation of the whole resulting workflow.")


class DroppedEdge(ApiModel):
    edge: str
    reason: str


class ChainUpdated(ApiModel):
    spec: SpecJson
    group_id: str
    from_version: str
    to_version: str
    major: bool
    kept_edges: list[str] = Field(description="Edges to the rest of the workflow that were kept.")
    dropped_edges: list[DroppedEdge] = Field(description="Edges the new interface no longer fits.")
    problems: list[ProblemJson]


class ChainStatus(ApiModel):
    group_id: str
    chain: str
    name: str
    pinned: str
    update: str = Field(description="none | compatible | major | unknown (the pin is not in the library)")
    latest: str | None
    latest_compatible: str | None
    message: str


class ChainStatusPage(ApiModel):
    items: list[ChainStatus]


class UserTemplate(ApiModel):
    name: str
    title: str
    description: str
    kind: str
    source: str = Field(description="'user': saved by a user (built-in templates have no source).")
    parameters: dict[str, Any] = Field(description="JSON Schema of the parameters object.")
    tags: list[str]
    entry: list[str]
    exit: list[str]
    nodes: int
    created_by: str
    updated_at: str | None


class UserTemplatePage(ApiModel):
    items: list[UserTemplate]
    total: int


class TemplateDeleted(ApiModel):
    deleted: bool
