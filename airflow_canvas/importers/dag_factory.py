"""dag-factory YAML -> workflow specs (one per DAG in the file).

Tasks become operator nodes (Airflow 2 paths moved to their Airflow 3 homes), task groups become
groups (``parent_group_name`` -> nesting), ``dependencies`` become dependency edges (a group named as
a dependency stands for its leaf tasks; a group's own dependencies reach its root tasks, which is what
Airflow does with ``group.set_upstream``). Anything that does not map is reported and, for tasks,
replaced by an EmptyOperator placeholder so the graph keeps its shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow_canvas.catalogue.moves import airflow3_path
from airflow_canvas.importers.dag_factory_schedule import convert_schedule
from airflow_canvas.importers.dag_factory_tasks import TaskConverter, group_roots_and_leaves
from airflow_canvas.importers.report import ImportError_, ImportReport, ImportResult, safe_id
from airflow_canvas.importers.untrusted import refuse_file_keys, report_variables
from airflow_canvas.importers.yaml_values import (
    defaults_chain,
    iso_date,
    load_yaml_text,
    merge_defaults,
    plain,
    seconds,
)
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Edge, EdgeKind, Group, Node, Workflow
from airflow_canvas.spec.problems import SpecError

# Top-level keys that are not DAGs (dag-factory's SYSTEM_PARAMS at file level).
_NOT_DAGS = {"default"}
# DAG keys handled here; any other key is reported.
_DAG_KEYS = {
    "default_args",
    "description",
    "doc_md",
    "schedule",
    "catchup",
    "tasks",
    "task_groups",
    "tags",
    "max_active_runs",
    "max_active_tasks",
    "concurrency",
    "dagrun_timeout",
    "dagrun_timeout_sec",
    "params",
    "start_date",
    "on_failure_callback",
    "on_success_callback",
    "dag_display_name",
    "schedule_interval",
}


def import_dag_factory(
    text: str, source: str = "<text>", path: Path | None = None, defaults_root: Path | None = None
) -> list[ImportResult]:
    """Import every DAG of a dag-factory YAML document. ``path`` (the file's location) enables the
    ``defaults.yml`` lookup next to it and, up to ``defaults_root``, in its parent folders."""
    config = load_yaml_text(text, source)
    if not isinstance(config, dict):
        raise ImportError_(source, "a dag-factory file must be a YAML mapping of DAG ids to DAG configs.")
    dags = {k: v for k, v in config.items() if k not in _NOT_DAGS}
    not_dags = [k for k, v in dags.items() if not isinstance(v, dict) or "tasks" not in v]
    if not dags or not_dags:
        names = ", ".join(repr(str(k)) for k in not_dags[:5]) or "(none)"
        raise ImportError_(
            source,
            f"not a dag-factory file: every top-level key except `default` must be a DAG with `tasks`; "
            f"these are not: {names}.",
        )
    file_default = config.get("default") or {}
    global_configs = defaults_chain(path, defaults_root) if path is not None else []
    results = []
    for dag_id, dag_config in dags.items():
        report = ImportReport(source=source, format="dag-factory")
        merged = merge_defaults(global_configs, file_default, dag_config)
        report_variables(merged, str(dag_id), report)
        workflow = convert_dag(str(dag_id), merged, report)
        results.append(ImportResult(workflow=workflow, report=report))
    return results


def _normalise(items: Any, key: str) -> dict[str, dict[str, Any]]:
    if isinstance(items, dict):
        return {str(k): dict(v or {}) for k, v in items.items()}
    if isinstance(items, list):
        return {str(i[key]): dict(i) for i in items if isinstance(i, dict) and key in i}
    return {}


def convert_dag(dag_id: str, config: dict[str, Any], report: ImportReport) -> Workflow:
    config = refuse_file_keys(config, dag_id, report)
    if isinstance(config.get("default_args"), dict):
        config["default_args"] = refuse_file_keys(config["default_args"], f"{dag_id}/default_args", report)
    data: dict[str, Any] = {
        "id": safe_id(dag_id, fallback="dag"),
        "name": str(config.get("dag_display_name") or dag_id),
    }
    if data["id"] != dag_id:
        report.add(dag_id, f"DAG id {dag_id!r} is not a valid workflow id; using {data['id']!r}.")
    description = str(config.get("description") or "")
    if config.get("doc_md"):
        description = f"{description}\n\n{config['doc_md']}".strip()
    data["description"] = description
    data["tags"] = [str(t) for t in config.get("tags") or []]
    data["settings"] = _settings(dag_id, config, report)
    if "schedule_interval" in config and "schedule" not in config:  # Airflow 2 name
        config = {**config, "schedule": config["schedule_interval"]}
        report.add(
            f"{dag_id}/schedule_interval", "schedule_interval (Airflow 2) was read as schedule.", "info"
        )
    data["triggers"] = convert_schedule(config.get("schedule"), f"{dag_id}/schedule", report)
    data["defaults"], data["notifications"] = TaskConverter.policy_and_notifications(
        config.get("default_args") or {}, f"{dag_id}/default_args", report, dag_level=True
    )
    for key in ("on_failure_callback", "on_success_callback"):
        if key in config:
            notes = TaskConverter.callback_notifications({key: config[key]}, f"{dag_id}/{key}", report)
            data["notifications"] = [*data["notifications"], *notes]
    for key in sorted(set(config) - _DAG_KEYS):
        report.add(f"{dag_id}/{key}", f"DAG setting {key!r} has no canvas equivalent and was left out.")
    if config.get("params"):
        try:
            data["params"] = plain(config["params"])
        except ValueError as exc:
            report.add(f"{dag_id}/params", f"params not mapped: {exc}.")

    groups_conf = _normalise(config.get("task_groups"), "group_name")
    tasks_conf = _normalise(config.get("tasks"), "task_id")
    group_ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in groups_conf:
        group_ids[name] = safe_id(name, taken, fallback="group")
    groups = []
    for name, conf in groups_conf.items():
        conf = refuse_file_keys(conf, f"{dag_id}/task_groups/{name}", report)
        parent = conf.get("parent_group_name")
        if parent is not None and parent not in group_ids:
            report.add(
                f"{dag_id}/task_groups/{name}/parent_group_name",
                f"parent group {parent!r} does not exist; the group was put at the top level.",
                "error",
            )
            parent = None
        groups.append(
            Group(
                id=group_ids[name],
                label=name,
                parent=group_ids.get(parent) if parent else None,
                description=str(conf.get("tooltip") or ""),
            )
        )
        for key in sorted(set(conf) - {"group_name", "tooltip", "parent_group_name", "dependencies"}):
            report.add(f"{dag_id}/task_groups/{name}/{key}", f"task group setting {key!r} was left out.")

    converter = TaskConverter(dag_id, report, taken)
    nodes = [converter.convert(task_id, conf, group_ids) for task_id, conf in tasks_conf.items()]
    node_ids = {task_id: node.id for task_id, node in zip(tasks_conf, nodes, strict=True)}
    data["nodes"] = nodes
    data["groups"] = groups
    edges = _edges(dag_id, tasks_conf, groups_conf, node_ids, group_ids, nodes, groups, report)
    for edge in edges:  # trigger edges: the target runs once the source is done, whatever its outcome
        if edge.target in converter.run_after_all_done:
            edge.kind = EdgeKind.TRIGGER
    data["edges"] = edges
    try:
        return parse_workflow(Workflow.model_validate(data).model_dump(mode="json", exclude_defaults=True))
    except SpecError as exc:  # should not happen: every value above was checked; say what broke
        raise ImportError_(
            report.source, f"DAG {dag_id!r} could not be turned into a workflow: {exc}"
        ) from None


def _settings(dag_id: str, config: dict[str, Any], report: ImportReport) -> dict[str, Any]:
    default_args = config.get("default_args") or {}
    settings: dict[str, Any] = {"catchup": bool(config.get("catchup", False))}
    if "owner" in default_args:
        settings["owner"] = str(default_args["owner"])
    raw_start = config.get("start_date", default_args.get("start_date"))
    if raw_start is not None:
        start = iso_date(raw_start)
        if start is None:
            report.add(
                f"{dag_id}/start_date",
                f"start_date {raw_start!r} is not a date; 2024-01-01 is used.",
                "error",
            )
        else:
            settings["start_date"] = start
    for key, target in (
        ("max_active_runs", "max_active_runs"),
        ("max_active_tasks", "max_active_tasks"),
        ("concurrency", "max_active_tasks"),
    ):
        if isinstance(config.get(key), int):
            settings[target] = config[key]
    timeout = seconds(config.get("dagrun_timeout", config.get("dagrun_timeout_sec")))
    if timeout:
        settings["dagrun_timeout_seconds"] = timeout
    return settings


def _edges(
    dag_id: str,
    tasks_conf: dict[str, Any],
    groups_conf: dict[str, Any],
    node_ids: dict[str, str],
    group_ids: dict[str, str],
    nodes: list[Node],
    groups: list[Group],
    report: ImportReport,
) -> list[Edge]:
    roots, leaves = group_roots_and_leaves(nodes, groups, tasks_conf, node_ids)
    edges: dict[tuple[str, str], Edge] = {}

    def targets(name: str, as_upstream: bool) -> list[str]:
        if name in node_ids:
            return [node_ids[name]]
        if name in group_ids:
            return (leaves if as_upstream else roots).get(group_ids[name], [])
        return []

    for kind, confs in (("tasks", tasks_conf), ("task_groups", groups_conf)):
        for name, conf in confs.items():
            for dep in conf.get("dependencies") or []:
                sources, sinks = targets(str(dep), True), targets(name, False)
                if not sources:
                    report.add(
                        f"{dag_id}/{kind}/{name}/dependencies",
                        f"dependency {dep!r} is neither a task nor a task group; it was left out.",
                        "error",
                    )
                for source in sources:
                    for target in sinks:
                        edges.setdefault(
                            (source, target), Edge(source=source, target=target, kind=EdgeKind.DEPENDENCY)
                        )
    return list(edges.values())


__all__ = ["airflow3_path", "convert_dag", "import_dag_factory"]
