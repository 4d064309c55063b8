"""Fixtures for the co-pilot tests: a small valid workflow (with an inline tool, so tool nodes
resolve without the store) and helpers to build a turn's context."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_canvas.copilot.context import CopilotContext, RecentAction, RunInfo
from airflow_canvas.spec import Workflow, parse_workflow
from tests.fakes.fixtures import openai_server  # noqa: F401

HTTP_GET = {
    "name": "http_get",
    "version": "1.2.0",
    "description": "GET a URL",
    "code": "def run(inputs):\n    return {'body': ''}\n",
    "input_schema": {"type": "object", "properties": {"url": {"type": "string"}}},
    "output_schema": {"type": "object", "properties": {"body": {"type": "string"}}},
}


def base_spec() -> dict[str, Any]:
    return {
        "id": "tickets",
        "name": "Tickets",
        "tools": [HTTP_GET],
        "nodes": [
            {"id": "fetch", "type": "tool", "tool": "http_get@1.2.0", "ui": {"position": {"x": 0, "y": 0}}},
            {
                "id": "summarize",
                "type": "agent",
                "agent": {"prompt": "Summarise {{ inputs }}"},
                "ui": {"position": {"x": 260, "y": 0}},
            },
            {"id": "a", "type": "process", "ui": {"position": {"x": 0, "y": 200}}},
            {"id": "b", "type": "process", "ui": {"position": {"x": 260, "y": 200}}},
            {"id": "c", "type": "process", "ui": {"position": {"x": 520, "y": 200}}},
        ],
        "edges": [{"source": "fetch", "target": "summarize"}, {"source": "a", "target": "b"}],
    }


@pytest.fixture
def workflow() -> Workflow:
    return parse_workflow(base_spec())


def make_ctx(
    wf: Workflow | dict[str, Any],
    selection: list[str] | None = None,
    recent: list[str] | None = None,
    run: dict[str, Any] | None = None,
) -> CopilotContext:
    if isinstance(wf, dict):
        wf = parse_workflow(wf)
    return CopilotContext(
        wf,
        selection=selection,
        recent_actions=[RecentAction(label=r) for r in recent or []],
        run=RunInfo.model_validate(run) if run else None,
    )


@pytest.fixture
def ctx(workflow: Workflow) -> CopilotContext:
    return make_ctx(workflow, selection=["a", "b"])
