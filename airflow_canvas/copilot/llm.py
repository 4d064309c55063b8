"""The LLM co-pilot's turn: any OpenAI-compatible endpoint through the ``openai`` client, with
function calling.

One turn = a short loop. The model streams text (forwarded as deltas) and may call functions:
``propose_patch``, whose calls are checked against the draft workflow (the on-screen workflow plus
the turn's earlier accepted patches), ``suggest_actions``, and lookups answered locally (operators,
tools, notifiers, spec schemas: ``llm_lookups``). Accepted patches grow the proposal; rejected ones
go back to the model as the function's result, with the problems, at most ``max_repairs`` times.
The user only ever sees a proposal that passed validation. Network failures end the turn with a
plain message and no proposal, so the workflow is untouched.

The turn is asynchronous (``AsyncOpenAI``): waiting for the model holds no thread, and the caller
can put a deadline on the whole turn (``engine.Copilot.aturn``); cancelling it cancels the HTTP
request. Blocking work (reading the world, building the prompt, checking patches, the final diff)
goes through ``run_sync``, which the API server points at the co-pilot's own thread limiter.
Whatever the endpoint sends ends the turn with an ``error`` event and a ``done`` event, never an
exception.

The parts live in their own modules: settings (``llm_settings``), stream plumbing
(``llm_stream``), prompt (``llm_prompt``, ``llm_examples``), context of what may be used
(``llm_world``), functions (``llm_functions``, ``llm_lookups``). Names other modules import from
here are re-exported.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.llm_functions import function_schemas, handle_call
from airflow_canvas.copilot.llm_lookups import Scope
from airflow_canvas.copilot.llm_prompt import build_messages, system_prompt
from airflow_canvas.copilot.llm_settings import (
    DEFAULT_CONN_ID,
    LLMSettings,
    LLMUnavailable,
    configured_conn_id,
    settings_from_connection,
)
from airflow_canvas.copilot.llm_stream import (
    CRASH_MESSAGE,
    BadModelReply,
    Event,
    ReplyTooLarge,
    RunSync,
    deadline_message,
    failure,
    iterate_sync,
    read_chunk,
    run_inline,
    short_error,
    split_markdown,
)
from airflow_canvas.copilot.llm_world import Sources, load_world
from airflow_canvas.copilot.patch import PatchOp
from airflow_canvas.copilot.responses import (
    Reply,
    Suggestion,
    SuggestionsPart,
    Usage,
    diagram_of,
    make_proposal,
)
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem

__all__ = [
    "CRASH_MESSAGE",
    "DEFAULT_CONN_ID",
    "LLMEngine",
    "LLMSettings",
    "LLMTurn",
    "LLMUnavailable",
    "RunSync",
    "configured_conn_id",
    "deadline_message",
    "failure",
    "iterate_sync",
    "run_inline",
    "settings_from_connection",
    "split_markdown",
    "system_prompt",
]

MAX_ROUNDS = 12  # model calls per turn, whatever happens (lookups take rounds too)


class LLMEngine:
    name = "llm"

    def __init__(self, settings: LLMSettings, run_sync: RunSync = run_inline, sources: Sources | None = None):
        self.settings = settings
        self.run_sync = run_sync
        self.sources = sources  # where the world is read from (None: Airflow's DB and the store)
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
                f"The language model answered with an error (HTTP {exc.status_code}: {short_error(exc)}). "
                "Your workflow is unchanged."
            )
            for event in self._fail(kind, message):
                yield event
        except openai.APIError as exc:  # an error object in the middle of a stream
            message = (
                f"The language model reported an error while answering ({short_error(exc)}). "
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
            tools=list(function_schemas()),
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
        world = await run_sync(functools.partial(load_world, ctx.workflow, ctx.access, self.engine.sources))
        messages = await run_sync(
            functools.partial(build_messages, self.message, ctx, self.history, world.payload())
        )
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
                scope = Scope(world, draft)
                outcome = await run_sync(functools.partial(handle_call, call, draft, suggestions, scope))
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
