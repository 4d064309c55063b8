"""Small builders for workflow specs in tests: plain dicts, parsed with the real loader."""

from __future__ import annotations

from typing import Any

from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem
from airflow_canvas.validation import validate_workflow

OBJ_Q = {"type": "object", "properties": {"question": {"type": "string"}}}
OBJ_ANSWER = {"type": "object", "properties": {"answer": {"type": "string"}, "score": {"type": "number"}}}
ECHO_TOOL = {
    "name": "echo",
    "version": "1.2.0",
    "code": "def run(text):\n    return {'text': text}\n",
    "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
    "output_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
}


def node(node_id: str, type_: str = "process", **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "type": type_, **extra}


def edge(source: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"source": source, "target": target, **extra}


def spec(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"id": "wf", "nodes": nodes, "edges": edges or [], **extra}


def workflow(*args: Any, **kwargs: Any) -> Workflow:
    return parse_workflow(spec(*args, **kwargs))


def problems_of(data: dict[str, Any], **kwargs: Any) -> list[Problem]:
    return validate_workflow(parse_workflow(data), **kwargs)


def only(problems: list[Problem], code: str) -> Problem:
    """The single problem with ``code``; fails listing everything when there isn't exactly one."""
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, f"expected one {code}, got: {[str(p) for p in problems]}"
    return found[0]
