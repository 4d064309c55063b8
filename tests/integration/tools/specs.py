"""The workflow the tool/agent integration tests deploy: a tool with a pip dependency and the
built-in HTTP tool feed an agent that calls a tool and answers with structured output."""

from __future__ import annotations

from typing import Any

JOKER = {
    "name": "joker",
    "version": "1.0.0",
    "description": "A programmer joke and the pyjokes version that made it.",
    "dependencies": ["pyjokes==0.8.3"],
    "code": (
        "from importlib.metadata import version\n\nimport pyjokes\n\n"
        "def run(category='neutral'):\n"
        "    return {'joke': pyjokes.get_joke(category=category), 'library': version('pyjokes'),\n"
        "            'source': pyjokes.__file__}\n"
    ),
    "input_schema": {"type": "object", "properties": {"category": {"type": "string"}}},
    "output_schema": {
        "type": "object",
        "properties": {
            "joke": {"type": "string"},
            "library": {"type": "string"},
            "source": {"type": "string"},
        },
        "required": ["joke", "library"],
    },
    "tests": [{"input": {}, "assertions": ["len(output['joke']) > 0"]}],
}
CELSIUS = {
    "name": "to_fahrenheit",
    "version": "1.0.0",
    "description": "Convert Celsius to Fahrenheit.",
    "code": "def run(celsius):\n    return {'fahrenheit': celsius * 9 / 5 + 32}\n",
    "input_schema": {
        "type": "object",
        "properties": {"celsius": {"type": "number"}},
        "required": ["celsius"],
    },
    "output_schema": {
        "type": "object",
        "properties": {"fahrenheit": {"type": "number"}},
        "required": ["fahrenheit"],
    },
    "tests": [{"input": {"celsius": 100}, "expected": {"fahrenheit": 212.0}}],
}
ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"summary": {"type": "string"}, "fahrenheit": {"type": "number"}},
    "required": ["summary", "fahrenheit"],
    "additionalProperties": False,
}


def workflow(dag_id: str, *, max_steps: int = 6) -> dict[str, Any]:
    return {
        "id": dag_id,
        "name": "Tools feed an agent",
        "tools": [JOKER, CELSIUS],
        "nodes": [
            {"id": "joke", "type": "tool", "tool": "joker@^1"},
            {
                "id": "weather",
                "type": "tool",
                "tool": "http_request@^1",
                "parameters": {
                    "conn_id": "canvas_weather",
                    "endpoint": "/weather",
                    "params": {"city": "Oslo"},
                },
            },
            {
                "id": "writer",
                "type": "agent",
                "agent": {
                    "connection_id": "canvas_llm",
                    "system_prompt": "You write one-line weather reports.",
                    "prompt": "Temperature {{ inputs.celsius }} C. Add this joke: {{ inputs.joke }}",
                    "tools": ["to_fahrenheit@1.0.0"],
                    "max_steps": max_steps,
                    "request_timeout_seconds": 10,
                },
                "output_schema": ANSWER_SCHEMA,
            },
        ],
        "edges": [
            {"source": "joke", "target": "writer", "mapping": [{"source": "joke", "target": "joke"}]},
            {
                "source": "weather",
                "target": "writer",
                "mapping": [{"source": "json.celsius", "target": "celsius"}],
            },
        ],
    }
