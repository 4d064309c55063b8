"""The plumbing of an LLM turn that does not depend on what the model is asked: reading streamed
chunks defensively (an "OpenAI-compatible" server or a proxy can send anything), how a failed turn
ends, running blocking work, and turning the model's Markdown into reply parts."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from airflow_canvas.copilot.responses import CodePart, Reply, TextPart

Event = dict[str, Any]

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
                event = loop.run_until_complete(anext(events))
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


def short_error(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        msg = body.get("message") or (error.get("message") if isinstance(error, dict) else error)
        if msg:
            return str(msg)[:200]
    return str(exc)[:200]
