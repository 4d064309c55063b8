"""AgentOperator: an LLM tool-calling loop as a task (see tools/agent_loop.py for the loop).

The endpoint comes from an Airflow connection: ``extra.base_url`` (or the host, when it is a URL)
is the OpenAI-compatible base URL, the password (or ``extra.api_key``) the API key, ``extra.model``
the default model, ``extra.prices`` per-model price overrides. The key is registered with Airflow's
secrets masker and never enters prompts, the transcript or the XCom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_canvas.operators.base import CanvasOperator, init_canvas_operator, set_fields
from airflow_canvas.runtime.agent import endpoint_from_connection, render_prompt

__all__ = ["TRANSCRIPT_XCOM_KEY", "AgentConfigError", "AgentOperator", "endpoint_from_connection"]

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_canvas.spec.models import Tool
    from airflow_canvas.tools.agent_loop import AgentResult

TRANSCRIPT_XCOM_KEY = "agent_transcript"


class AgentConfigError(ValueError):
    """The node's connection or settings cannot work (no model, no base URL...)."""


class AgentOperator(CanvasOperator):
    """Runs the node's agent loop; returns the final (schema-checked) answer as the XCom."""

    ui_color = "#fef3e0"
    model: str | None
    system_prompt: str
    prompt: str
    tools: list[str]
    tool_digests: dict[str, str] | None
    max_steps: int
    connection_id: str
    temperature: float | None
    request_timeout_seconds: float
    max_retries: int
    max_output_repairs: int

    def __init__(
        self,
        *,
        model: str | None = None,
        system_prompt: str = "",
        prompt: str = "",
        tools: list[str] | None = None,
        tool_digests: dict[str, str] | None = None,
        max_steps: int = 8,
        connection_id: str = "openai_default",
        temperature: float | None = None,
        request_timeout_seconds: float = 60.0,
        max_retries: int = 4,
        max_output_repairs: int = 2,
        **kwargs: Any,
    ) -> None:
        init_canvas_operator(self, **kwargs)  # not super().__init__: see operators/base.py
        set_fields(
            self,
            model=model,
            system_prompt=system_prompt,
            prompt=prompt,
            tools=list(tools or []),
            # ref -> SHA-256 of its bundled file (tools/bundle.py); None in DAGs compiled before that.
            tool_digests=dict(tool_digests) if tool_digests is not None else None,
            max_steps=max_steps,
            connection_id=connection_id,
            temperature=temperature,
            request_timeout_seconds=request_timeout_seconds,
            max_retries=max_retries,
            max_output_repairs=max_output_repairs,
        )

    def load_tools(self) -> list[Tool]:
        from airflow_canvas.tools.bundle import ToolIntegrityError
        from airflow_canvas.tools.execute import load_pinned_tool

        fileloc = getattr(self.dag, "fileloc", None) if self.has_dag() else None
        digests = self.tool_digests
        missing = [ref for ref in self.tools if digests is not None and ref not in digests]
        if missing:  # a DAG that pins some tools by content must pin all of them
            raise ToolIntegrityError(f"Node {self.canvas_node_id!r}: no digest given for tools {missing}")
        return [
            load_pinned_tool(ref, fileloc, None if digests is None else digests[ref]) for ref in self.tools
        ]

    def render_prompt(self, template: str, inputs: dict[str, Any], context: Context | None) -> str:
        """Prompts are Jinja over ``inputs``, ``params`` and ``parameters``, rendered sandboxed (not
        through Airflow's templating): they are canvas text and must not reach Python internals."""
        params = (context or {}).get("params")
        return render_prompt(template, inputs, params, self.resolved_parameters())

    def run(self, inputs: dict[str, Any], context: Context) -> Any:
        result = self.run_agent(inputs, context)
        self.record(result, context)
        return result.output

    def run_agent(
        self, inputs: dict[str, Any], context: Context | None, *, client: Any = None
    ) -> AgentResult:
        from airflow_canvas.tools.agent_loop import AgentLoop, AgentSettings
        from airflow_canvas.tools.execute import execute_tool

        endpoint = self.endpoint()
        model = self.model or endpoint["model"]
        if not model:
            raise AgentConfigError(
                f"Node {self.canvas_node_id!r}: no model set on the node and connection {self.connection_id!r} has no "
                "extra 'model'"
            )
        settings = AgentSettings(
            model=model,
            system_prompt=self.render_prompt(self.system_prompt, inputs, context),
            prompt=self.render_prompt(self.prompt, inputs, context),
            max_steps=self.max_steps,
            temperature=self.temperature,
            request_timeout_seconds=self.request_timeout_seconds,
            output_schema=self.output_schema,
            max_retries=self.max_retries,
            max_output_repairs=self.max_output_repairs,
            prices=endpoint["prices"],
        )
        client = client or self.client(endpoint)

        def call_tool(tool: Tool, arguments: dict[str, Any]) -> Any:
            if hasattr(self, "metrics"):
                self.metrics.tool_calls(1)
            return execute_tool(tool, arguments, timeout_seconds=self.request_timeout_seconds, log=self.log)

        loop = AgentLoop(client, settings, self.load_tools(), call_tool, log=self.log.info)
        return loop.run()

    def endpoint(self) -> dict[str, Any]:
        from airflow.sdk import BaseHook

        endpoint = endpoint_from_connection(BaseHook.get_connection(self.connection_id))
        if endpoint["api_key"]:
            try:
                from airflow.sdk.log import mask_secret
            except ImportError:  # pragma: no cover - older Airflow
                from airflow.utils.log.secrets_masker import mask_secret as legacy_mask_secret

                legacy_mask_secret(endpoint["api_key"])
            else:
                mask_secret(endpoint["api_key"])
        return endpoint

    def client(self, endpoint: dict[str, Any]) -> Any:
        import openai

        # Retries are the loop's (with backoff and logging), so the client's own are off.
        return openai.OpenAI(
            base_url=endpoint["base_url"],
            api_key=endpoint["api_key"] or "none",
            max_retries=0,
            timeout=self.request_timeout_seconds,
        )

    def record(self, result: AgentResult, context: Context | None) -> None:
        """Token usage and cost into metrics (and so the canvas_metrics XCom), the transcript into an
        XCom of its own; a summary line into the task log."""
        if hasattr(self, "metrics"):
            self.metrics.tokens(result.usage["prompt_tokens"], result.usage["completion_tokens"])
            if result.cost_usd is not None:
                self.metrics.cost(result.cost_usd)
        self.log.info(
            "Agent finished in %d steps: %s tokens (%s prompt, %s completion), cost %s",
            result.steps,
            result.usage["total_tokens"],
            result.usage["prompt_tokens"],
            result.usage["completion_tokens"],
            f"${result.cost_usd:.6f}"
            if result.cost_usd is not None
            else "unknown (model not in price table)",
        )
        ti = (context or {}).get("ti")
        if ti is not None:
            ti.xcom_push(key=TRANSCRIPT_XCOM_KEY, value={**result.metrics(), "transcript": result.transcript})
