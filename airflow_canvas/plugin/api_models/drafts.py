"""A user's server-side draft of a workflow (routes/drafts.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel


class Draft(ApiModel):
    workflow_id: str
    branch: str
    base_version: int | None = Field(description="The version the edit started from.")
    updated_at: str | None = Field(description="When the draft was last written (ISO 8601, UTC).")
    spec: dict[str, Any] = Field(description="The spec as last autosaved; it may not be valid.")


class DraftAnswer(ApiModel):
    draft: Draft | None = Field(description="The caller's own draft, or null when there is none.")


class DraftDiscarded(ApiModel):
    discarded: bool = Field(description="Whether there was a draft to delete.")
