"""The agent node's pieces that need no Airflow: its model endpoint from a connection and its
prompts, shared by the AgentOperator (operators/agent.py) and the single-node test
(tools/node_test.py). The loop itself is tools/agent_loop.py. Not part of ejected files: agent
nodes can't be ejected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def endpoint_from_connection(conn: Any) -> dict[str, Any]:
    """An agent's model endpoint from an Airflow connection: ``extra.base_url`` (or the host, when
    it is a URL), the password (or ``extra.api_key``), ``extra.model`` and ``extra.prices``."""
    extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
    base_url = extra.get("base_url") or extra.get("openai_client_kwargs", {}).get("base_url")
    host = conn.host or ""
    if not base_url and host:
        base_url = (
            host
            if "://" in host
            else f"{conn.schema or 'https'}://{host}" + (f":{conn.port}" if conn.port else "")
        )
    return {
        "base_url": base_url or None,  # None: the openai client's default endpoint
        "api_key": conn.password or extra.get("api_key") or "",
        "model": extra.get("model"),
        "prices": extra.get("prices"),
    }


def render_prompt(
    template: str, inputs: Mapping[str, Any], params: Any, parameters: Mapping[str, Any]
) -> str:
    """Agent prompts are Jinja over ``inputs``, ``params`` and ``parameters``, rendered sandboxed
    (not through Airflow's templating): they are canvas text and must not reach Python internals."""
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=False)
    return env.from_string(template).render(inputs=inputs, params=dict(params or {}), parameters=parameters)
