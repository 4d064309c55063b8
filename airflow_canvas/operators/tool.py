"""ToolOperator: run one pinned tool version on the node's inputs.

The tool comes from the bundle written next to the deployed DAG file (``_canvas_tools/``, see
tools/bundle.py), so a worker on any executor runs exactly the version the DAG was compiled with;
the built-ins fall back to the package's registry. ``tool_digest`` (the SHA-256 the compiler pinned)
names the content-addressed file and is verified on load: a changed file is refused, not run.
Dependency-free tools run in-process; tools with pip dependencies run in the sandboxed runner with
the cached venv for their requirement set.

Calling convention: ``entry_point(**{**tool.parameters, **node parameters, **inputs})``: inputs
override node parameters, which override the tool's defaults. The merged arguments are what the
tool's input schema checks, so configuration such as an HTTP connection id may come from the
node's parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_canvas.operators.base import CanvasOperator, init_canvas_operator, set_fields
from airflow_canvas.runtime import core

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_canvas.spec.models import Tool

__all__ = ["ToolOperator"]

# Sandboxed tools without an execution_timeout still get a wall-clock bound.
DEFAULT_SANDBOX_TIMEOUT_SECONDS = 6 * 3600.0


class ToolOperator(CanvasOperator):
    ui_color = "#e0f2f1"
    # A successful task made exactly one tool call; the metrics API counts it from the task
    # instance (operators.implied_tool_calls), so no canvas_metrics XCom is written
    # unless there is more to record.
    implied_tool_calls: ClassVar[int] = 1
    tool: str
    tool_digest: str | None
    memory_limit_mb: int | None

    def __init__(
        self, *, tool: str, tool_digest: str | None = None, memory_limit_mb: int | None = None, **kwargs: Any
    ) -> None:
        init_canvas_operator(self, **kwargs)  # not super().__init__: see operators/base.py
        set_fields(self, tool=tool, tool_digest=tool_digest, memory_limit_mb=memory_limit_mb)

    def load_tool(self) -> Tool:
        from airflow_canvas.tools.execute import load_pinned_tool

        fileloc = getattr(self.dag, "fileloc", None) if self.has_dag() else None
        return load_pinned_tool(self.tool, fileloc, self.tool_digest)

    def run(self, inputs: dict[str, Any], context: Context) -> Any:
        from airflow_canvas.tools.execute import execute_tool, runs_in_process

        tool = self.load_tool()
        parameters = self.resolved_parameters()
        timeout = (
            self.execution_timeout.total_seconds()
            if self.execution_timeout
            else DEFAULT_SANDBOX_TIMEOUT_SECONDS
        )

        def call(arguments: dict[str, Any]) -> Any:
            if not runs_in_process(tool):
                self.log.info(
                    "Running tool %s in its venv (dependencies: %s)", tool.ref, ", ".join(tool.dependencies)
                )
            output = execute_tool(
                tool,
                inputs,
                parameters,
                timeout_seconds=timeout,
                memory_mb=self.memory_limit_mb,
                log=self.log,
            )
            if hasattr(self, "metrics"):  # set by CanvasOperator.execute (policies.metrics)
                self.metrics.tool_calls(1)
            return output

        arguments = core.tool_arguments(tool.parameters, parameters, inputs)
        return core.run_tool(
            tool.ref, tool.input_schema, tool.output_schema, arguments, call, self.canvas_node_id
        )
