"""What a node records about a run beyond its output, for the canvas's run views: the inputs it
received (XCom ``canvas_inputs``, size-capped), and the shapes the API reports for data on edges.

A node's inputs are assembled in the worker from upstream XComs through the edge mappings (JMESPath
transforms, merges, fallbacks, the item of a mapped instance): the server could only guess them
again, so the operator stores what it actually got. The record is capped so a node that receives a
large payload does not double the XCom table: above the cap it keeps the size and a text preview.
The node's ``log_payloads`` policy is honoured: ``off`` records nothing, ``sizes`` only the shape."""

from __future__ import annotations

import json
from typing import Any

from airflow_canvas.policies.logging import describe_sizes, payload_bytes

INPUTS_XCOM_KEY = "canvas_inputs"
MAX_INPUTS_BYTES = 64 * 1024
TRUNCATED = "__canvas_truncated__"  # marks a record that holds a preview instead of the value
SAMPLE_CHARS = 400


def inputs_record(inputs: Any, log_payloads: str | None, cap: int = MAX_INPUTS_BYTES) -> Any | None:
    """What to store for ``inputs`` (None: store nothing)."""
    if log_payloads == "off":
        return None
    size = payload_bytes(inputs)
    if log_payloads == "sizes":
        return {TRUNCATED: True, "bytes": size, "preview": describe_sizes(inputs)}
    if size <= cap:
        return inputs
    return {TRUNCATED: True, "bytes": size, "preview": to_text(inputs)[: cap // 4]}


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


# The task id of the budget check the compiler adds (compiler/budget.py, operators/budget.py):
# dotted, and no node id contains a dot (spec ID_PATTERN), so it never collides with a node's task.
BUDGET_TASK_ID = "canvas.cost_budget"
