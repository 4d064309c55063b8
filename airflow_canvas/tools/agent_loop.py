"""The agent's tool-calling loop against an OpenAI-compatible chat completions endpoint.

Independent of Airflow so the AgentOperator, the single-node test and the unit tests share it. Each
round asks the model; tool calls are validated against the tool's input schema and executed through
``call_tool`` (the runner); a reply without tool calls is the final answer, validated against the
output schema, with a bounded number of re-asks when it does not fit. Every HTTP call has its own
timeout and is retried with exponential backoff on 429/5xx/timeouts (honouring Retry-After).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from airflow_canvas.runtime.core import schema_problems
from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.pricing import cost_of

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


class AgentError(RuntimeError):
    """The loop could not produce a valid answer within its bounds. ``kind`` is stable:
    step_limit, invalid_output, api_error, retries_exhausted."""

    def __init__(self, kind: str, message: str, transcript: list[dict[str, Any]] | None = None):
        self.kind = kind
        self.transcript = transcript or []
        super().__init__(message)


@dataclass
class AgentSettings:
    model: str
    system_prompt: str = ""
    prompt: str = ""
    max_steps: int = 8
    temperature: float | None = None
    request_timeout_seconds: float = 60.0
    output_schema: dict[str, Any] = field(default_factory=dict)
    max_retries: int = 4  # per HTTP call, on 429/5xx/timeouts
    backoff_seconds: float = 1.0  # first retry delay; doubles each time
    max_backoff_seconds: float = 30.0
    max_output_repairs: int = 2  # re-asks when the final answer does not fit the output schema
    prices: dict[str, dict[str, float]] | None = None  # per-model price overrides


@dataclass
class AgentResult:
    output: Any
    transcript: list[dict[str, Any]]
    usage: dict[str, int]
    cost_usd: float | None
    model: str
    steps: int

    def metrics(self) -> dict[str, Any]:
        return {"model": self.model, "steps": self.steps, "usage": self.usage, "cost_usd": self.cost_usd}


ToolCaller = Callable[[Tool, dict[str, Any]], Any]
Logger = Callable[[str], None]


def tool_function(tool: Tool) -> dict[str, Any]:
    """A tool as an OpenAI function: its name, description and input JSON Schema."""
    parameters = tool.input_schema or {"type": "object", "properties": {}}
    return {
        "type": "function",
        "function": {"name": tool.name, "description": tool.description[:1024], "parameters": parameters},
    }


class AgentLoop:
    def __init__(
        self,
        client: Any,
        settings: AgentSettings,
        tools: list[Tool],
        call_tool: ToolCaller,
        log: Logger = lambda _: None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.client = client
        self.settings = settings
        self.tools = {t.name: t for t in tools}
        self.call_tool = call_tool
        self.log = log
        self.sleep = sleep
        self.transcript: list[dict[str, Any]] = []
        self.usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}

    # -- one HTTP call, with retries ------------------------------------------------------------
    def _request(self, messages: list[dict[str, Any]]) -> Any:
        import openai

        s = self.settings
        kwargs: dict[str, Any] = {
            "model": s.model,
            "messages": messages,
            "timeout": s.request_timeout_seconds,
        }
        if self.tools:
            kwargs["tools"] = [tool_function(t) for t in self.tools.values()]
        if s.temperature is not None:
            kwargs["temperature"] = s.temperature
        if s.output_schema:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "node_output", "schema": s.output_schema},
            }
        delay = s.backoff_seconds
        for attempt in range(s.max_retries + 1):
            try:
                return self.client.chat.completions.create(**kwargs)
            except (openai.APITimeoutError, openai.APIConnectionError, openai.APIStatusError) as exc:
                status = getattr(exc, "status_code", None)
                retryable = status is None or status in RETRYABLE_STATUS or status >= 500
                if not retryable:
                    raise AgentError(
                        "api_error", f"The model endpoint refused the request: {exc}", self.transcript
                    ) from exc
                if attempt == s.max_retries:
                    raise AgentError(
                        "retries_exhausted",
                        f"The model endpoint kept failing after {attempt + 1} attempts: {exc}",
                        self.transcript,
                    ) from exc
                hinted = _retry_after(exc)
                wait = min(delay if hinted is None else hinted, s.max_backoff_seconds)
                self.log(
                    f"model call failed ({status or type(exc).__name__}); retry {attempt + 1} in {wait:.1f}s"
                )
                self.sleep(wait)
                delay *= 2
        raise AssertionError("unreachable")

    def _count(self, response: Any) -> None:
        usage = getattr(response, "usage", None)
        for key in self.usage:
            self.usage[key] += int(getattr(usage, key, 0) or 0)

    # -- the loop -------------------------------------------------------------------------------
    def run(self) -> AgentResult:
        s = self.settings
        messages: list[dict[str, Any]] = []
        if s.system_prompt:
            messages.append({"role": "system", "content": s.system_prompt})
        messages.append({"role": "user", "content": s.prompt})
        repairs = 0
        for step in range(1, s.max_steps + 1):
            response = self._request(messages)
            self._count(response)
            message = response.choices[0].message
            calls = list(message.tool_calls or [])
            if calls:
                messages.append(_assistant_with_calls(message, calls))
                for call in calls:
                    messages.append(self._run_call(step, call))
                continue
            content = message.content or ""
            messages.append({"role": "assistant", "content": content})
            output, problems = self._final(content)
            self._record(step, "answer", content=content, problems=problems)
            if not problems:
                return AgentResult(output, self.transcript, dict(self.usage), self._cost(), s.model, step)
            if repairs >= s.max_output_repairs:
                raise AgentError(
                    "invalid_output",
                    f"The model's answer does not match the output schema after {repairs} re-asks: "
                    + "; ".join(problems),
                    self.transcript,
                )
            repairs += 1
            messages.append({"role": "user", "content": _repair_prompt(problems, s.output_schema)})
        raise AgentError(
            "step_limit",
            f"The agent did not finish within max_steps={s.max_steps} model calls",
            self.transcript,
        )

    def _final(self, content: str) -> tuple[Any, list[str]]:
        schema = self.settings.output_schema
        if not schema:
            return {"answer": content}, []
        try:
            value = json.loads(_strip_fences(content))
        except ValueError as exc:
            return None, [f"the answer is not valid JSON ({exc})"]
        return value, schema_problems(value, schema, limit=5)

    def _run_call(self, step: int, call: Any) -> dict[str, Any]:
        name, raw = call.function.name, call.function.arguments or "{}"
        result = self._execute(name, raw)
        self._record(step, "tool_call", tool=name, arguments=raw, result=result)
        return {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result, default=str)}

    def _execute(self, name: str, raw: str) -> dict[str, Any]:
        """Errors go back to the model as the tool's result, so it can correct itself."""
        tool = self.tools.get(name)
        if tool is None:
            return {"error": f"unknown tool {name!r}; available: {sorted(self.tools)}"}
        try:
            arguments = json.loads(raw)
        except ValueError as exc:
            return {"error": f"arguments are not valid JSON ({exc}); send a JSON object"}
        if not isinstance(arguments, dict):
            return {"error": "arguments must be a JSON object"}
        problems = schema_problems(arguments, tool.input_schema, limit=5)
        if problems:
            return {"error": "arguments do not match the tool's schema: " + "; ".join(problems)}
        try:
            return {"output": self.call_tool(tool, arguments)}
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}

    def _record(self, step: int, kind: str, **data: Any) -> None:
        entry = {"step": step, "kind": kind, **data}
        self.transcript.append(entry)
        self.log(f"step {step} {kind}: {json.dumps(data, default=str)[:2000]}")

    def _cost(self) -> float | None:
        return cost_of(self.settings.model, self.usage, self.settings.prices)


def _assistant_with_calls(message: Any, calls: list[Any]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": message.content,
        "tool_calls": [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.function.name, "arguments": c.function.arguments},
            }
            for c in calls
        ],
    }


def _repair_prompt(problems: list[str], schema: dict[str, Any]) -> str:
    return (
        "Your answer does not match the required output JSON Schema: "
        + "; ".join(problems)
        + ". Reply again with only a JSON value matching this schema:\n"
        + json.dumps(schema)
    )


def _strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None
