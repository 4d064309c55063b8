"""http_request: call an HTTP endpoint through an Airflow HTTP connection (HttpHook).

The connection holds the base URL, credentials and default headers, so specs carry only a
connection id, never a secret.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "conn_id": {
            "type": "string",
            "default": "http_default",
            "description": "Airflow HTTP connection id.",
            "x-airflow-connection": ["http"],
        },
        "endpoint": {
            "type": "string",
            "default": "",
            "description": "Path appended to the connection's URL.",
        },
        "method": {
            "type": "string",
            "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
            "default": "GET",
        },
        "params": {"type": "object", "description": "Query string parameters."},
        "json": {"description": "JSON body."},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "default": 30},
        "raise_for_status": {"type": "boolean", "default": True},
    },
    "additionalProperties": False,
}
OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "status_code": {"type": "integer"},
        "ok": {"type": "boolean"},
        "headers": {"type": "object"},
        "text": {"type": "string"},
        "json": {"description": "The parsed body when it is JSON, else null."},
    },
    "required": ["status_code", "ok", "headers", "text", "json"],
}


def run(
    conn_id: str = "http_default",
    endpoint: str = "",
    method: str = "GET",
    params: dict[str, Any] | None = None,
    json: Any = None,  # noqa: A002 - the field name users see
    headers: dict[str, str] | None = None,
    timeout_seconds: float = 30,
    raise_for_status: bool = True,
) -> dict[str, Any]:
    from airflow.providers.http.hooks.http import HttpHook

    hook = HttpHook(method=method.upper(), http_conn_id=conn_id)
    if params:
        # HttpHook turns ``data`` into the query only for GET; putting it on the endpoint works for all.
        endpoint = f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params, doseq=True)}"
    kwargs: dict[str, Any] = {}
    if json is not None:
        kwargs["json"] = json
    response = hook.run(
        endpoint=endpoint,
        headers=headers or {},
        extra_options={"check_response": raise_for_status, "timeout": timeout_seconds},
        **kwargs,
    )
    return {
        "status_code": response.status_code,
        "ok": response.ok,
        "headers": dict(response.headers),
        "text": response.text,
        "json": _maybe_json(response.text, response.headers.get("Content-Type", "")),
    }


def _maybe_json(text: str, content_type: str) -> Any:
    if "json" not in content_type and not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
