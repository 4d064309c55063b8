"""Refuse request bodies over a size limit with 413, and JSON bodies whose data no route could use
(nested too deep, NaN/Infinity, lone surrogates: see ``bodies``) with 422, before any route parses
them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread

from airflow_canvas.plugin.bodies import check_json_body, is_json_content_type

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodyLimitMiddleware:
    """Pure ASGI: checks Content-Length, and counts streamed (chunked) bodies too, buffering at most
    ``max_bytes`` before replaying the body to the app."""

    def __init__(self, app: Any, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        await _send_json(
            send, 413, {"detail": f"Request body larger than {self.max_bytes} bytes.", "problems": []}
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._reject(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reject(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if is_json_content_type(headers.get(b"content-type", b"").decode("latin-1")):
            # Decoding and walking up to max_bytes of JSON is CPU work: keep it off the event loop.
            refusal = await anyio.to_thread.run_sync(check_json_body, body)
            if refusal is not None:
                await _send_json(send, refusal.status, refusal.to_dict())
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
