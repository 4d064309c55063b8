"""One interface over the two engines. The LLM engine serves when its Airflow connection is
configured; otherwise the offline engine does, and ``status()`` says which one and why. A message
starting with '/' always goes to the offline grammar ('/explain errors'), with either engine.

``aturn`` is what the API server uses: an async event stream with a hard deadline on the whole turn
(every model call, repair round and function call in it). When the deadline passes, the turn's
pending work is cancelled (for the LLM engine, the HTTP request to the model) and the stream ends
with ``error`` and ``done`` stating the real elapsed time. Any other failure also ends it with
``error`` and ``done``: the client always learns how the turn ended."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

from airflow_canvas.copilot import offline
from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.llm import (
    CRASH_MESSAGE,
    LLMEngine,
    LLMSettings,
    LLMUnavailable,
    RunSync,
    deadline_message,
    failure,
    iterate_sync,
    run_inline,
    settings_from_connection,
)
from airflow_canvas.copilot.responses import Reply

log = logging.getLogger(__name__)
Event = dict[str, Any]


class Turn(Protocol):
    def events(self) -> AsyncIterator[Event]: ...
    def timed_out(self, limit: float) -> list[Event]: ...
    def crashed(self) -> list[Event]: ...


class OfflineTurn:
    def __init__(
        self,
        message: str,
        ctx: CopilotContext,
        run_sync: RunSync,
        started: float,
        history: list[dict[str, str]] | None = None,
    ):
        self.message, self.ctx, self.run_sync, self.started = message, ctx, run_sync, started
        self.history = history or []  # "it" = the node the conversation last named

    async def events(self) -> AsyncIterator[Event]:
        reply = await self.run_sync(lambda: offline.respond(self.message.lstrip("/"), self.ctx, self.history))
        text = reply.plain_text()
        if text:
            yield {"type": "text", "delta": text}
        yield {"type": "done", "reply": reply.model_dump(mode="json")}

    def timed_out(self, limit: float) -> list[Event]:
        return failure(
            Reply(engine="offline"), "timeout", deadline_message(time.monotonic() - self.started, limit)
        )

    def crashed(self) -> list[Event]:
        return failure(Reply(engine="offline"), "internal_error", CRASH_MESSAGE)


class _DeadlinePassed(Exception):
    pass


async def _next_before(events: AsyncIterator[Event], deadline: float | None) -> Event:
    """The next event, or ``_DeadlinePassed`` once the monotonic ``deadline`` passes; then the turn
    is cancelled where it waits (for the LLM engine, its HTTP request). ``wait_for`` rather than
    ``asyncio.timeout``: the package supports Python 3.10."""
    if deadline is None:
        return await anext(events)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _DeadlinePassed
    try:
        return await asyncio.wait_for(anext(events), remaining)
    except asyncio.TimeoutError:  # builtin TimeoutError on 3.11+, its own class on 3.10
        if time.monotonic() >= deadline - 0.05:  # not a TimeoutError the turn itself raised early
            raise _DeadlinePassed from None
        raise


class Copilot:
    """Resolved per request (connections can change while Airflow runs; reading one is cheap)."""

    def __init__(self, settings: LLMSettings | None = None, reason: str = "", run_sync: RunSync = run_inline):
        self.settings = settings
        self.reason = reason
        self.run_sync = run_sync

    @classmethod
    def from_airflow(cls, conn_id: str | None = None, run_sync: RunSync = run_inline) -> Copilot:
        try:
            settings = settings_from_connection(conn_id)
            import openai  # noqa: F401  (the first import takes a while: here, off the event loop)

            return cls(settings, run_sync=run_sync)
        except LLMUnavailable as exc:
            return cls(None, str(exc), run_sync=run_sync)

    @property
    def engine(self) -> str:
        return "llm" if self.settings else "offline"

    def status(self) -> dict[str, Any]:
        if self.settings:
            return {"engine": "llm", "model": self.settings.model, "conn_id": self.settings.conn_id}
        return {
            "engine": "offline",
            "reason": self.reason or "No LLM connection configured.",
            "help": offline.help_markdown(),
        }

    def _start(
        self,
        message: str,
        ctx: CopilotContext,
        history: list[dict[str, str]],
        started: float,
        max_reply_chars: int | None,
    ) -> Turn:
        if self.settings is None or message.startswith("/"):
            return OfflineTurn(message, ctx, self.run_sync, started, history)
        engine = LLMEngine(self.settings, self.run_sync)
        return engine.start(message, ctx, history, max_reply_chars=max_reply_chars, started=started)

    async def aturn(
        self,
        message: str,
        ctx: CopilotContext,
        history: list[dict[str, str]] | None = None,
        *,
        timeout: float | None = None,
        started: float | None = None,
        max_reply_chars: int | None = None,
    ) -> AsyncIterator[Event]:
        """The turn's events, ending with ``done`` by ``started + timeout`` (monotonic seconds;
        ``started`` defaults to now) at the latest."""
        started = time.monotonic() if started is None else started
        turn = self._start(message, ctx, history or [], started, max_reply_chars)
        events = turn.events()
        deadline = started + timeout if timeout else None
        try:
            while True:
                try:
                    event = await _next_before(events, deadline)
                except StopAsyncIteration:
                    return
                except _DeadlinePassed:
                    for event in turn.timed_out(timeout or 0):
                        yield event
                    return
                except Exception:
                    log.exception("co-pilot: the turn failed")
                    for event in turn.crashed():
                        yield event
                    return
                yield event
        finally:
            await events.aclose()  # type: ignore[attr-defined]

    def turn(
        self, message: str, ctx: CopilotContext, history: list[dict[str, str]] | None = None, **kw: Any
    ) -> Iterator[Event]:
        """``aturn`` as a plain iterator on a private event loop (scripts and tests)."""
        return iterate_sync(self.aturn(message, ctx, history, **kw))

    async def areply(
        self, message: str, ctx: CopilotContext, history: list[dict[str, str]] | None = None, **kw: Any
    ) -> Reply:
        """The non-streaming variant: run the turn and return its final reply."""
        final: dict[str, Any] | None = None
        async for event in self.aturn(message, ctx, history, **kw):
            if event["type"] == "done":
                final = event["reply"]
        assert final is not None  # aturn always ends with "done"
        return Reply.model_validate(final)

    def reply(
        self, message: str, ctx: CopilotContext, history: list[dict[str, str]] | None = None, **kw: Any
    ) -> Reply:
        final: dict[str, Any] | None = None
        for event in self.turn(message, ctx, history, **kw):
            if event["type"] == "done":
                final = event["reply"]
        assert final is not None
        return Reply.model_validate(final)
