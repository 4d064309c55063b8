"""Notifications -> notifier source: levels, inheritance, literals, deadlines, problems."""

from __future__ import annotations

import ast
from typing import Any

from airflow_canvas.compiler.notifications import (
    dag_default_arg_exprs,
    dag_kwarg_exprs,
    group_default_arg_exprs,
    notification_imports,
    notification_names,
    py_literal,
    task_callback_exprs,
)
from airflow_canvas.compiler.pyfmt import Expr, flat
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Group, Node, Workflow
from airflow_canvas.validation.checks_notifications import notification_problems


def _mail(on: list[str], subject: str, **extra: Any) -> dict[str, Any]:
    return {"on": on, "to": ["ops@example.com"], "subject": subject, "connection_id": "smtp_x", **extra}


WF = parse_workflow(
    {
        "id": "notify_wf",
        "notifications": [
            _mail(["failure"], "run failed"),
            _mail(["retry"], "wf retry"),
            _mail(["deadline_miss"], "late", deadline_seconds=600),
        ],
        "groups": [
            {"id": "outer", "notifications": [_mail(["failure"], "outer failed")]},
            {"id": "inner", "parent": "outer", "notifications": [_mail(["failure", "success"], "inner")]},
        ],
        "nodes": [
            {
                "id": "a",
                "type": "process",
                "group": "inner",
                "notifications": [_mail(["failure"], "a failed")],
            },
            {"id": "b", "type": "process", "group": "inner"},
        ],
    }
)


def _printed(exprs: dict[str, Expr]) -> dict[str, str]:
    """The expressions as the emitter prints them (one line each)."""
    return {key: flat(expr) for key, expr in exprs.items()}


def task_callbacks(wf: Workflow, node: Node) -> dict[str, str]:
    return _printed(task_callback_exprs(wf, node))


def group_default_args(wf: Workflow, group: Group) -> dict[str, str]:
    return _printed(group_default_arg_exprs(wf, group))


def dag_default_args(wf: Workflow) -> dict[str, str]:
    return _printed(dag_default_arg_exprs(wf))


def dag_kwargs(wf: Workflow) -> dict[str, str]:
    return _printed(dag_kwarg_exprs(wf))


def _evaluate(expr: str) -> Any:
    namespace: dict[str, Any] = {}
    exec("\n".join(notification_imports(WF)), namespace)  # noqa: S102 - our own generated source
    return eval(expr, namespace)  # noqa: S307


def test_node_list_carries_its_own_then_its_groups_notifiers() -> None:
    kwargs = task_callbacks(WF, WF.node("a"))
    assert set(kwargs) == {"on_failure_callback"}
    notifiers = _evaluate(kwargs["on_failure_callback"])
    assert [n.subject for n in notifiers] == ["a failed", "inner", "outer failed"]
    assert notifiers[0].smtp_conn_id == "smtp_x" and notifiers[0].to == ["ops@example.com"]
    assert task_callbacks(WF, WF.node("b")) == {}  # inherits from its TaskGroup's default_args


def test_group_default_args_extend_the_parent_group() -> None:
    inner = group_default_args(WF, WF.groups[1])
    assert [n.subject for n in _evaluate(inner["on_failure_callback"])] == ["inner", "outer failed"]
    assert [n.subject for n in _evaluate(inner["on_success_callback"])] == ["inner"]


def test_workflow_level_goes_to_the_dag_and_its_default_args() -> None:
    kwargs = dag_kwargs(WF)
    assert [n.subject for n in _evaluate(kwargs["on_failure_callback"])] == ["run failed"]
    assert [n.subject for n in _evaluate(dag_default_args(WF)["on_retry_callback"])] == ["wf retry"]
    (alert,) = _evaluate(kwargs["deadline"])
    assert alert.interval.total_seconds() == 600
    assert alert.callback.path == "airflow.providers.smtp.notifications.smtp.SmtpNotifier"
    assert alert.callback.kwargs["subject"] == "late"


def test_hostile_strings_stay_literals() -> None:
    evil = "x'); import os; os.system('boom'); ('"
    wf = parse_workflow(
        {"id": "w", "nodes": [{"id": "n", "type": "process", "notifications": [_mail(["failure"], evil)]}]}
    )
    source = task_callbacks(wf, wf.nodes[0])["on_failure_callback"]
    tree = ast.parse(source, mode="eval")
    assert not any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree))
    assert ast.literal_eval(tree.body.elts[0].keywords[2].value) == evil


def test_output_is_deterministic_and_imports_sorted() -> None:
    assert notification_imports(WF) == [
        "from airflow.providers.smtp.notifications.smtp import SmtpNotifier",
        "from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference",
        "from datetime import timedelta",
    ]
    assert task_callbacks(WF, WF.node("a")) == task_callbacks(WF, WF.node("a"))
    assert {"SmtpNotifier", "DeadlineAlert", "timedelta"} <= notification_names(WF)
    assert py_literal({"a": [1, 2.5, None, True, "q'"]}) == '{"a": [1, 2.5, None, True, "q\'"]}'


def test_problems_name_the_field_and_owner() -> None:
    wf = parse_workflow(
        {
            "id": "w",
            "notifications": [{"on": ["deadline_miss"], "to": ["a@example.com"]}],
            "groups": [{"id": "g", "notifications": [{"notifier": "smpt", "to": ["a@example.com"]}]}],
            "nodes": [
                {
                    "id": "n",
                    "type": "process",
                    "notifications": [_mail(["deadline_miss"], "x", deadline_seconds=5)],
                },
                {"id": "m", "type": "process", "notifications": [{"on": ["failure"]}]},
            ],
        }
    )
    found = {(p.code, p.pointer, p.node_id or p.group_id) for p in notification_problems(wf)}
    assert found == {
        ("E_DEADLINE_MISSING", "/notifications/0/deadline_seconds", None),
        ("E_NOTIFIER", "/groups/0/notifications/0/notifier", "g"),
        ("E_DEADLINE_SCOPE", "/nodes/0/notifications/0/on", "n"),
        ("E_NOTIFIER", "/nodes/1/notifications/0/to", "m"),
    }
    assert notification_problems(WF) == []
