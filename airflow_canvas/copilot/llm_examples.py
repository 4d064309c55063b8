"""Worked examples for the system prompt: a request and the ``propose_patch`` call that answers it.
``tests/unit/copilot/test_llm_prompt.py`` applies each to ``EXAMPLE_WORKFLOW`` (and the last to an
empty workflow) and checks the result validates, so the examples cannot drift from the spec."""

from __future__ import annotations

import json
from typing import Any

# The workflow the first three examples edit: fetch -> summarize -> report.
EXAMPLE_WORKFLOW: dict[str, Any] = {
    "id": "digest",
    "nodes": [
        {
            "id": "fetch",
            "type": "tool",
            "tool": "http_request@1.0.0",
            "parameters": {"conn_id": "http_default"},
        },
        {"id": "summarize", "type": "agent", "agent": {"prompt": "Summarise {{ inputs.text }}"}},
        {"id": "report", "type": "output"},
    ],
    "edges": [{"source": "fetch", "target": "summarize"}, {"source": "summarize", "target": "report"}],
}

EXAMPLES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "insert a step between fetch and summarize that keeps only the text",
        "digest",
        {
            "summary": "Insert clean_text between fetch and summarize",
            "ops": [
                {
                    "op": "add_node",
                    "node": {
                        "id": "clean_text",
                        "name": "Clean text",
                        "type": "process",
                        "process": {"language": "jmespath", "expression": "{text: text}"},
                    },
                },
                {"op": "remove_edge", "edge_id": "fetch->summarize"},
                {"op": "add_edge", "edge": {"source": "fetch", "target": "clean_text"}},
                {"op": "add_edge", "edge": {"source": "clean_text", "target": "summarize"}},
            ],
        },
    ),
    (
        "run it on weekdays at 8:30",
        "digest",
        {
            "summary": "Schedule weekdays at 08:30",
            "ops": [{"op": "set_trigger", "schedule": {"kind": "cron", "value": "30 8 * * 1-5"}}],
        },
    ),
    (
        "email ops@example.com when it fails, and retry the fetch 3 times",
        "digest",
        {
            "summary": "Failure e-mail to ops; fetch retries 3 times",
            "ops": [
                {
                    "op": "set",
                    "path": "/notifications/-",
                    "value": {
                        "on": ["failure"],
                        "notifier": "smtp",
                        "connection_id": "smtp_default",
                        "to": ["ops@example.com"],
                        "subject": "{{ dag.dag_id }} failed",
                    },
                },
                {"op": "set", "path": "/nodes/fetch/execution/retry", "value": {"retries": 3}},
            ],
        },
    ),
    (
        "(an empty workflow) fetch a page from our API every morning and summarise it",
        "empty",
        {
            "summary": "Input -> fetch page -> summarise -> result, daily at 07:00",
            "ops": [
                {
                    "op": "add_node",
                    "node": {
                        "id": "page",
                        "type": "input",
                        "input_schema": {"type": "object", "properties": {"endpoint": {"type": "string"}}},
                    },
                },
                {
                    "op": "add_node",
                    "node": {
                        "id": "fetch",
                        "type": "tool",
                        "tool": "http_request@1.0.0",
                        "parameters": {"conn_id": "http_default", "method": "GET"},
                    },
                },
                {
                    "op": "add_node",
                    "node": {
                        "id": "summarize",
                        "type": "agent",
                        "agent": {"prompt": "Summarise in 5 bullet points:\n{{ inputs.text }}"},
                    },
                },
                {"op": "add_node", "node": {"id": "result", "type": "output"}},
                {"op": "add_edge", "edge": {"source": "page", "target": "fetch"}},
                {"op": "add_edge", "edge": {"source": "fetch", "target": "summarize"}},
                {"op": "add_edge", "edge": {"source": "summarize", "target": "result"}},
                {"op": "set_trigger", "schedule": {"kind": "cron", "value": "0 7 * * *"}},
            ],
        },
    ),
]


def examples_text() -> str:
    lines = [
        "Worked examples (the first three edit a workflow fetch -> summarize -> report; the last starts "
        "empty). One propose_patch call each:"
    ]
    for request, _, call in EXAMPLES:
        lines.append(f'- "{request}":\n  propose_patch {json.dumps(call, separators=(",", ":"))}')
    return "\n".join(lines)
