"""The tool studio: static checks of a tool being written, and which workflows use a tool."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel
from airflow_canvas.tools.breaking_changes import SchemaChange


class ToolDiagnostic(ApiModel):
    where: str = Field(
        description="'code', 'input_schema', 'output_schema', 'tests.0.assertions.1', a field."
    )
    message: str
    severity: Literal["error", "warning"]
    line: int | None = Field(description="1-based line in the code (code findings only).")
    column: int | None = Field(description="1-based column in the code.")
    end_line: int | None
    end_column: int | None


class PublishPreview(ApiModel):
    """What publishing this body after the latest published version would need."""

    previous: str | None = Field(description="The latest published version; null when none is.")
    required_bump: Literal["major", "minor", "patch"] | None
    suggested_version: str = Field(description="The smallest version the changes allow.")
    changes: list[SchemaChange]


class ToolCheck(ApiModel):
    ok: bool = Field(description="No error (warnings allowed).")
    diagnostics: list[ToolDiagnostic]
    publish: PublishPreview | None = Field(description="Null when the body is not a valid tool.")


class ToolUse(ApiModel):
    version: str | None = Field(description="The version the reference resolves to; null: none.")
    ref: str
    workflow_id: str
    workflow_name: str
    branch: str
    node_id: str
    via: Literal["node", "agent"]


class ToolUsage(ApiModel):
    name: str
    visible: bool = Field(
        description="False when the caller may not read workflows: then no workflow is listed."
    )
    items: list[ToolUse]
    total: int
