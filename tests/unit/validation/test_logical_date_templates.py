"""W_TEMPLATE_NEEDS_LOGICAL_DATE: in Airflow 3 a run without a logical date (every run of a workflow
without a time schedule: manual triggers, the canvas's Run, asset-triggered runs) has no ``ds``,
``ts``, ``logical_date`` or ``data_interval_*`` in its template context, so a template reading them
fails with "'ds' is undefined". Said at design time, with what to write instead."""

from __future__ import annotations

import datetime
import types

import jinja2
import pytest

from airflow_canvas.validation import validate
from airflow_canvas.validation.checks_templates import _NEEDS_LOGICAL_DATE, logical_date_names
from tests.unit.spec.helpers import node, spec

CODE = "W_TEMPLATE_NEEDS_LOGICAL_DATE"
BASH = "airflow.providers.standard.operators.bash.BashOperator"


def _found(data: dict) -> list[tuple[str, str | None, str]]:
    return [(p.pointer, p.node_id, p.severity) for p in validate(data).problems if p.code == CODE]


def test_ds_in_a_workflow_without_a_schedule_warns_with_what_works() -> None:
    data = spec(
        [
            node("sh", "tool", operator=BASH, templates={"bash_command": "echo {{ ds }} {{ run_id }}"}),
            node("bot", "agent", agent={"prompt": "Report for {{ data_interval_start }} to {{ data_interval_end }}"}),
            node("fine", "tool", operator=BASH, templates={"bash_command": "echo {{ run_id }} {{ ti.task_id }}"}),
        ]
    )  # fmt: skip
    assert _found(data) == [
        ("/nodes/0/templates/bash_command", "sh", "warning"),
        ("/nodes/1/agent/prompt", "bot", "warning"),
    ]
    [sh] = [p for p in validate(data).problems if p.code == CODE and p.node_id == "sh"]
    assert "{{ ds }}" in sh.message and "'ds' is undefined" in sh.message and "no schedule" in sh.message
    assert sh.hint and "{{ ds }} -> {{ dag_run.run_after | ds }}" in sh.hint and "{{ run_id }}" in sh.hint


def test_an_operators_templated_arguments_in_parameters_warn_too() -> None:
    """The palette's form writes an operator's templated fields (bash_command, env) into parameters,
    where Airflow renders them all the same; arguments that are not templated are not judged."""
    data = spec(
        [
            node("sh", "tool", operator=BASH, parameters={
                "bash_command": "echo palette-{{ ds }}", "env": {"DAY": "{{ ds_nodash }}"},
                "output_encoding": "{{ ds }}"}),
        ]
    )  # fmt: skip
    assert _found(data) == [
        ("/nodes/0/parameters/bash_command", "sh", "warning"),
        ("/nodes/0/parameters/env/DAY", "sh", "warning"),
    ]


def test_scheduled_workflows_and_names_the_template_sets_itself_do_not_warn() -> None:
    templates = {"bash_command": "echo {{ ds_nodash }}"}
    scheduled = spec(
        [node("sh", "tool", operator=BASH, templates=templates)],
        triggers={"schedule": {"kind": "cron", "value": "0 6 * * *"}},
    )
    assert _found(scheduled) == []
    assets_only = spec(
        [node("sh", "tool", operator=BASH, templates=templates)],
        triggers={"assets": {"uris": ["s3://bucket/x"]}},
    )
    assert _found(assets_only) == [("/nodes/0/templates/bash_command", "sh", "warning")]  # no logical date
    assert logical_date_names("{% set ds = '2024-01-01' %}{{ ds }}") == ()
    assert logical_date_names("{{ dag_run.run_after | ds }} {{ params.ts }}") == ()  # a filter, an attribute
    assert logical_date_names("{{ ts }} {{ logical_date }} {{ ds") == ()  # E_JINJA_SYNTAX's to report
    assert logical_date_names("{{ ts }} and {{ logical_date.year }}") == ("logical_date", "ts")


def _airflow_env() -> jinja2.Environment:
    """The Jinja environment Airflow renders task templates with (its filters, StrictUndefined)."""
    from airflow.sdk.definitions._internal.templater import SandboxedEnvironment

    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, cache_size=0)


@pytest.mark.parametrize("name", sorted(_NEEDS_LOGICAL_DATE))
def test_the_named_variables_fail_without_a_logical_date_and_the_replacements_render(name: str) -> None:
    """Against the context keys Airflow 3.3 sets for a run whose logical_date is None
    (task_runner.get_template_context: dag_run, run_id, prev_*_date_success, no ds/ts/...)."""
    run_after = datetime.datetime(2026, 12, 5, 4, 30, tzinfo=datetime.timezone.utc)
    context = {
        "dag_run": types.SimpleNamespace(run_after=run_after, logical_date=None),
        "run_id": "manual__2026-12-05T04:30:00+00:00",
        "prev_start_date_success": run_after,
        "prev_end_date_success": run_after,
    }
    env = _airflow_env()
    with pytest.raises(jinja2.UndefinedError, match=f"'{name}' is undefined"):
        env.from_string(f"{{{{ {name} }}}}").render(context)
    assert env.from_string(_NEEDS_LOGICAL_DATE[name]).render(context).startswith("2026")
