"""Turn a Tool into a callable, the same way in the worker, in the sandbox child and in tests.

Calling convention (``runtime/core.tool_arguments``, shared with operators/tool.py): the entry
point is called with keyword arguments ``entry_point(**{**tool.parameters, **node_parameters,
**inputs})``: inputs override node parameters, which override the tool's defaults. A tool with ``code`` has it exec'd in a fresh
module namespace and ``entry_point`` names a function there; a tool without code (the built-ins)
names an importable ``"package.module:function"``.
"""

from __future__ import annotations

import functools
import importlib
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from airflow_canvas.runtime.core import tool_arguments

if TYPE_CHECKING:  # not at run time: the sandbox child calls a tool without loading pydantic
    from airflow_canvas.spec.models import Tool


class ToolLoadError(LookupError):
    """The tool's code does not compile or its entry point is missing."""


@functools.lru_cache(maxsize=128)
def _compiled(code: str, filename: str) -> types.CodeType:
    """Compiling the tool's source was half of what a ToolOperator task added to a PythonOperator
    (benchmarks/tools.py); the code object is immutable, and each call still execs it into a
    fresh module namespace, so no state is shared between calls."""
    return compile(code, filename, "exec")


def load_entry_point(tool: Tool) -> Callable[..., Any]:
    if tool.code:
        module = types.ModuleType(f"canvas_tool_{tool.name}")
        try:
            exec(_compiled(tool.code, f"<tool {tool.ref}>"), module.__dict__)
        except SyntaxError as exc:
            raise ToolLoadError(f"Tool {tool.ref}: code does not compile: {exc}") from exc
        func = getattr(module, tool.entry_point, None)
    else:
        module_name, _, attr = tool.entry_point.partition(":")
        if not attr:
            raise ToolLoadError(
                f"Tool {tool.ref} has no code, so entry_point must be 'package.module:function', "
                f"not {tool.entry_point!r}"
            )
        try:
            func = getattr(importlib.import_module(module_name), attr, None)
        except ImportError as exc:
            raise ToolLoadError(f"Tool {tool.ref}: cannot import {module_name!r}: {exc}") from exc
    if not callable(func):
        raise ToolLoadError(f"Tool {tool.ref}: entry point {tool.entry_point!r} is not a function")
    return func


def call_arguments(
    tool: Tool, inputs: Mapping[str, Any], parameters: Mapping[str, Any] | None = None
) -> dict:
    return tool_arguments(tool.parameters, parameters, inputs)


def is_builtin(tool: Tool) -> bool:
    return not tool.code and tool.entry_point.startswith("airflow_canvas.tools.builtin.")
