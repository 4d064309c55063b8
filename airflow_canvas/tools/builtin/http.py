"""http_request: call an HTTP endpoint through an Airflow HTTP connection (HttpHook), or fetch a
full public URL.

The connection holds the base URL, credentials and default headers, so specs carry only a
connection id, never a secret. With ``url`` no connection is read and no credentials are sent; the
host must resolve to public addresses only (no loopback, private, link-local or metadata
addresses: a spec must not turn a worker or a node test on the API server into a probe of the
internal network) unless ``[airflow_canvas] http_request_private_hosts = true`` on the worker. The
check resolves the host before the request; DNS that changes between the two is not covered.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

MAX_REDIRECTS = 5

INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "url": {
            "type": "string",
            "pattern": "^https?://[^/?#@\\s]+([/?#].*)?$",
            "maxLength": 4096,
            "description": "A full http(s) URL to fetch instead of a connection's base URL + endpoint. "
            "No credentials are sent; public hosts only.",
        },
        "conn_id": {
            "type": "string",
            "default": "http_default",
            "description": "Airflow HTTP connection id (not used with `url`).",
            "x-airflow-connection": ["http"],
            "x-airflow-connection-unless": "url",
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
    url: str = "",
    conn_id: str = "http_default",
    endpoint: str = "",
    method: str = "GET",
    params: dict[str, Any] | None = None,
    json: Any = None,  # noqa: A002 - the field name users see
    headers: dict[str, str] | None = None,
    timeout_seconds: float = 30,
    raise_for_status: bool = True,
) -> dict[str, Any]:
    if url:
        return _fetch(url, method, params, json, headers, timeout_seconds, raise_for_status)
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
    return _result(response)


def _result(response: Any) -> dict[str, Any]:
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


def _private_hosts_allowed() -> bool:
    try:
        from airflow.configuration import conf

        return conf.getboolean("airflow_canvas", "http_request_private_hosts", fallback=False)
    except Exception:  # no Airflow configuration (the sandbox): the safe answer
        return False


def _require_public(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise ValueError(f"url must be http(s)://host/... without credentials, got {url[:200]!r}")
    if _private_hosts_allowed():
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for *_, sockaddr in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP):
        address = ipaddress.ip_address(sockaddr[0])
        if not address.is_global:
            raise PermissionError(
                f"{parts.hostname} resolves to {address}, which is not a public address; call internal "
                "services through an Airflow HTTP connection (conn_id + endpoint), or set "
                "[airflow_canvas] http_request_private_hosts = true on the workers."
            )


def _fetch(
    url: str,
    method: str,
    params: dict[str, Any] | None,
    body: Any,
    headers: dict[str, str] | None,
    timeout_seconds: float,
    raise_for_status: bool,
) -> dict[str, Any]:
    import requests

    for _hop in range(MAX_REDIRECTS + 1):
        _require_public(url)  # every hop: a redirect must not lead to a private address either
        response = requests.request(
            method.upper(),
            url,
            params=params or None,
            json=body,
            headers=headers or {},
            timeout=timeout_seconds,
            allow_redirects=False,
        )
        location = response.headers.get("Location")
        if not response.is_redirect or not location:
            break
        url, params = urljoin(url, location), None  # the Location carries its own query
        if response.status_code in (301, 302, 303):
            method, body = ("GET", None) if method.upper() != "HEAD" else (method, None)
    else:
        raise ValueError(f"More than {MAX_REDIRECTS} redirects from the url.")
    if raise_for_status:
        response.raise_for_status()
    return _result(response)
