"""A scripted OpenAI-compatible HTTP server for tests: no LLM provider is reachable in CI, so tests
queue the exact responses the "model" gives and assert on every request the client sent.

    with ScriptedOpenAIServer() as server:
        server.add_tool_call("lookup", {"city": "Oslo"})
        server.add_json({"answer": 42})
        client = OpenAI(base_url=server.url + "/v1", api_key="test")
        ...
        assert server.requests[0].body["model"] == "gpt-test"

Each scripted reply is consumed by one POST /v1/chat/completions. When the queue is empty (and no
``always`` reply is set) the server answers 500 with a message saying so, so a test that under-scripts fails loudly. Requests
with ``"stream": true`` get the same reply as server-sent events in the chat.completion.chunk
format, ending with ``data: [DONE]``.

Misbehaving endpoints can be scripted too: a stream that drips SSE comments (``: keep-alive``) for a
while before (or instead of) answering, chunks sent slowly, or a raw stream of exactly the SSE blocks
a test writes (garbage lines, malformed chunks). Each request records when its response ended and
whether the client hung up first, so a test can prove the client cancelled a request.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_USAGE = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}


@dataclass
class ToolCall:
    """One function call the assistant makes. ``arguments`` may be a dict (sent as JSON) or a raw
    string, which lets tests send malformed JSON on purpose."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str = field(default_factory=lambda: f"call_{uuid.uuid4().hex[:12]}")

    def arguments_text(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass
class ScriptedReply:
    """What the server answers to one request: an assistant message, or an HTTP error."""

    content: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    status: int = 200
    error_body: dict[str, Any] | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering (to trigger client timeouts)
    usage: dict[str, int] | None = field(default_factory=lambda: dict(DEFAULT_USAGE))
    finish_reason: str | None = None
    model: str | None = None  # defaults to the model the request named
    # Streaming misbehaviour: ": keep-alive" comments every ``keepalive_every`` s for
    # ``keepalive_for`` s after the headers and before the first chunk (a slow model behind a proxy
    # that keeps the connection open); ``chunk_delay`` s between chunks; ``raw_sse`` replaces the
    # generated stream with exactly these SSE blocks (each sent as given, then flushed).
    keepalive_every: float = 0.0
    keepalive_for: float = 0.0
    chunk_delay: float = 0.0
    raw_sse: list[str] | None = None


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON when the body was JSON, else the raw text
    received_at: float = field(default_factory=time.monotonic)
    ended_at: float | None = None  # when the server stopped answering (done, or the client hung up)
    client_hung_up: bool = False  # a write failed: the client closed the connection first

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []

    def tool_results(self) -> dict[str, Any]:
        """What the client fed back for each function call, by tool_call_id (JSON parsed when it is)."""
        out: dict[str, Any] = {}
        for message in self.messages:
            if message.get("role") == "tool":
                content = message.get("content")
                try:
                    out[message.get("tool_call_id", "")] = json.loads(content)
                except (TypeError, ValueError):
                    out[message.get("tool_call_id", "")] = content
        return out


Responder = Callable[[RecordedRequest], ScriptedReply]


class ScriptedOpenAIServer:
    """OpenAI-compatible chat completions server on 127.0.0.1 and a free port, scripted per test."""

    def __init__(self, models: list[str] | None = None, chunk_size: int = 8):
        self.models = models or ["gpt-test", "gpt-test-mini"]
        self.chunk_size = chunk_size  # characters per streamed content/arguments delta
        self.requests: list[RecordedRequest] = []
        self._queue: deque[ScriptedReply | Responder] = deque()
        self.fallback: ScriptedReply | Responder | None = None  # answers when the queue is empty
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------------
    def add(self, reply: ScriptedReply | Responder) -> ScriptedOpenAIServer:
        """Queue a reply, or a function computing one from the request it answers."""
        with self._lock:
            self._queue.append(reply)
        return self

    def add_text(self, text: str, **kwargs: Any) -> ScriptedOpenAIServer:
        return self.add(ScriptedReply(content=text, **kwargs))

    def add_json(self, value: Any, **kwargs: Any) -> ScriptedOpenAIServer:
        """A final structured answer: the assistant's content is ``value`` serialised as JSON."""
        return self.add(ScriptedReply(content=json.dumps(value), **kwargs))

    def add_tool_call(
        self, name: str, arguments: dict[str, Any] | str | None = None, **kwargs: Any
    ) -> ScriptedOpenAIServer:
        return self.add_tool_calls([ToolCall(name, {} if arguments is None else arguments)], **kwargs)

    def add_tool_calls(self, calls: list[ToolCall], **kwargs: Any) -> ScriptedOpenAIServer:
        return self.add(ScriptedReply(tool_calls=list(calls), **kwargs))

    def add_keepalive_drip(
        self, seconds: float, every: float = 0.5, then: str | None = "too late"
    ) -> ScriptedOpenAIServer:
        """A stream that sends only ``: keep-alive`` comments for ``seconds`` (bytes keep arriving,
        so a per-read timeout never fires), then the text ``then`` (if the client is still there)."""
        return self.add(ScriptedReply(content=then, keepalive_every=every, keepalive_for=seconds))

    def add_raw_stream(self, *blocks: str, **kwargs: Any) -> ScriptedOpenAIServer:
        """A 200 text/event-stream whose body is exactly ``blocks`` (e.g. ``"data: {not json\\n\\n"``)."""
        return self.add(ScriptedReply(raw_sse=list(blocks), **kwargs))

    def chunk_json(self, delta: dict[str, Any], model: str = "gpt-test") -> str:
        """One well-formed chat.completion.chunk as an SSE block, to mix with broken ones."""
        body = {
            "id": "chatcmpl-raw",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}],
        }
        return f"data: {json.dumps(body)}\n\n"

    def add_error(
        self,
        status: int,
        message: str = "scripted error",
        *,
        retry_after: float | None = None,
        **kwargs: Any,
    ) -> ScriptedOpenAIServer:
        headers = dict(kwargs.pop("headers", {}))
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        body = {"error": {"message": message, "type": "scripted_error", "code": str(status)}}
        return self.add(ScriptedReply(status=status, error_body=body, headers=headers, **kwargs))

    def always(self, reply: ScriptedReply | Responder) -> ScriptedOpenAIServer:
        """Answer every request the queue does not script with ``reply`` (load tests)."""
        self.fallback = reply
        return self

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("ScriptedOpenAIServer is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ScriptedOpenAIServer:
        handler = _make_handler(self)
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="scripted-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ScriptedOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------------------
    def _next_reply(self, request: RecordedRequest) -> ScriptedReply:
        with self._lock:
            item = self._queue.popleft() if self._queue else self.fallback
        if item is None:
            return ScriptedReply(
                status=500,
                error_body={"error": {"message": "ScriptedOpenAIServer: no scripted response left"}},
            )
        return item(request) if callable(item) else item


class _Server(ThreadingHTTPServer):
    # Tests open dozens of concurrent streams; the default backlog of 5 would make connects wait.
    request_queue_size = 128


def _completion(reply: ScriptedReply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments_text()}}
            for c in reply.tool_calls
        ]
    body: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:16]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model or model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": _finish(reply)}],
    }
    if reply.usage is not None:
        body["usage"] = reply.usage
    return body


def _finish(reply: ScriptedReply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _chunks(reply: ScriptedReply, model: str, size: int, include_usage: bool) -> list[dict[str, Any]]:
    """The reply as chat.completion.chunk objects, split the way real servers split them."""
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:16]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": reply.model or model,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

    out = [chunk({"role": "assistant", "content": ""})]
    if reply.content:
        out += [chunk({"content": piece}) for piece in _pieces(reply.content, size)]
    for index, call in enumerate(reply.tool_calls):
        head = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        out.append(chunk({"tool_calls": [head]}))
        for piece in _pieces(call.arguments_text(), size):
            out.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
    out.append(chunk({}, _finish(reply)))
    if include_usage and reply.usage is not None:
        out.append({**base, "choices": [], "usage": reply.usage})
    return out


def _make_handler(server: ScriptedOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _record(self) -> RecordedRequest:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            try:
                body: Any = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = raw
            # Header names are case-insensitive on the wire; store them lower-cased.
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = RecordedRequest(self.command, self.path, headers, body)
            server.requests.append(request)
            return request

        def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = (payload if isinstance(payload, str) else json.dumps(payload)).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._record()
            if self.path.rstrip("/").endswith("/models"):
                data = [
                    {"id": m, "object": "model", "created": 0, "owned_by": "tests"} for m in server.models
                ]
                self._send_json(200, {"object": "list", "data": data})
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            request = self._record()
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, {"error": {"message": f"no route {self.path}"}})
                return
            body = request.body if isinstance(request.body, dict) else {}
            reply = server._next_reply(request)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                self._send_json(
                    reply.status, reply.error_body or {"error": {"message": "error"}}, reply.headers
                )
                return
            model = str(body.get("model") or server.models[0])
            try:
                if body.get("stream") or reply.raw_sse is not None:
                    self._stream(request, reply, model)
                else:
                    self._send_json(200, _completion(reply, model), reply.headers)
            except (BrokenPipeError, ConnectionResetError):
                request.client_hung_up = True
                self.close_connection = True
            finally:
                request.ended_at = time.monotonic()

        def _send(self, text: str) -> None:
            self.wfile.write(text.encode())
            self.wfile.flush()

        def _stream(self, request: RecordedRequest, reply: ScriptedReply, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.flush()
            self.close_connection = True
            if reply.keepalive_every > 0:
                until = time.monotonic() + reply.keepalive_for
                while time.monotonic() < until:
                    self._send(": keep-alive\n\n")
                    time.sleep(min(reply.keepalive_every, max(0.0, until - time.monotonic())))
            if reply.raw_sse is not None:
                for block in reply.raw_sse:
                    self._send(block)
                    time.sleep(reply.chunk_delay)
                return
            body = request.body if isinstance(request.body, dict) else {}
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            for item in _chunks(reply, model, server.chunk_size, include_usage):
                self._send(f"data: {json.dumps(item)}\n\n")
                time.sleep(reply.chunk_delay)
            self._send("data: [DONE]\n\n")

    return Handler
