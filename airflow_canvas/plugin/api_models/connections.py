"""The connection picker's answer: which Airflow connections exist, never what they hold."""

from __future__ import annotations

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel


class ConnectionChoice(ApiModel):
    connection_id: str
    conn_type: str = Field(description="Airflow's connection type ('http', 'postgres', ...); '' when unset.")
    description: str


class ConnectionChoices(ApiModel):
    connections: list[ConnectionChoice]
    conn_types: list[str] = Field(description="The types asked for (empty: every type).")
    readable: bool = Field(
        description="False when Airflow does not let the caller read connections: nothing is listed, "
        "and a typed id is not checked at design time."
    )
    complete: bool = Field(
        description="False under a secrets backend: its connections cannot be listed, so an id typed "
        "by hand may still exist."
    )
