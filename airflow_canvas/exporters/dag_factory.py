"""Operator-only workflows -> dag-factory 1.x YAML (one DAG), readable by ``dagfactory.load_yaml_dags``."""

from __future__ import annotations

from typing import Any

import yaml

from airflow_canvas.exporters.errors import ExportError
from airflow_canvas.spec.models import AIRFLOW_TASK_KNOBS, EdgeKind, ExecutionPolicy, Notification, Workflow

CALLABLE_KEY = "$callable"
SMTP_NOTIFIER = "airflow.providers.smtp.notifications.smtp.SmtpNotifier"
_EVENT_CALLBACK = {
    "failure": "on_failure_callback",
    "success": "on_success_callback",
    "retry": "on_retry_callback",
}


def export_dag_factory(workflow: Workflow) -> str:
    for node in workflow.nodes:
        if not node.operator:
            raise ExportError(
                f"Node {node.id!r} is a {node.type.value} node; dag-factory YAML can only hold operator nodes.",
                node_id=node.id,
            )
    dag: dict[str, Any] = {}
    if workflow.description:
        dag["description"] = workflow.description
    default_args: dict[str, Any] = {
        "owner": workflow.settings.owner,
        "start_date": workflow.settings.start_date,
    }
    default_args.update(_policy(workflow.defaults))
    dag["default_args"] = default_args
    schedule = _schedule(workflow)
    if schedule is not None:
        dag["schedule"] = schedule
    dag["catchup"] = workflow.settings.catchup
    for key in ("max_active_runs", "max_active_tasks"):
        if getattr(workflow.settings, key) is not None:
            dag[key] = getattr(workflow.settings, key)
    if workflow.settings.dagrun_timeout_seconds:
        dag["dagrun_timeout"] = _timedelta(workflow.settings.dagrun_timeout_seconds)
    if workflow.tags:
        dag["tags"] = list(workflow.tags)
    if workflow.params:
        dag["params"] = dict(workflow.params)
    dag.update(_callbacks(workflow.notifications, "workflow"))
    if workflow.groups:
        dag["task_groups"] = [
            {
                "group_name": g.id,
                **({"tooltip": g.description} if g.description else {}),
                **({"parent_group_name": g.parent} if g.parent else {}),
            }
            for g in workflow.groups
        ]
    dag["tasks"] = [_task(workflow, node) for node in workflow.nodes]
    return yaml.safe_dump({workflow.id: dag}, sort_keys=False, allow_unicode=True, width=110)


def _task(workflow: Workflow, node: Any) -> dict[str, Any]:
    task: dict[str, Any] = {"task_id": node.id, "operator": node.operator}
    for key, value in node.parameters.items():
        task[key] = _value(value)
    task.update(_policy(node.execution))
    incoming = [e for e in workflow.edges if e.target == node.id]
    for edge in incoming:
        if edge.condition:
            raise ExportError(
                f"Edge {edge.key!r} has a condition; dag-factory has no conditional edges.", node.id
            )
    if incoming:
        task["dependencies"] = [e.source for e in incoming]
        kinds = {e.kind for e in incoming}
        if EdgeKind.TRIGGER in kinds:
            if kinds != {EdgeKind.TRIGGER}:
                raise ExportError(
                    f"Node {node.id!r} mixes trigger and dependency edges; dag-factory can't say that.",
                    node.id,
                )
            task["trigger_rule"] = "all_done"
    if node.group:
        task["task_group_name"] = node.group
    if node.description:
        task["doc_md"] = node.description
    task.update(_callbacks(node.notifications, node.id))
    return task


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {CALLABLE_KEY}:
            return value[CALLABLE_KEY]  # dag-factory imports dotted callables itself
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def _timedelta(seconds: float) -> dict[str, Any]:
    return {"__type__": "datetime.timedelta", "seconds": seconds}


def _policy(policy: ExecutionPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if policy.retry is not None:
        out["retries"] = policy.retry.retries
        out["retry_delay"] = _timedelta(policy.retry.delay_seconds)
        if policy.retry.exponential_backoff:
            out["retry_exponential_backoff"] = True
        if policy.retry.max_delay_seconds is not None:
            out["max_retry_delay"] = _timedelta(policy.retry.max_delay_seconds)
    if policy.timeout_seconds:
        out["execution_timeout"] = _timedelta(policy.timeout_seconds)
    for key in AIRFLOW_TASK_KNOBS:
        if getattr(policy, key) is not None:
            out[key] = getattr(policy, key)
    return out


def _callbacks(notifications: list[Notification], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for note in notifications:
        if note.notifier == "smtp":
            entry: dict[str, Any] = {
                "callback": SMTP_NOTIFIER,
                "to": note.to,
                "subject": note.subject,
                "html_content": note.message,
                **note.parameters,
            }
            if note.connection_id:
                entry["smtp_conn_id"] = note.connection_id
        else:
            entry = {"callback": note.notifier, **note.parameters}
        for event in note.on:
            key = _EVENT_CALLBACK.get(event)
            if key is None:
                raise ExportError(f"{where}: {event!r} notifications have no dag-factory callback.")
            if key in out:
                raise ExportError(
                    f"{where}: dag-factory takes one {key}; this has several notifications for it."
                )
            out[key] = entry
    return out


def _condition_yaml(condition: Any) -> Any:
    if isinstance(condition, str):
        return condition
    op, items = next(iter(condition.items()))
    return {f"__{op}__": [_condition_yaml(i) for i in items]}


def _schedule(workflow: Workflow) -> Any:
    triggers = workflow.triggers
    if triggers.assets is not None:
        if triggers.schedule is not None:
            raise ExportError("A schedule combined with asset events can't be written as dag-factory YAML.")
        assets = triggers.assets
        if assets.condition is not None:
            return {"datasets": _condition_yaml(assets.condition)}
        if assets.mode == "and":
            return list(assets.uris)
        return {"datasets": {"__or__": list(assets.uris)}}
    if triggers.schedule is None:
        return None
    if triggers.schedule.kind == "interval":
        from airflow_canvas.spec.schedule import parse_interval

        return _timedelta(parse_interval(triggers.schedule.value).total_seconds())
    return triggers.schedule.value
