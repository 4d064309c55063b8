"""Who may run a tool's integration test on an Airflow connection (tools/tool_tests.py).

Such a test runs on the API server through the connection's hook, so the user reaches the
database the connection opens. The tools routes already require "edit" on Canvas Tools (running
code); on top of that the user must be allowed by Airflow to read connections: the same question
the design-time checks ask (``airflow_resources.may_read``). The gate answers with a reason to
show, never with anything of the connection itself.
"""

from __future__ import annotations

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser

from airflow_canvas.plugin.airflow_resources import may_read
from airflow_canvas.tools.tool_tests import ConnectionGate


def connection_gate(user: BaseUser | None) -> ConnectionGate:
    allowed = may_read(user, "connection")  # asked once per request, not per case

    def gate(conn_id: str) -> str | None:
        if not allowed:
            return (
                f"you may not read Airflow connections, so this test cannot run on {conn_id!r}; "
                "ask an admin for connection read access, or test against fixtures instead"
            )
        return None

    return gate
