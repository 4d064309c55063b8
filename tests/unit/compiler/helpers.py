"""Small spec builders for compiler tests."""

from __future__ import annotations

from typing import Any

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.spec.load import parse_workflow


def proc(node_id: str, expression: str = "@", **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "type": "process", "process": {"expression": expression}, **extra}


def spec(nodes: list[dict[str, Any]], edges: list[dict[str, Any]] = (), **extra: Any) -> dict[str, Any]:
    return {"id": "wf", "nodes": nodes, "edges": list(edges), **extra}


def source_of(data: dict[str, Any]) -> str:
    return compile_workflow(parse_workflow(data)).source
