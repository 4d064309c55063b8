"""Jinja fields (node templates, agent prompts) must parse, or every run fails at render time."""

from __future__ import annotations

import functools
from typing import Any

from airflow_canvas.spec.code_surface import json_strings
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


# Airflow 3 puts these in the template context only for a run with a logical date
# (airflow/sdk/execution_time/task_runner.py, get_template_context: "logical_date and data_interval
# either coexist or be None together"). Runs of a DAG without a time schedule have none: manual
# triggers (the canvas's Run too) and asset-triggered runs are created with logical_date=None, and
# Airflow's StrictUndefined fails the task with "'ds' is undefined". Each name maps to what works in
# every run: ``dag_run.run_after`` is set on every run, and Airflow's ``ds``/``ts``... filters format it.
_NEEDS_LOGICAL_DATE: dict[str, str] = {
    "ds": "{{ dag_run.run_after | ds }}",
    "ds_nodash": "{{ dag_run.run_after | ds_nodash }}",
    "ts": "{{ dag_run.run_after | ts }}",
    "ts_nodash": "{{ dag_run.run_after | ts_nodash }}",
    "ts_nodash_with_tz": "{{ dag_run.run_after | ts_nodash_with_tz }}",
    "logical_date": "{{ dag_run.run_after }}",
    "data_interval_start": "{{ dag_run.run_after }}",
    "data_interval_end": "{{ dag_run.run_after }}",
    "prev_data_interval_start_success": "{{ prev_start_date_success }}",
    "prev_data_interval_end_success": "{{ prev_end_date_success }}",
}


@functools.lru_cache(maxsize=4096)
def logical_date_names(text: str) -> tuple[str, ...]:
    """The context names ``text`` reads that exist only in runs with a logical date, sorted; none
    when it does not parse (E_JINJA_SYNTAX says so) or sets them itself (``{% set ds = ... %}``)."""
    if "{" not in text:
        return ()
    from jinja2 import TemplateSyntaxError, meta

    try:
        names = meta.find_undeclared_variables(_jinja_env().parse(text))
    except TemplateSyntaxError:
        return ()
    return tuple(sorted(n for n in names if n in _NEEDS_LOGICAL_DATE))


def _rendered_fields(ctx: ValidationContext) -> list[tuple[str, str, str]]:
    """(node id, pointer, text) of every field Airflow renders with the run's context."""
    fields: list[tuple[str, str, str]] = []
    for i, node in enumerate(ctx.wf.nodes):
        fields += [(node.id, pointer("nodes", i, "templates", k), t) for k, t in node.templates.items()]
        if node.agent is not None:
            fields.append((node.id, pointer("nodes", i, "agent", "system_prompt"), node.agent.system_prompt))
            fields.append((node.id, pointer("nodes", i, "agent", "prompt"), node.agent.prompt))
        if node.operator and node.parameters:
            # An operator renders its own template_fields (bash_command, sql, ...): the palette's form
            # writes them into parameters, so Jinja there runs in the same context.
            templated = _template_fields(node.operator)
            for key, value in node.parameters.items():
                if key in templated:
                    fields += [(node.id, pointer("nodes", i, "parameters", key, *at), text)
                               for at, text in json_strings(value)]  # fmt: skip
    return fields


def _template_fields(operator: str) -> frozenset[str]:
    from airflow_canvas.catalogue.operators import get_entry

    entry = get_entry(operator)
    return frozenset(entry.template_fields) if entry else frozenset()


def check_logical_date_templates(ctx: ValidationContext) -> None:
    """W_TEMPLATE_NEEDS_LOGICAL_DATE: a workflow without a time schedule only has runs without a
    logical date, in which ``{{ ds }}`` and its kin are undefined and the task fails."""
    if ctx.wf.triggers.schedule is not None:
        return  # scheduled runs have a logical date (a manual run of it still has none: the hint says so)
    for node_id, where, text in _rendered_fields(ctx):
        names = logical_date_names(text)
        if not names:
            continue
        used = ", ".join(f"{{{{ {n} }}}}" for n in names)
        instead = "; ".join(f"{{{{ {n} }}}} -> {_NEEDS_LOGICAL_DATE[n]}" for n in names)
        ctx.add(
            "W_TEMPLATE_NEEDS_LOGICAL_DATE",
            f"Node {node_id!r}: the template uses {used}, which Airflow 3 defines only for runs with a "
            "logical date; this workflow has no schedule, so its runs (manual or asset-triggered) have "
            f"none and the task fails with \"'{names[0]}' is undefined\".",
            where,
            node_id=node_id,
            severity="warning",
            hint=f"Use what every run has: {instead} (or {{{{ run_id }}}} for a key unique to the run); "
            "or give the workflow a schedule (its manual runs still have no logical date).",
        )
