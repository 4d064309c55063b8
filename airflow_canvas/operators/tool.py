"""ToolOperator (minimal, in-process): run one pinned tool version on the node's inputs.

Calling convention: the tool's entry point is called with keyword arguments,
``entry_point(**{**tool.parameters, **node parameters, **inputs})``: inputs override parameters,
which override the tool's defaults. Tools with ``code`` have it exec'd in a fresh module namespace
and ``entry_point`` names a function there; tools without code name an importable
``"package.module:function"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_canvas.operators.base import CanvasOperator, validate_against

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_canvas.spec.models import Tool


class ToolOperator(CanvasOperator):
    ui_color = "#e0f2f1"

    def __init__(self, *, tool: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tool = tool

    def load_tool(self) -> Tool:
        """The bundled copy next to the DAG file first (inline tools), then the registry."""
        from airflow_canvas.tools.bundle import load_bundled_tool
        from airflow_canvas.tools.registry import resolve_tool, split_ref

        name, version = split_ref(self.tool)
        dag = self.dag if self.has_dag() else None
        fileloc = getattr(dag, "fileloc", None)
        bundled = load_bundled_tool(fileloc, name, version) if fileloc else None
        return bundled or resolve_tool(f"{name}@{version}")

    def run(self, inputs: dict[str, Any], context: Context) -> Any:
        tool = self.load_tool()
        validate_against(inputs, tool.input_schema, what=f"input of tool {tool.ref}", node_id=self.canvas_node_id)
        func = load_entry_point(tool)
        output = func(**{**tool.parameters, **self.resolved_parameters(), **inputs})
        validate_against(output, tool.output_schema, what=f"output of tool {tool.ref}", node_id=self.canvas_node_id)
        return output


def load_entry_point(tool: Tool) -> Any:
    if tool.code:
        namespace: dict[str, Any] = {"__name__": f"canvas_tool_{tool.name}"}
        exec(compile(tool.code, f"<tool {tool.ref}>", "exec"), namespace)
        func = namespace.get(tool.entry_point)
    else:
        import importlib

        module_name, _, attr = tool.entry_point.partition(":")
        func = getattr(importlib.import_module(module_name), attr, None) if attr else None
    if not callable(func):
        raise LookupError(f"Tool {tool.ref}: entry point {tool.entry_point!r} is not a function")
    return func
