"""Operators that generated DAG files import. Loaded lazily: a DAG file pays only for the
operators it uses, which keeps DAG parsing as fast as a hand-written file. What each node does
is ``airflow_canvas/runtime/core.py``, which these operators call."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_canvas.operators.agent import AgentOperator
    from airflow_canvas.operators.base import CanvasOperator
    from airflow_canvas.operators.branch import ConditionBranchOperator
    from airflow_canvas.operators.budget import CostBudgetOperator
    from airflow_canvas.operators.input import InputOperator
    from airflow_canvas.operators.output import OutputOperator
    from airflow_canvas.operators.process import ProcessOperator
    from airflow_canvas.operators.tool import ToolOperator

_MODULES = {
    "CanvasOperator": "base",
    "InputOperator": "input",
    "ProcessOperator": "process",
    "OutputOperator": "output",
    "ConditionBranchOperator": "branch",
    "ToolOperator": "tool",
    "AgentOperator": "agent",
    "CostBudgetOperator": "budget",
}

__all__ = [
    "AgentOperator",
    "CanvasOperator",
    "ConditionBranchOperator",
    "CostBudgetOperator",
    "InputOperator",
    "OutputOperator",
    "ProcessOperator",
    "ToolOperator",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def implied_tool_calls() -> dict[str, int]:
    """Operator class name (what Airflow records on a task instance) -> the tool calls a successful
    task instance of it implies (``CanvasOperator.implied_tool_calls``), for every canvas operator
    class loaded in this process, subclasses included. The metrics API counts those calls from
    task instances (policies.history.aggregate), since such a task writes no metrics XCom for them."""
    counts: dict[str, int] = {}
    pending = [__getattr__(name) for name in _MODULES]  # loads every canvas operator module
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if cls.implied_tool_calls:
            counts[cls.__name__] = cls.implied_tool_calls
        pending.extend(cls.__subclasses__())
    return counts
