"""Notifications -> Airflow notifier instances in the generated DAG source.

Where each level's notifications go:
- node: the task's ``on_<event>_callback`` list (its own notifiers plus those of its groups, since
  a task's own list replaces what it would inherit from the TaskGroup's default_args);
- group: the TaskGroup's ``default_args`` (nested groups inherit and extend their parent's);
- workflow: ``on_failure_callback``/``on_success_callback`` on the DAG (one message per run),
  ``on_retry_callback`` in the DAG's default_args (runs have no retries, tasks do), and
  ``deadline_miss`` as a DAG ``deadline`` (Airflow 3 DeadlineAlert run by the triggerer).

The ``*_exprs`` functions return pyfmt expressions (every user string a ``Lit``), which the IR
carries as they are and the emitter prints: no notifier call passes through source text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from airflow_canvas.compiler.pyfmt import Call, Code, Expr, ListOf, Lit, call, flat, lit_expr
from airflow_canvas.policies.notifiers import NotifierSpec, notifier_kwargs, resolve_notifier
from airflow_canvas.spec.graph import group_chain
from airflow_canvas.spec.models import Group, Node, Notification, Workflow

TASK_EVENTS = ("failure", "retry", "success")
DEADLINE_IMPORTS = (
    ("datetime", "timedelta"),
    ("airflow.sdk", "AsyncCallback"),
    ("airflow.sdk", "DeadlineAlert"),
    ("airflow.sdk", "DeadlineReference"),
)
_REFERENCES = {"queued_at": "DAGRUN_QUEUED_AT", "logical_date": "DAGRUN_LOGICAL_DATE"}


def py_literal(value: Any) -> str:
    """A Python literal for JSON-like data; raises ValueError for anything else (NaN, objects)."""
    return flat(lit_expr(value))


def _notifier_call(spec: NotifierSpec, kwargs: dict[str, Any]) -> Call:
    return call(spec.class_name, **{name: lit_expr(value) for name, value in kwargs.items()})


def _calls(notifications: Iterable[Notification], event: str) -> list[Call]:
    calls = []
    for notification in notifications:
        if event in notification.on:
            spec = resolve_notifier(notification.notifier)
            calls.append(_notifier_call(spec, notifier_kwargs(notification, spec)))
    return calls


def _render_list(calls: Sequence[Expr]) -> ListOf:
    return ListOf(tuple(calls))


def _group_chain(wf: Workflow, group_id: str | None) -> list[Group]:
    """The group and its ancestors, innermost first (cycles are the validator's business)."""
    by_id = {g.id: g for g in wf.groups}
    return [by_id[gid] for gid in reversed(group_chain(wf, group_id))]


def _inherited(wf: Workflow, groups: list[Group], event: str) -> list[Call]:
    calls = [c for g in groups for c in _calls(g.notifications, event)]
    if event == "retry":
        calls += _calls(wf.notifications, "retry")
    return calls


def task_callback_exprs(wf: Workflow, node: Node) -> dict[str, Expr]:
    """Operator kwargs (``on_failure_callback`` ...), only for events the node itself sets;
    other events are inherited from its TaskGroup's or the DAG's default_args."""
    out: dict[str, Expr] = {}
    for event in TASK_EVENTS:
        own = _calls(node.notifications, event)
        if own:
            out[f"on_{event}_callback"] = _render_list(
                own + _inherited(wf, _group_chain(wf, node.group), event)
            )
    return out


def group_default_arg_exprs(wf: Workflow, group: Group) -> dict[str, Expr]:
    """Entries for the TaskGroup's ``default_args``."""
    out: dict[str, Expr] = {}
    for event in TASK_EVENTS:
        own = _calls(group.notifications, event)
        if own:
            parents = _group_chain(wf, group.parent)
            out[f"on_{event}_callback"] = _render_list(own + _inherited(wf, parents, event))
    return out


def dag_default_arg_exprs(wf: Workflow) -> dict[str, Expr]:
    """Entries for the DAG's ``default_args``: workflow-level retry notifications."""
    calls = _calls(wf.notifications, "retry")
    return {"on_retry_callback": _render_list(calls)} if calls else {}


def _deadline_alert(notification: Notification) -> Call:
    spec = resolve_notifier(notification.notifier)
    kwargs = notifier_kwargs(notification, spec)
    return call(
        "DeadlineAlert",
        reference=Code(f"DeadlineReference.{_REFERENCES[notification.deadline_reference]}"),
        interval=call("timedelta", seconds=Lit(float(notification.deadline_seconds or 0))),
        # The triggerer awaits the notifier class with these kwargs when the deadline passes.
        callback=call("AsyncCallback", Code(spec.class_name), kwargs=lit_expr(kwargs)),
    )


def dag_kwarg_exprs(wf: Workflow) -> dict[str, Expr]:
    """DAG constructor kwargs: run-level callbacks and deadline alerts."""
    out: dict[str, Expr] = {}
    for event in ("failure", "success"):
        calls = _calls(wf.notifications, event)
        if calls:
            out[f"on_{event}_callback"] = _render_list(calls)
    alerts = [_deadline_alert(n) for n in wf.notifications if "deadline_miss" in n.on]
    if alerts:
        out["deadline"] = _render_list(alerts)
    return out


def _all_notifications(wf: Workflow) -> Iterable[Notification]:
    yield from wf.notifications
    for group in wf.groups:
        yield from group.notifications
    for node in wf.nodes:
        yield from node.notifications


def notification_names(wf: Workflow) -> set[str]:
    """Names the notifier imports bind: variables derived from ids must not shadow them."""
    return {name for _, name in notification_import_pairs(wf)}


def notification_imports(wf: Workflow) -> list[str]:
    """Import lines the generated file needs for its notifiers, sorted (deterministic output)."""
    by_module: dict[str, list[str]] = {}
    for module, name in sorted(notification_import_pairs(wf)):
        by_module.setdefault(module, []).append(name)
    return sorted(f"from {module} import {', '.join(names)}" for module, names in by_module.items())


def notification_import_pairs(wf: Workflow) -> set[tuple[str, str]]:
    """(module, name) of every class the notifier calls use."""
    pairs: set[tuple[str, str]] = set()
    for notification in _all_notifications(wf):
        if not notification.on:
            continue
        spec = resolve_notifier(notification.notifier)
        pairs.add((spec.module, spec.class_name))
        if "deadline_miss" in notification.on:
            pairs.update(DEADLINE_IMPORTS)
    return pairs


BUDGET_SUBJECT = "Cost budget exceeded: {{ dag.dag_id }}"
BUDGET_MESSAGE = (
    "Run {{ run_id }} of {{ dag.dag_id }} cost ${{ canvas_cost_usd }}, "
    "over the workflow's budget of ${{ canvas_cost_budget_usd }}."
)


def budget_notifier_exprs(wf: Workflow) -> list[Call]:
    """One notifier call per workflow-level notification (whatever events it is for: the budget
    alert goes to the channels the workflow is configured with), its subject and message replaced
    by the budget's own where the notifier takes them. The texts are Airflow templates rendered by
    the notifier with the run's context plus ``canvas_cost_usd`` and ``canvas_cost_budget_usd``."""
    calls: list[Call] = []
    seen: set[str] = set()
    for notification in wf.notifications:
        if not notification.on:  # switched off (and its class is not imported)
            continue
        spec = resolve_notifier(notification.notifier)
        update: dict[str, Any] = {
            "subject": BUDGET_SUBJECT if spec.subject_param else "",
            "message": BUDGET_MESSAGE if spec.message_param else "",
            "on": [],
        }
        expr = _notifier_call(spec, notifier_kwargs(notification.model_copy(update=update), spec))
        key = flat(expr)
        if key not in seen:  # two notifications for different events on one channel: one alert
            seen.add(key)
            calls.append(expr)
    return calls
