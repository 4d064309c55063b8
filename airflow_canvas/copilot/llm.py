"""The LLM co-pilot: any OpenAI-compatible endpoint through the ``openai`` client, with function
calling whose schemas come from the patch models.

One turn = a short loop. The model streams text (forwarded as deltas) and may call
``propose_patch``; each call is checked against the draft workflow (the on-screen workflow plus the
turn's earlier accepted patches). Accepted calls grow the proposal; rejected ones go back to the
model as the tool result, with the problems, at most ``max_repairs`` times. The user only ever sees
a proposal that passed validation. Network failures end the turn with a plain message and no
proposal, so the workflow is untouched.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from airflow_canvas.copilot.context import Context, redact_text
from airflow_canvas.copilot.diff import describe_diff, workflow_diff
from airflow_canvas.copilot.patch import Patch, PatchOp, check_patch
from airflow_canvas.copilot.responses import (
    CodePart,
    Reply,
    Suggestion,
    SuggestionsPart,
    TextPart,
    Usage,
    diagram_of,
    make_proposal,
)
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


def build_messages(message: str, ctx: Context, history: list[dict[str, str]]) -> list[dict[str, Any]]:
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


class LLMEngine:
    name = "llm"

    def __init__(self, settings: LLMSettings):
        self.settings = settings
        from openai import OpenAI

        self.client = OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )

    def _stream_round(
        self, messages: list[dict[str, Any]], usage: Usage
    ) -> Iterator[Event | tuple[str, list[dict[str, Any]]]]:
        """One streamed model call: yields text events, then ("final", [content, tool_calls])."""
        kwargs: dict[str, Any] = {}
        if self.settings.temperature is not None:
            kwargs["temperature"] = self.settings.temperature
        stream = self.client.chat.completions.create(
            model=self.settings.model,
            messages=messages,
            tools=_tools(),
            stream=True,
            stream_options={"include_usage": True},
            **kwargs,
        )
        content: list[str] = []
        calls: dict[int, dict[str, Any]] = {}
        for chunk in stream:
            if chunk.usage is not None:
                usage.add(
                    Usage(
                        prompt_tokens=chunk.usage.prompt_tokens or 0,
                        completion_tokens=chunk.usage.completion_tokens or 0,
                        cost=self.settings.cost(
                            chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0
                        ),
                    )
                )
            for choice in chunk.choices:
                delta = choice.delta
                if delta.content:
                    content.append(delta.content)
                    yield {"type": "text", "delta": delta.content}
                for tc in delta.tool_calls or []:
                    slot = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                    slot["id"] = tc.id or slot["id"]
                    if tc.function is not None:
                        slot["name"] = tc.function.name or slot["name"]
                        slot["arguments"] += tc.function.arguments or ""
        yield ("final", ["".join(content), [calls[i] for i in sorted(calls)]])

    def turn(self, message: str, ctx: Context, history: list[dict[str, str]]) -> Iterator[Event]:
        """Stream one turn: {"type": "text"} deltas, {"type": "status"}, then {"type": "done", "reply"}."""
        import openai

        reply = Reply(engine="llm")
        messages = build_messages(message, ctx, history)
        draft: Workflow = ctx.workflow
        accepted: list[PatchOp] = []
        draft_warnings: list[Problem] = []
        summaries: list[str] = []
        suggestions: list[Suggestion] = []
        text: list[str] = []
        repairs = 0
        last_problems: list[dict[str, Any]] = []
        started = time.monotonic()
        try:
            for _ in range(MAX_ROUNDS):
                final: list[Any] = ["", []]
                for event in self._stream_round(messages, reply.usage):
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
                    outcome = self._handle_call(call, draft, suggestions)
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
                        yield from self._give_up(reply, last_problems)
                        return
                    yield {
                        "type": "status",
                        "message": f"Repairing an invalid proposal (attempt {repairs} of "
                        f"{self.settings.max_repairs}).",
                    }
            else:
                reply.error = "too_many_rounds"
                text.append("\n\nI stopped after too many steps without finishing; nothing was changed.")
                accepted = []
        except openai.APITimeoutError:
            yield from self._fail(
                reply,
                "timeout",
                f"The language model did not answer within "
                f"{self.settings.timeout:g} s. Your workflow is unchanged; try again.",
            )
            return
        except openai.APIConnectionError:
            yield from self._fail(
                reply,
                "unreachable",
                "The language model could not be reached "
                f"(connection {self.settings.conn_id!r}). Your workflow is unchanged.",
            )
            return
        except openai.APIStatusError as exc:
            kind = "server_error" if exc.status_code >= 500 else "rejected"
            yield from self._fail(
                reply,
                kind,
                f"The language model answered with an error (HTTP "
                f"{exc.status_code}: {_short(exc)}). Your workflow is unchanged.",
            )
            return
        reply.parts.extend(split_markdown("".join(text)))
        if accepted:
            # The draft is the accepted ops applied in order to ctx.workflow, each step validated:
            # exactly what applying the whole proposal gives (the apply route checks it again).
            reply.proposal = make_proposal(
                "; ".join(s for s in summaries if s), accepted, ctx.workflow, draft, draft_warnings
            )
            added = set(reply.proposal.diff["nodes"]["added"])
            if added:
                reply.parts.append(diagram_of(draft, added))
        if suggestions:
            reply.parts.append(SuggestionsPart(items=suggestions))
        yield {"type": "usage", "usage": reply.usage.model_dump(), "seconds": time.monotonic() - started}
        yield {"type": "done", "reply": reply.model_dump(mode="json")}

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

    def _give_up(self, reply: Reply, problems: list[dict[str, Any]]) -> Iterator[Event]:
        listed = "\n".join(f"- {p.get('message')}" for p in problems[:10])
        yield from self._fail(
            reply,
            "invalid_proposal",
            "I could not produce a valid change: every attempt "
            f"broke the workflow, so I am not proposing anything. The last problems were:\n\n{listed}",
        )

    def _fail(self, reply: Reply, kind: str, message: str) -> Iterator[Event]:
        reply.error = kind
        reply.proposal = None
        reply.parts = [TextPart(markdown=message)]
        yield {"type": "error", "error": kind, "message": message}
        yield {"type": "done", "reply": reply.model_dump(mode="json")}


def _short(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        msg = body.get("message") or (body.get("error") or {}).get("message")
        if msg:
            return str(msg)[:200]
    return str(exc)[:200]
