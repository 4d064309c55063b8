"""Shapes the canvas's run views report about data in a run: a node's inputs (size-capped) and the
data that flowed along an edge (items, bytes, a sample).

A node's inputs are not stored by the node (one more XCom write per task costs ~20 ms on each
task here, benchmarks/tools.py): the API derives them from the upstream outputs' XComs through the
compiler's own wiring of the node (service/run_inputs.py), as the operator did in the worker."""

from __future__ import annotations

import json
from typing import Any

from airflow_canvas.policies.logging import payload_bytes

MAX_INPUTS_BYTES = 64 * 1024
SAMPLE_CHARS = 400

# The task id of the budget check the compiler adds (compiler/budget.py, operators/budget.py):
# dotted, and no node id contains a dot (spec ID_PATTERN), so it never collides with a node's task.
BUDGET_TASK_ID = "canvas.cost_budget"


def capped(value: Any, cap: int = MAX_INPUTS_BYTES) -> dict[str, Any]:
    """``{"value": value}`` when its JSON fits in ``cap`` bytes, else its size and a text preview."""
    size = payload_bytes(value)
    if size <= cap:
        return {"value": value, "truncated": False, "bytes": size}
    return {"value": None, "truncated": True, "bytes": size, "preview": to_text(value)[: cap // 4]}


def to_text(value: Any) -> str:
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def items_of(value: Any) -> int:
    """How many items a value carries along an edge: a list's length, a record counts one, nothing
    (None) counts zero."""
    if value is None:
        return 0
    if isinstance(value, (list, tuple)):
        return len(value)
    return 1


def edge_data(value: Any, *, mapped: bool, sample_chars: int = SAMPLE_CHARS) -> dict[str, Any]:
    """Item count, JSON size and a truncated sample of what flowed along an edge. ``mapped``: the
    value is the list of a mapped source's instance outputs (each instance sends one item)."""
    text = to_text(value)
    return {
        "items": len(value) if mapped and isinstance(value, list) else items_of(value),
        "bytes": payload_bytes(value),
        "sample": text[:sample_chars],
        "truncated": len(text) > sample_chars,
    }
