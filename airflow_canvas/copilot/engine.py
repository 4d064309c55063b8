"""One interface over the two engines. The LLM engine serves when its Airflow connection is
configured; otherwise the offline engine does, and ``status()`` says which one and why. A message
starting with '/' always goes to the offline grammar ('/explain errors'), with either engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airflow_canvas.copilot import offline
from airflow_canvas.copilot.context import Context
from airflow_canvas.copilot.llm import LLMEngine, LLMSettings, LLMUnavailable, settings_from_connection
from airflow_canvas.copilot.responses import Reply

Event = dict[str, Any]


def offline_turn(message: str, ctx: Context) -> Iterator[Event]:
    reply = offline.respond(message.lstrip("/"), ctx)
    text = reply.plain_text()
    if text:
        yield {"type": "text", "delta": text}
    yield {"type": "done", "reply": reply.model_dump(mode="json")}


class Copilot:
    """Resolved per request (connections can change while Airflow runs; reading one is cheap)."""

    def __init__(self, settings: LLMSettings | None = None, reason: str = ""):
        self.settings = settings
        self.reason = reason
        self._llm: LLMEngine | None = None

    @classmethod
    def from_airflow(cls, conn_id: str | None = None) -> Copilot:
        try:
            return cls(settings_from_connection(conn_id))
        except LLMUnavailable as exc:
            return cls(None, str(exc))

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

    def turn(
        self, message: str, ctx: Context, history: list[dict[str, str]] | None = None
    ) -> Iterator[Event]:
        if self.settings is None or message.startswith("/"):
            yield from offline_turn(message, ctx)
            return
        if self._llm is None:
            self._llm = LLMEngine(self.settings)
        yield from self._llm.turn(message, ctx, history or [])

    def reply(self, message: str, ctx: Context, history: list[dict[str, str]] | None = None) -> Reply:
        """The non-streaming variant: run the turn and return its final reply."""
        final: dict[str, Any] | None = None
        for event in self.turn(message, ctx, history):
            if event["type"] == "done":
                final = event["reply"]
        assert final is not None
        return Reply.model_validate(final)
