"""The LLM co-pilot: any OpenAI-compatible endpoint through the ``openai`` client, with function
calling whose schemas come from the patch models.

One turn = a short loop. The model streams text (forwarded as deltas) and may call
``propose_patch``; each call is checked against the draft workflow (the on-screen workflow plus the
turn's earlier accepted patches). Accepted calls grow the proposal; rejected ones go back to the
model as the tool result, with the problems, at most ``max_repairs`` times. The user only ever sees
a proposal that passed validation. Network failures end the turn with a plain message and no
proposal, so the workflow is untouched.

The turn is asynchronous (``AsyncOpenAI``): waiting for the model holds no thread, and the caller
can put a deadline on the whole turn (``engine.Copilot.aturn``); cancelling it cancels the HTTP
request. Blocking work (building the prompt, checking patches, the final diff) goes through
``run_sync``, which the API server points at the co-pilot's own thread limiter. Whatever the
endpoint sends (garbage lines, chunks of the wrong shape, an error object mid-stream, an endless
reply) ends the turn with an ``error`` event and a ``done`` event, never an exception.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from airflow_canvas.copilot.context import CopilotContext, redact_text
from airflow_canvas.copilot.patch import Patch, PatchOp, check_patch
from airflow_canvas.copilot.responses import (
    CodePart,
    Reply,
    Suggestion,
    SuggestionsPart,
    TextPart,
    Usage,
    describe_diff,
    diagram_of,
    make_proposal,
)
from airflow_canvas.spec.diff import workflow_diff
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem

DEFAULT_CONN_ID = "canvas_llm"
MAX_ROUNDS = 8  # model calls per turn, whatever happens

SYSTEM_PROMPT = """You are the co-pilot of Airflow Canvas, a visual editor of AI workflows that compile to \
Apache Airflow DAGs. A workflow has nodes (types: input, process, output, tool, agent), edges \
(data_flow, dependency, trigger) and groups. You see the workflow as the user sees it now, the \
selected nodes, their recent actions, the validation problems and the latest run's failures.

Rules:
- Never claim to have changed the workflow. To change it, call `propose_patch` with operations; the \
server validates them. If it answers with problems, fix them and call `propose_patch` again.
- Several `propose_patch` calls in one turn build on each other (e.g. first add nodes, then connect \
them); the user reviews all of them as one proposal.
- Keep node ids short snake_case. Tool nodes need `tool` as name@version of an existing tool.
- "These"/"selected" means the selection. Explain errors in plain words, naming the node.
- Answer in concise Markdown. Put code in fenced blocks with a language.
- Use `suggest_actions` to offer buttons (focus a node, run a node with mock input, open a wizard)."""


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


def tool_schemas() -> list[dict[str, Any]]:
    """The functions offered to the model, generated from the pydantic models."""
    suggestion = Suggestion.model_json_schema()
    return [
        {
            "type": "function",
            "function": {
                "name": "propose_patch",
                "description": "Propose changes to the workflow as patch operations. The server validates "
                "them and answers ok or the problems to fix.",
                "parameters": Patch.model_json_schema(),
            },
        },
        {
            "type": "function",
            "function": {
                "name": "suggest_actions",
                "description": "Offer the user buttons: focus_node, run_node (with mock input), open_wizard, send.",
                "parameters": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": suggestion}},
                    "required": ["items"],
                    "$defs": suggestion.pop("$defs", {}),
                },
            },
        },
    ]


_TOOLS_CACHE: list[dict[str, Any]] | None = None


def _tools() -> list[dict[str, Any]]:
    global _TOOLS_CACHE  # schema generation costs ~ms per turn; the models do not change at run time
    if _TOOLS_CACHE is None:
        _TOOLS_CACHE = tool_schemas()
    return _TOOLS_CACHE


def build_messages(message: str, ctx: CopilotContext, history: list[dict[str, str]]) -> list[dict[str, Any]]:
    """System rules, earlier turns (text only), the fresh context, then the user's message."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
    for item in history[-20:]:
        if item.get("role") in ("user", "assistant") and item.get("content"):
            messages.append({"role": item["role"], "content": redact_text(item["content"])})
    messages.append({"role": "system", "content": "Current context (JSON):\n" + ctx.prompt_text()})
    messages.append({"role": "user", "content": redact_text(message)})
    return messages


_FENCE = re.compile(r"```([\w+\-]*)\n(.*?)```", re.DOTALL)


def split_markdown(text: str) -> list[TextPart | CodePart]:
    """Fenced code blocks become code parts (highlighted by the UI); the rest stays Markdown."""
    parts: list[TextPart | CodePart] = []
    pos = 0
    for m in _FENCE.finditer(text):
        if text[pos : m.start()].strip():
            parts.append(TextPart(markdown=text[pos : m.start()].strip()))
        parts.append(CodePart(language=m[1] or "text", code=m[2].rstrip("\n")))
        pos = m.end()
    if text[pos:].strip():
        parts.append(TextPart(markdown=text[pos:].strip()))
    return parts


Event = dict[str, Any]


@dataclass
class _Outcome:
    """What one function call did: the result the model reads, and the draft after it."""

    result: dict[str, Any]
    draft: Workflow
    ops: list[PatchOp] = field(default_factory=list)
    summary: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @classmethod
    def rejected(cls, draft: Workflow, problems: list[dict[str, Any]]) -> _Outcome:
        return cls({"ok": False, "problems": problems}, draft, problems=problems)


RunSync = Callable[[Callable[[], Any]], Awaitable[Any]]
T = TypeVar("T")


async def run_inline(fn: Callable[[], T]) -> T:
    """Blocking work run right here: fine for scripts and tests. The API server passes a runner on
    the co-pilot's own thread limiter instead, so the event loop never blocks on it."""
    return fn()


def iterate_sync(events: AsyncIterator[Event]) -> Iterator[Event]:
    """An async event stream as a plain iterator, on a private event loop (scripts, tests,
    benchmarks; not for code already running inside an event loop)."""
    loop = asyncio.new_event_loop()
    try:
        while True:
            try:
                event = loop.run_until_complete(anext(events))  # type: ignore[arg-type]
            except StopAsyncIteration:
                return
            yield event
    finally:
        loop.run_until_complete(events.aclose())  # type: ignore[attr-defined]
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def failure(reply: Reply, kind: str, message: str) -> list[Event]:
    """How every failed turn ends: an ``error`` event, then ``done`` with no proposal."""
    reply.error = kind
    reply.proposal = None
    reply.parts = [TextPart(markdown=message)]
    return [
        {"type": "error", "error": kind, "message": message},
        {"type": "done", "reply": reply.model_dump(mode="json")},
    ]


def deadline_message(elapsed: float, limit: float) -> str:
    return (
        f"The co-pilot stopped this turn after {elapsed:.1f} s: a turn may take at most {limit:g} s "
        "([airflow_canvas] copilot_turn_timeout) and the language model had not finished. Your "
        "workflow is unchanged; try again, perhaps asking for less at once."
    )


CRASH_MESSAGE = (
    "The co-pilot failed while answering (the API server's log has the details). Your workflow is unchanged."
)


class BadModelReply(Exception):
    """The endpoint answered 200 but what it streamed is not a chat completion stream."""


class ReplyTooLarge(Exception):
    """The model sent more text and function arguments in one turn than the co-pilot keeps."""


@dataclass
class _Piece:
    """What the turn uses of one streamed chunk, checked (the client builds chunks unvalidated)."""

    texts: list[str] = field(default_factory=list)
    calls: list[tuple[int, str, str, str]] = field(default_factory=list)  # index, id, name, arguments
    usage: tuple[int, int] | None = None


def _str_or_none(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{what} is {type(value).__name__}, not a string")
    return value


def _tokens(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"a token count is {value!r}")
    return value


def read_chunk(chunk: Any) -> _Piece:
    """The text deltas, function-call deltas and usage of a chunk, or ``BadModelReply``: servers that
    are only "OpenAI-compatible" (or a proxy in between) can send anything at all."""
    piece = _Piece()
    try:
        if chunk.usage is not None:
            piece.usage = (_tokens(chunk.usage.prompt_tokens), _tokens(chunk.usage.completion_tokens))
        for choice in chunk.choices or []:
            delta = choice.delta
            if delta is None:
                continue
            text = _str_or_none(delta.content, "content")
            if text:
                piece.texts.append(text)
            for tc in delta.tool_calls or []:
                if isinstance(tc.index, bool) or not isinstance(tc.index, int):
                    raise TypeError(f"a tool call's index is {tc.index!r}")
                fn = tc.function
                name = _str_or_none(fn.name, "a function name") if fn is not None else None
                args = _str_or_none(fn.arguments, "function arguments") if fn is not None else None
                piece.calls.append(
                    (tc.index, _str_or_none(tc.id, "a tool call id") or "", name or "", args or "")
                )
    except (AttributeError, TypeError) as exc:
        raise BadModelReply(f"a chunk is not a chat completion chunk ({exc})") from None
    return piece


class LLMEngine:
    name = "llm"

    def __init__(self, settings: LLMSettings, run_sync: RunSync = run_inline):
        self.settings = settings
        self.run_sync = run_sync
        # A client to reuse (benchmarks inject an in-process fake); otherwise one per turn, made in
        # the turn's event loop and closed with it.
        self.client: Any = None

    def new_client(self) -> Any:
        from openai import AsyncOpenAI

        return AsyncOpenAI(
            base_url=self.settings.base_url,
            api_key=self.settings.api_key,
            timeout=self.settings.timeout,  # per read and connect; the whole turn has its own deadline
            max_retries=self.settings.max_retries,
        )

    def start(
        self,
        message: str,
        ctx: CopilotContext,
        history: list[dict[str, str]],
        *,
        max_reply_chars: int | None = None,
        started: float | None = None,
    ) -> LLMTurn:
        return LLMTurn(self, message, ctx, history, max_reply_chars, started)

    def turn(self, message: str, ctx: CopilotContext, history: list[dict[str, str]]) -> Iterator[Event]:
        """The whole turn, synchronously (no deadline: see ``engine.Copilot.aturn``)."""
        return iterate_sync(self.start(message, ctx, history).events())

    def _handle_call(self, call: dict[str, Any], draft: Workflow, suggestions: list[Suggestion]) -> _Outcome:
        try:
            args = json.loads(call["arguments"] or "{}")
        except json.JSONDecodeError as exc:
            problems = [
                {
                    "code": "E_ARGUMENTS_JSON",
                    "message": f"The arguments are not valid JSON: {exc.msg} at position {exc.pos}.",
                    "pointer": "",
                }
            ]
            return _Outcome.rejected(draft, problems)
        if call["name"] == "suggest_actions":
            try:
                items = [Suggestion.model_validate(i) for i in (args.get("items") or [])]
            except ValidationError as exc:
                problems = [{"code": "E_SUGGESTION_INVALID", "message": str(exc), "pointer": "/items"}]
                return _Outcome.rejected(draft, problems)
            suggestions.extend(items)
            return _Outcome({"ok": True}, draft)
        if call["name"] != "propose_patch":
            problems = [
                {
                    "code": "E_UNKNOWN_FUNCTION",
                    "message": f"There is no function {call['name']!r}; "
                    "use propose_patch or suggest_actions.",
                    "pointer": "",
                }
            ]
            return _Outcome.rejected(draft, problems)
        try:
            patch = Patch.model_validate(args)
        except ValidationError as exc:
            problems = [
                {
                    "code": "E_PATCH_INVALID",
                    "message": f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}",
                    "pointer": "/" + "/".join(str(p) for p in e["loc"]),
                }
                for e in exc.errors()
            ]
            return _Outcome.rejected(draft, problems)
        result = check_patch(draft, patch.ops)
        if not result.ok or result.workflow is None:
            problems = [p.to_dict() for p in result.problems]
            return _Outcome.rejected(draft, problems)
        changes = describe_diff(workflow_diff(draft, result.workflow))
        ok = {"ok": True, "changes": changes, "warnings": [w.to_dict() for w in result.warnings][:20]}
        return _Outcome(ok, result.workflow, list(patch.ops), patch.summary, warnings=result.warnings)


class LLMTurn:
    """One turn's state. It lives outside the event stream so that when the caller's deadline cuts
    the stream, ``timed_out`` can still report the usage so far and the real elapsed time."""

    def __init__(
        self,
        engine: LLMEngine,
        message: str,
        ctx: CopilotContext,
        history: list[dict[str, str]],
        max_reply_chars: int | None,
        started: float | None,
    ):
        self.engine = engine
        self.settings = engine.settings
        self.message, self.ctx, self.history = message, ctx, history
        self.reply = Reply(engine="llm")
        self.started = time.monotonic() if started is None else started
        self.max_reply_chars = max_reply_chars
        self.received = 0  # characters of text and function arguments the model sent this turn

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def timed_out(self, limit: float) -> list[Event]:
        return failure(self.reply, "timeout", deadline_message(self.elapsed(), limit))

    def crashed(self) -> list[Event]:
        return failure(self.reply, "internal_error", CRASH_MESSAGE)

    async def events(self) -> AsyncIterator[Event]:
        """Stream the turn: ``text`` deltas, ``status``, then ``usage`` and ``done`` (or ``error``
        and ``done``)."""
        import openai

        # Building a client loads certificates: not on the event loop.
        client = self.engine.client or await self.engine.run_sync(self.engine.new_client)
        try:
            async for event in self._run(client):
                yield event
        except openai.APITimeoutError:
            for event in self._fail("timeout", self._read_timeout_message()):
                yield event
        except openai.APIConnectionError:
            message = (
                f"The language model could not be reached (connection {self.settings.conn_id!r}), "
                f"or it broke off its answer, after {self.elapsed():.1f} s. Your workflow is unchanged."
            )
            for event in self._fail("unreachable", message):
                yield event
        except openai.APIStatusError as exc:
            kind = "server_error" if exc.status_code >= 500 else "rejected"
            message = (
                f"The language model answered with an error (HTTP {exc.status_code}: {_short(exc)}). "
                "Your workflow is unchanged."
            )
            for event in self._fail(kind, message):
                yield event
        except openai.APIError as exc:  # an error object in the middle of a stream
            message = (
                f"The language model reported an error while answering ({_short(exc)}). "
                "Your workflow is unchanged."
            )
            for event in self._fail("model_error", message):
                yield event
        except BadModelReply as exc:
            message = (
                f"The language model's answer could not be read: {exc}. Your workflow is unchanged. "
                f"If this keeps happening, check that connection {self.settings.conn_id!r} points at "
                "an OpenAI-compatible chat completions endpoint."
            )
            for event in self._fail("bad_response", message):
                yield event
        except ReplyTooLarge:
            message = (
                f"The language model's reply passed the co-pilot's limit of {self.max_reply_chars} "
                "characters ([airflow_canvas] copilot_max_reply_chars), so it was stopped. Your "
                "workflow is unchanged; ask for less at once."
            )
            for event in self._fail("reply_too_large", message):
                yield event
        finally:
            if client is not self.engine.client:
                await client.close()

    def _fail(self, kind: str, message: str) -> list[Event]:
        return failure(self.reply, kind, message)

    def _read_timeout_message(self) -> str:
        return (
            f"The language model did not answer within {self.elapsed():.1f} s: it sent nothing for "
            f"{self.settings.timeout:g} s (the connection's timeout). Your workflow is unchanged; try again."
        )

    async def _stream_round(
        self, client: Any, messages: list[dict[str, Any]]
    ) -> AsyncIterator[Event | tuple[str, list[Any]]]:
        """One streamed model call: yields text events, then ("final", [content, tool_calls])."""
        kwargs: dict[str, Any] = {}
        if self.settings.temperature is not None:
            kwargs["temperature"] = self.settings.temperature
        stream = await client.chat.completions.create(
            model=self.settings.model,
            messages=messages,
            tools=_tools(),
            stream=True,
            stream_options={"include_usage": True},
            **kwargs,
        )
        content: list[str] = []
        calls: dict[int, dict[str, Any]] = {}
        async with stream:  # closes the response (and so the request) however the round ends
            chunks = stream.__aiter__()
            while True:
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    break
                except (ValueError, TypeError, AttributeError, KeyError) as exc:
                    # sse.json() on a garbage data line, or a body the client cannot build a chunk of.
                    raise BadModelReply(f"its stream holds a line that is not a JSON chunk ({exc})") from None
                piece = read_chunk(chunk)
                if piece.usage is not None:
                    prompt, completion = piece.usage
                    cost = self.settings.cost(prompt, completion)
                    self.reply.usage.add(Usage(prompt_tokens=prompt, completion_tokens=completion, cost=cost))
                self._count(sum(len(t) for t in piece.texts) + sum(len(c[3]) for c in piece.calls))
                for text in piece.texts:
                    content.append(text)
                    yield {"type": "text", "delta": text}
                for index, call_id, name, arguments in piece.calls:
                    slot = calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
                    slot["id"] = call_id or slot["id"]
                    slot["name"] = name or slot["name"]
                    slot["arguments"] += arguments
        yield ("final", ["".join(content), [calls[i] for i in sorted(calls)]])

    def _count(self, chars: int) -> None:
        self.received += chars
        if self.max_reply_chars is not None and self.received > self.max_reply_chars:
            raise ReplyTooLarge

    async def _run(self, client: Any) -> AsyncIterator[Event]:
        run_sync = self.engine.run_sync
        ctx = self.ctx
        messages = await run_sync(functools.partial(build_messages, self.message, ctx, self.history))
        draft: Workflow = ctx.workflow
        accepted: list[PatchOp] = []
        draft_warnings: list[Problem] = []
        summaries: list[str] = []
        suggestions: list[Suggestion] = []
        text: list[str] = []
        repairs = 0
        last_problems: list[dict[str, Any]] = []
        for _ in range(MAX_ROUNDS):
            final: list[Any] = ["", []]
            async for event in self._stream_round(client, messages):
                if isinstance(event, tuple):
                    final = event[1]
                else:
                    yield event
            content, calls = final
            if content:
                text.append(content)
            if not calls:
                break
            messages.append(
                {
                    "role": "assistant",
                    "content": content or None,
                    "tool_calls": [
                        {
                            "id": c["id"],
                            "type": "function",
                            "function": {"name": c["name"], "arguments": c["arguments"]},
                        }
                        for c in calls
                    ],
                }
            )
            failed_round = False
            for call in calls:
                outcome = await run_sync(
                    functools.partial(self.engine._handle_call, call, draft, suggestions)
                )
                if outcome.problems:
                    failed_round, last_problems = True, outcome.problems
                elif outcome.ops:
                    draft, accepted = outcome.draft, accepted + outcome.ops
                    draft_warnings = outcome.warnings
                    summaries.append(outcome.summary)
                messages.append(
                    {"role": "tool", "tool_call_id": call["id"], "content": json.dumps(outcome.result)}
                )
            if failed_round:
                repairs += 1
                if repairs > self.settings.max_repairs:
                    for event in self._give_up(last_problems):
                        yield event
                    return
                yield {
                    "type": "status",
                    "message": f"Repairing an invalid proposal (attempt {repairs} of "
                    f"{self.settings.max_repairs}).",
                }
        else:
            self.reply.error = "too_many_rounds"
            text.append("\n\nI stopped after too many steps without finishing; nothing was changed.")
            accepted = []
        done = await run_sync(
            functools.partial(
                self._finish_reply, "".join(text), accepted, summaries, draft, draft_warnings, suggestions
            )
        )
        yield {"type": "usage", "usage": self.reply.usage.model_dump(), "seconds": self.elapsed()}
        yield {"type": "done", "reply": done}

    def _finish_reply(
        self,
        text: str,
        accepted: list[PatchOp],
        summaries: list[str],
        draft: Workflow,
        draft_warnings: list[Problem],
        suggestions: list[Suggestion],
    ) -> dict[str, Any]:
        """The final reply, as the JSON the ``done`` event carries."""
        reply = self.reply
        reply.parts.extend(split_markdown(text))
        if accepted:
            # The draft is the accepted ops applied in order to ctx.workflow, each step validated:
            # exactly what applying the whole proposal gives (the apply route checks it again).
            reply.proposal = make_proposal(
                "; ".join(s for s in summaries if s), accepted, self.ctx.workflow, draft, draft_warnings
            )
            added = set(reply.proposal.diff["nodes"]["added"])
            if added:
                reply.parts.append(diagram_of(draft, added))
        if suggestions:
            reply.parts.append(SuggestionsPart(items=suggestions))
        return reply.model_dump(mode="json")

    def _give_up(self, problems: list[dict[str, Any]]) -> list[Event]:
        listed = "\n".join(f"- {p.get('message')}" for p in problems[:10])
        return self._fail(
            "invalid_proposal",
            "I could not produce a valid change: every attempt "
            f"broke the workflow, so I am not proposing anything. The last problems were:\n\n{listed}",
        )


def _short(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        msg = body.get("message") or (error.get("message") if isinstance(error, dict) else error)
        if msg:
            return str(msg)[:200]
    return str(exc)[:200]
