"""dag-factory task configs -> operator nodes; BaseOperator settings -> execution policies;
notifier callbacks -> notifications."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from airflow_canvas.catalogue.check import accepted_arguments
from airflow_canvas.catalogue.moves import airflow3_path
from airflow_canvas.importers.report import ImportReport, safe_id
from airflow_canvas.importers.untrusted import load_airflow_operator, refuse_datasets_file, refuse_file_keys
from airflow_canvas.importers.yaml_values import plain, seconds
from airflow_canvas.spec.models import AIRFLOW_TASK_KNOBS, Group, Node, Notification

EMPTY_OPERATOR = "airflow.providers.standard.operators.empty.EmptyOperator"
CALLABLE_KEY = "$callable"  # parameters value {"$callable": "pkg.mod.func"}: the compiler imports it

_TASK_SYSTEM_KEYS = {
    "task_id",
    "operator",
    "dependencies",
    "task_group_name",
    "doc_md",
    "doc",
    "trigger_rule",
}
_POLICY_KEYS = {
    "retries",
    "retry_delay",
    "retry_delay_sec",
    "retry_exponential_backoff",
    "max_retry_delay",
    "execution_timeout",
    "execution_timeout_secs",
    *AIRFLOW_TASK_KNOBS,
}
_CALLBACKS = {
    "on_failure_callback": "failure",
    "on_success_callback": "success",
    "on_retry_callback": "retry",
}
_UNSUPPORTED_CALLBACKS = {"on_execute_callback", "on_skipped_callback", "sla_miss_callback"}
# default_args keys the canvas sets from workflow settings, not from the execution policy.
_SETTINGS_KEYS = {"owner", "start_date", "end_date"}
# Keys that look like callables in dag-factory and can be passed as import paths.
_CALLABLE_PARAMS = {
    "python_callable",
    "response_check",
    "response_filter",
    "pagination_function",
    "output_processor",
    "handler",
    "execution_date_fn",
}


class TaskConverter:
    def __init__(self, dag_id: str, report: ImportReport, taken: set[str]):
        self.dag_id, self.report, self.taken = dag_id, report, taken
        self.run_after_all_done: set[str] = set()  # node ids with trigger_rule all_done

    def _trigger_rule(self, node_id: str, rule: Any, where: str) -> None:
        """all_done is what the canvas's trigger edges mean; other rules have no canvas form."""
        rule = getattr(rule, "value", rule)
        if rule in (None, "all_success"):
            return
        if rule == "all_done":
            self.run_after_all_done.add(node_id)
        else:
            self.report.add(
                where,
                f"trigger_rule {rule!r} has no canvas equivalent; the task runs when all its "
                "upstream tasks succeeded.",
                "error",
            )

    def convert(self, task_id: str, conf: dict[str, Any], group_ids: dict[str, str]) -> Node:
        where = f"{self.dag_id}/tasks/{task_id}"
        conf = refuse_file_keys(conf, where, self.report)
        node_id = safe_id(task_id, self.taken, fallback="task")
        if node_id != task_id:
            self.report.add(where, f"task id {task_id!r} is not a valid node id; using {node_id!r}.")
        group_name = conf.get("task_group_name")
        group = group_ids.get(str(group_name)) if group_name else None
        if group_name and group is None:
            self.report.add(f"{where}/task_group_name", f"task group {group_name!r} does not exist.", "error")
        execution, notifications = self.policy_and_notifications(conf, where, self.report)
        self._trigger_rule(node_id, conf.get("trigger_rule"), f"{where}/trigger_rule")
        node: dict[str, Any] = {
            "id": node_id,
            "name": task_id,
            "type": "tool",
            "group": group,
            "execution": execution,
            "notifications": notifications,
            "description": str(conf.get("doc_md") or conf.get("doc") or ""),
        }
        operator = conf.get("operator")
        if not isinstance(operator, str):
            kind = "decorator" if "decorator" in conf else "task without an operator"
            self.report.add(
                where, f"{kind} tasks are not supported; replaced by an EmptyOperator placeholder.", "error"
            )
            return Node.model_validate({**node, "operator": EMPTY_OPERATOR})
        new_path = airflow3_path(operator)
        if new_path != operator:
            self.report.add(f"{where}/operator", f"{operator} is {new_path} in Airflow 3.", "info")
        loaded = load_airflow_operator(new_path)
        if isinstance(loaded, str):
            self.report.add(
                f"{where}/operator",
                f"operator {operator!r}: {loaded}; replaced by an EmptyOperator placeholder.",
                "error",
            )
            return Node.model_validate({**node, "operator": EMPTY_OPERATOR})
        accepted, required = accepted_arguments(loaded)
        parameters: dict[str, Any] = {}
        handled = _TASK_SYSTEM_KEYS | _POLICY_KEYS | set(_CALLBACKS) | _UNSUPPORTED_CALLBACKS
        for key, value in conf.items():
            if key in handled:
                continue
            mapped = self._parameter(key, value, accepted, f"{where}/{key}")
            if mapped is not None:
                parameters[key] = mapped
        missing = sorted(required - set(parameters))
        if missing:  # the operator can't be built; a placeholder keeps the graph valid and editable
            self.report.add(
                where,
                f"{loaded.__name__} needs {', '.join(missing)}, which did not map; replaced by an "
                "EmptyOperator placeholder (set the operator again on the canvas).",
                "error",
            )
            note = f"Placeholder for {new_path} (missing: {', '.join(missing)})."
            return Node.model_validate(
                {
                    **node,
                    "operator": EMPTY_OPERATOR,
                    "description": f"{node['description']}\n\n{note}".strip(),
                }
            )
        return Node.model_validate({**node, "operator": new_path, "parameters": parameters})

    def _parameter(self, key: str, value: Any, accepted: set[str], where: str) -> Any:
        if key == "inlets":
            self.report.add(where, "inlets (lineage only) are not mapped.", "info")
            return None
        if key == "outlets":
            return self._outlets(value, where)
        if key not in accepted:
            self.report.add(
                where, f"argument {key!r} is not accepted by the operator; it was left out.", "error"
            )
            return None
        if key in _CALLABLE_PARAMS and isinstance(value, str):
            if "." not in value:
                self.report.add(where, f"{key} {value!r} is not an import path; it was left out.", "error")
                return None
            return {CALLABLE_KEY: value}
        try:
            return plain(value)
        except ValueError as exc:
            self.report.add(where, f"{key} not mapped: {exc} is only understood by dag-factory.", "error")
            return None

    def _outlets(self, value: Any, where: str) -> list[str] | None:
        """Asset URIs, given as a list; the compiler turns them into ``Asset`` outlets, so consumer
        DAGs still get triggered. Dataset names looked up in a ``file`` are refused (never read)."""
        if isinstance(value, dict) and "file" in value:
            refuse_datasets_file(where, self.report, "The outlets were left out.")
            return None
        entries = value if isinstance(value, list) else [value]
        uris = [u.strip() for u in entries if isinstance(u, str) and u.strip()]
        if len(uris) != len(entries):
            self.report.add(
                where, "outlets other than asset URIs (e.g. dataset aliases) are not mapped.", "error"
            )
        return uris or None

    @staticmethod
    def policy_and_notifications(
        conf: dict[str, Any], where: str, report: ImportReport, dag_level: bool = False
    ) -> tuple[dict[str, Any], list[Notification]]:
        policy: dict[str, Any] = {}
        retry: dict[str, Any] = {}
        if isinstance(conf.get("retries"), int):
            retry["retries"] = conf["retries"]
        delay = seconds(conf.get("retry_delay", conf.get("retry_delay_sec")))
        if delay is not None:
            retry["delay_seconds"] = delay
        if conf.get("retry_exponential_backoff"):
            retry["exponential_backoff"] = True
        max_delay = seconds(conf.get("max_retry_delay"))
        if max_delay is not None:
            retry["max_delay_seconds"] = max_delay
        if retry:
            policy["retry"] = retry
        timeout = seconds(conf.get("execution_timeout", conf.get("execution_timeout_secs")))
        if timeout:
            policy["timeout_seconds"] = timeout
        for key in ("pool", "queue", "executor", "weight_rule"):
            if isinstance(conf.get(key), str):
                policy[key] = conf[key]
        for key in ("pool_slots", "priority_weight", "max_active_tis_per_dag"):
            if isinstance(conf.get(key), int):
                policy[key] = conf[key]
        notes = TaskConverter.callback_notifications(conf, where, report)
        for key in sorted(set(conf) & _UNSUPPORTED_CALLBACKS):
            report.add(f"{where}/{key}", f"{key} has no canvas equivalent; it was left out.")
        if dag_level:
            known = _POLICY_KEYS | set(_CALLBACKS) | _UNSUPPORTED_CALLBACKS | _SETTINGS_KEYS
            for key in sorted(set(conf) - known):
                report.add(
                    f"{where}/{key}", f"default_args key {key!r} has no canvas equivalent; it was left out."
                )
        return policy, notes

    @staticmethod
    def callback_notifications(conf: dict[str, Any], where: str, report: ImportReport) -> list[Notification]:
        """Callbacks given as ``{callback: notifier.path, ...kwargs}`` map to notifications; plain
        Python functions don't (the canvas only attaches notifiers)."""
        notes: list[Notification] = []
        for key, event in _CALLBACKS.items():
            if key not in conf:
                continue
            value = conf[key]
            entries = value if isinstance(value, list) else [value]
            for entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("callback"), str):
                    kwargs = {k: v for k, v in entry.items() if k != "callback"}
                    try:
                        notes.append(
                            Notification(
                                on=[event],
                                notifier=airflow3_path(entry["callback"]),
                                parameters=plain(kwargs),
                            )
                        )
                    except ValueError as exc:
                        report.add(f"{where}/{key}", f"callback arguments not mapped: {exc}.", "error")
                else:
                    report.add(
                        f"{where}/{key}",
                        f"callback {entry!r} is a plain function, not a notifier; "
                        "it was left out (use an Airflow notifier).",
                    )
        return notes


def group_roots_and_leaves(
    nodes: list[Node], groups: list[Group], tasks_conf: dict[str, dict[str, Any]], node_ids: dict[str, str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """For each group (nested groups included): member nodes with no upstream inside the group
    (roots) and with no downstream inside it (leaves), from the tasks' own dependencies."""
    parents = {g.id: g.parent for g in groups}
    members: dict[str, set[str]] = defaultdict(set)
    for node in nodes:
        group = node.group
        while group:
            members[group].add(node.id)
            group = parents.get(group)
    upstream: dict[str, set[str]] = defaultdict(set)
    for task_id, conf in tasks_conf.items():
        for dep in conf.get("dependencies") or []:
            if str(dep) in node_ids:
                upstream[node_ids[task_id]].add(node_ids[str(dep)])
    roots: dict[str, list[str]] = {}
    leaves: dict[str, list[str]] = {}
    for group, ids in members.items():
        ordered = [n.id for n in nodes if n.id in ids]
        roots[group] = [n for n in ordered if not (upstream[n] & ids)]
        leaves[group] = [n for n in ordered if not any(n in upstream[m] for m in ids)]
    return roots, leaves
