"""Jinja fields (node templates, agent prompts) must parse, or every run fails at render time."""

from __future__ import annotations

import functools
from typing import Any

from airflow_canvas.spec.problems import pointer
from airflow_canvas.validation.context import ValidationContext


@functools.lru_cache(maxsize=1)
def _jinja_env() -> Any:
    from jinja2 import Environment

    return Environment()


# Cached: the co-pilot and the canvas re-validate the same templates on every edit.
@functools.lru_cache(maxsize=4096)
def jinja_error(text: str) -> str | None:
    """Why a Jinja template does not parse, or None (syntax only: names are resolved at run time)."""
    if "{" not in text:
        return None
    from jinja2 import TemplateSyntaxError

    try:
        _jinja_env().parse(text)
    except TemplateSyntaxError as exc:
        return f"line {exc.lineno}: {exc.message}"
    return None


def check_jinja(ctx: ValidationContext) -> None:
    """Jinja fields (node templates, agent prompts) must parse, or every run fails at render time."""
    for i, node in enumerate(ctx.wf.nodes):
        fields = [(pointer("nodes", i, "templates", key), text) for key, text in node.templates.items()]
        if node.agent is not None:  # AgentOperator renders both prompts with Jinja
            fields.append((pointer("nodes", i, "agent", "system_prompt"), node.agent.system_prompt))
            fields.append((pointer("nodes", i, "agent", "prompt"), node.agent.prompt))
        for where, text in fields:
            error = jinja_error(text)
            if error:
                ctx.add(
                    "E_JINJA_SYNTAX",
                    f"Node {node.id!r}: the Jinja template does not parse ({error}).",
                    where,
                    node_id=node.id,
                    hint="Check that every {{ has its }} and every {% if %}/{% for %} is closed; "
                    "write {{ '{{' }} for a literal brace pair.",
                )
