"""Where the LLM co-pilot's endpoint comes from: an Airflow connection (base URL, key, model and
optional limits and prices in its extras). The key is read here and handed to the client only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_CONN_ID = "canvas_llm"


class LLMUnavailable(RuntimeError):
    """No usable connection: the engine falls back to offline and says why."""


@dataclass
class LLMSettings:
    base_url: str | None
    api_key: str
    model: str
    timeout: float = 60.0
    max_retries: int = 1
    max_repairs: int = 3
    temperature: float | None = None
    prompt_cost_per_1k: float = 0.0
    completion_cost_per_1k: float = 0.0
    conn_id: str = DEFAULT_CONN_ID

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.prompt_cost_per_1k + completion_tokens * self.completion_cost_per_1k
        ) / 1000


def configured_conn_id() -> str:
    from airflow.configuration import conf

    return conf.get("airflow_canvas", "copilot_conn_id", fallback=DEFAULT_CONN_ID) or DEFAULT_CONN_ID


def settings_from_connection(conn_id: str | None = None) -> LLMSettings:
    """Read the Airflow connection: base URL in ``extra.base_url`` or ``host`` (with scheme), key in
    ``password``, model in ``extra.model``; optional extras: timeout, max_retries, max_repairs,
    temperature, prompt_cost_per_1k, completion_cost_per_1k."""
    conn_id = conn_id or configured_conn_id()
    try:
        from airflow.models.connection import Connection

        conn = Connection.get_connection_from_secrets(conn_id)
    except Exception as exc:  # AirflowNotFoundException, or no metadata DB reachable
        raise LLMUnavailable(f"No Airflow connection {conn_id!r} ({type(exc).__name__}).") from None
    extra = conn.extra_dejson or {}
    base_url = extra.get("base_url") or _url_from_host(conn)
    model = extra.get("model")
    if not model:
        raise LLMUnavailable(f'Connection {conn_id!r} names no model: set extra {{"model": "..."}}.')
    return LLMSettings(
        base_url=base_url,
        api_key=conn.password or extra.get("api_key") or "none",  # local servers (Ollama, vLLM) need none
        model=str(model),
        timeout=float(extra.get("timeout", 60)),
        max_retries=int(extra.get("max_retries", 1)),
        max_repairs=int(extra.get("max_repairs", 3)),
        temperature=float(extra["temperature"]) if extra.get("temperature") is not None else None,
        prompt_cost_per_1k=float(extra.get("prompt_cost_per_1k", 0)),
        completion_cost_per_1k=float(extra.get("completion_cost_per_1k", 0)),
        conn_id=conn_id,
    )


def _url_from_host(conn: Any) -> str | None:
    host = (conn.host or "").strip()
    if not host:
        return None  # the openai client's default (api.openai.com)
    if "://" in host:
        return host.rstrip("/")
    scheme = (conn.extra_dejson or {}).get("scheme", "https")
    port = f":{conn.port}" if conn.port else ""
    path = f"/{conn.schema.strip('/')}" if conn.schema else ""
    return f"{scheme}://{host}{port}{path}"
