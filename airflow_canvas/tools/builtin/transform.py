"""json_transform (JMESPath) and text_template (sandboxed Jinja)."""

from __future__ import annotations

from typing import Any

JSON_INPUT = {
    "type": "object",
    "properties": {
        "data": {"description": "Any JSON value."},
        "expression": {"type": "string", "minLength": 1},
    },
    "required": ["data", "expression"],
    "additionalProperties": False,
}
JSON_OUTPUT = {"type": "object", "properties": {"result": {}}, "required": ["result"]}

TEMPLATE_INPUT = {
    "type": "object",
    "properties": {"template": {"type": "string"}, "variables": {"type": "object", "default": {}}},
    "required": ["template"],
    "additionalProperties": False,
}
TEMPLATE_OUTPUT = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}


def json_transform(data: Any, expression: str) -> dict[str, Any]:
    import jmespath

    return {"result": jmespath.search(expression, data)}


def text_template(template: str, variables: dict[str, Any] | None = None) -> dict[str, str]:
    # The sandbox blocks attribute access to internals (``__class__``, ``mro``...), which matters
    # because templates come from canvas users; StrictUndefined makes a typo an error, not "".
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    return {"text": env.from_string(template).render(**(variables or {}))}
