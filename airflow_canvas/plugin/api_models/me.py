"""Who the caller is."""

from __future__ import annotations

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel


class Me(ApiModel):
    username: str
    roles: list[str]
    permissions: dict[str, list[str]] = Field(
        description='Canvas resource ("workflows", "deployments", ...) -> the actions the caller may take.'
    )
