"""Elyra ``.pipeline`` files (pipeline-flow v3 JSON) -> a workflow spec, keeping the layout.

- Airflow component nodes (``op`` = ``<component>_<ClassName>``) become operator nodes; their
  ``component_source`` (a path such as ``.../airflow/operators/bash_operator.py``) tells the module,
  moved to its Airflow 3 home; otherwise the class name is looked up in the operator catalogue.
- Generic nodes (notebook, Python script, R script) become BashOperator nodes that run the file from
  the pipeline's folder: ``python3 file.py``, ``Rscript file.r``, or ``jupyter nbconvert --execute`` for
  notebooks. Elyra's container settings (runtime image, resources, volumes) have no local
  equivalent and are reported. The importer never opens the files a pipeline names: they run
  when the task does, on the worker.
- Links become dependency edges, node comments are appended to the nodes' descriptions, and
  positions are kept as ``ui.position``."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from airflow_canvas.catalogue.check import accepted_arguments
from airflow_canvas.catalogue.moves import airflow3_path
from airflow_canvas.importers.report import ImportError_, ImportReport, ImportResult, safe_id
from airflow_canvas.importers.untrusted import check_shape, load_airflow_operator
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow

BASH_OPERATOR = "airflow.providers.standard.operators.bash.BashOperator"
EMPTY_OPERATOR = "airflow.providers.standard.operators.empty.EmptyOperator"
GENERIC_OPS = {"execute-notebook-node", "execute-python-node", "execute-r-node"}
# Generic-node properties that only make sense in Elyra's container runtimes.
_CONTAINER_KEYS = {
    "runtime_image",
    "cpu",
    "gpu",
    "memory",
    "gpu_vendor",
    "mounted_volumes",
    "kubernetes_secrets",
    "kubernetes_tolerations",
    "kubernetes_pod_annotations",
    "kubernetes_pod_labels",
    "kubernetes_shared_mem_size",
    "dependencies",
    "include_subdirectories",
    "outputs",
}


def import_elyra(text: str, source: str = "<text>", path: Path | None = None) -> list[ImportResult]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportError_(
            source, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise ImportError_(source, "the JSON nests too deeply to be read.") from None
    check_shape(doc, source)
    if (
        not isinstance(doc, dict)
        or doc.get("doc_type") != "pipeline"
        or not isinstance(doc.get("pipelines"), list)
    ):
        raise ImportError_(
            source,
            "not an Elyra pipeline: expected a pipeline-flow document "
            '({"doc_type": "pipeline", "pipelines": [...]}).',
        )
    pipelines = {p.get("id"): p for p in doc["pipelines"] if isinstance(p, dict)}
    pipeline = pipelines.get(doc.get("primary_pipeline")) or next(iter(pipelines.values()), None)
    if pipeline is None:
        raise ImportError_(source, "the pipeline document has no pipelines.")
    report = ImportReport(source=source, format="elyra")
    for extra in set(pipelines) - {pipeline.get("id")}:
        report.add(
            f"pipelines/{extra}",
            "only the primary pipeline is imported (supernodes are not supported).",
            "error",
        )
    folder = path.parent.resolve() if path is not None else None
    return [ImportResult(workflow=_convert(pipeline, source, folder, report), report=report)]


def _convert(pipeline: dict[str, Any], source: str, folder: Path | None, report: ImportReport) -> Workflow:
    app_data = pipeline.get("app_data") or {}
    props = app_data.get("properties") or {}
    name = str(props.get("name") or Path(source).stem or "pipeline")
    data: dict[str, Any] = {
        "id": safe_id(name, fallback="pipeline"),
        "name": name,
        "description": str(props.get("description") or ""),
    }
    runtime = props.get("runtime") or app_data.get("runtime")
    if runtime:
        data["description"] = (
            f"{data['description']}\n\nImported from an Elyra pipeline (runtime: {runtime}).".strip()
        )
    # Elyra fills a generic node's missing properties from the pipeline defaults (env vars merge).
    defaults = {
        k: _unwrap(v)
        for k, v in (props.get("pipeline_defaults") or {}).items()
        if v not in (None, "", [], {})
    }
    if defaults:
        report.add(
            "properties/pipeline_defaults",
            f"pipeline defaults ({', '.join(sorted(defaults))}) were applied to the generic nodes.",
            "info",
        )
    taken: set[str] = set()
    ids: dict[str, str] = {}
    nodes: list[dict[str, Any]] = []
    raw_nodes = [n for n in pipeline.get("nodes") or [] if isinstance(n, dict)]
    for raw in raw_nodes:
        node = _node(raw, taken, folder, report, defaults)
        if node is not None:
            ids[str(raw.get("id"))] = node["id"]
            nodes.append(node)
    _attach_comments(app_data, ids, nodes, data, report)
    data["nodes"] = nodes
    data["edges"] = _edges(raw_nodes, ids, report)
    try:
        return parse_workflow(Workflow.model_validate(data).model_dump(mode="json", exclude_defaults=True))
    except Exception as exc:  # a value we did not anticipate: say which pipeline it was
        raise ImportError_(source, f"the pipeline could not be turned into a workflow: {exc}") from None


def _label(raw: dict[str, Any]) -> str:
    app = raw.get("app_data") or {}
    return str(app.get("label") or (app.get("ui_data") or {}).get("label") or raw.get("id") or "node")


def _node(
    raw: dict[str, Any], taken: set[str], folder: Path | None, report: ImportReport, defaults: dict[str, Any]
) -> dict[str, Any] | None:
    label = _label(raw)
    where = f"nodes/{raw.get('id')}"
    if raw.get("type") != "execution_node":
        report.add(
            where, f"node {label!r} of type {raw.get('type')!r} is not supported; it was left out.", "error"
        )
        return None
    app = raw.get("app_data") or {}
    ui = app.get("ui_data") or {}
    node: dict[str, Any] = {
        "id": safe_id(label.rsplit(".", 1)[0] if label.endswith((".ipynb", ".py", ".r")) else label, taken),
        "name": label,
        "type": "tool",
        "ui": {"position": {"x": float(ui.get("x_pos") or 0), "y": float(ui.get("y_pos") or 0)}},
    }
    params = {k: _unwrap(v) for k, v in (app.get("component_parameters") or {}).items()}
    op = str(raw.get("op") or "")
    if op in GENERIC_OPS:
        own = {k: v for k, v in params.items() if v not in (None, "", [], {})}
        merged = {
            **defaults,
            **own,
            "env_vars": [*(defaults.get("env_vars") or []), *(own.get("env_vars") or [])],
        }
        node.update(_generic(op, merged, folder, f"{where}/component_parameters", report))
    else:
        node.update(_component(op, app, params, where, report))
    return node


def _unwrap(value: Any) -> Any:
    """Elyra 3.x stores {"activeControl": "StringControl", "StringControl": v} or {"widget", "value"}."""
    if isinstance(value, dict) and "activeControl" in value:
        return value.get(value["activeControl"])
    if isinstance(value, dict) and set(value) <= {"widget", "value"} and "value" in value:
        return value["value"]
    return value


def _generic(
    op: str, params: dict[str, Any], folder: Path | None, where: str, report: ImportReport
) -> dict[str, Any]:
    filename = str(params.get("filename") or "")
    if not filename:
        report.add(
            f"{where}/filename", "generic node without a filename; replaced by an EmptyOperator.", "error"
        )
        return {"operator": EMPTY_OPERATOR}
    quoted = shlex.quote(filename)
    if filename.endswith(".ipynb"):
        command = f'jupyter nbconvert --to notebook --execute --output-dir "$(mktemp -d)" {quoted}'
    elif filename.endswith((".r", ".R")):
        command = f"Rscript {quoted}"
    else:
        command = f"python3 {quoted}"
    parameters: dict[str, Any] = {"bash_command": command}
    if folder is not None:
        parameters["cwd"] = str(folder)
    env = {}
    for item in params.get("env_vars") or []:
        item = _unwrap(item)
        text = item if isinstance(item, str) else f"{item.get('env_var', '')}={item.get('value', '')}"
        key, sep, value = text.partition("=")
        if sep and key.strip():
            env[key.strip()] = value
    if env:
        parameters["env"] = env
        parameters["append_env"] = True
    notes = []
    for key in sorted(set(params) & _CONTAINER_KEYS):
        if params[key] not in (None, "", [], {}, False):
            notes.append(f"- {key}: {json.dumps(params[key])}")
            report.add(
                f"{where}/{key}",
                f"{key} is an Elyra container setting; it is kept in the node description but not applied.",
                "info",
            )
    for key in sorted(set(params) - _CONTAINER_KEYS - {"filename", "env_vars"}):
        if params[key] not in (None, "", [], {}):
            report.add(f"{where}/{key}", f"property {key!r} was left out.")
    description = f"Runs `{filename}` (imported from an Elyra {op})."
    if notes:
        description += "\n\nElyra settings not applied here:\n" + "\n".join(notes)
    return {"operator": BASH_OPERATOR, "parameters": parameters, "description": description}


def _operator_path(op: str, app: dict[str, Any]) -> str | None:
    class_name = op.rsplit("_", 1)[-1]
    component = str(app.get("component_source") or "")
    marker = component.rfind("/airflow/")
    if marker >= 0 and component.endswith(".py"):
        module = component[marker + 1 : -3].replace("/", ".")
        return airflow3_path(f"{module}.{class_name}")
    from airflow_canvas.catalogue.operators import operator_catalogue

    matches = [
        e.operator for e in operator_catalogue() if e.name == airflow3_path(f"x.{class_name}").split(".")[-1]
    ]
    return matches[0] if len(matches) == 1 else None


def _component(
    op: str, app: dict[str, Any], params: dict[str, Any], where: str, report: ImportReport
) -> dict[str, Any]:
    path = _operator_path(op, app)
    loaded = load_airflow_operator(path) if path else f"no installed operator matches {op!r}"
    if isinstance(loaded, str):
        report.add(
            f"{where}/op", f"component {op!r}: {loaded}; replaced by an EmptyOperator placeholder.", "error"
        )
        return {"operator": EMPTY_OPERATOR, "description": f"Placeholder for the Elyra component {op!r}."}
    from airflow_canvas.catalogue.operators import parameters_schema

    schema = parameters_schema(loaded)["properties"]
    accepted, required = accepted_arguments(loaded)
    parameters: dict[str, Any] = {}
    for key, value in params.items():
        if value in ("", None):
            continue  # Elyra writes every optional field, empty
        if key not in accepted:
            report.add(
                f"{where}/component_parameters/{key}",
                f"{loaded.__name__} (Airflow 3) has no argument {key!r}; it was left out.",
            )
            continue
        parameters[key] = _typed(value, schema.get(key, {}))
    path = f"{loaded.__module__}.{loaded.__name__}"
    missing = sorted(required - set(parameters))
    if missing:  # the operator can't be built; a placeholder keeps the workflow valid and editable
        report.add(
            f"{where}/component_parameters",
            f"{loaded.__name__} needs {', '.join(missing)}; replaced by an EmptyOperator placeholder.",
            "error",
        )
        return {
            "operator": EMPTY_OPERATOR,
            "description": f"Placeholder for {path} (missing: {', '.join(missing)}).",
        }
    return {"operator": path, "parameters": parameters}


def _typed(value: Any, schema: dict[str, Any]) -> Any:
    """Elyra keeps dict/list arguments as JSON text; decode them where the operator wants one."""
    declared = schema.get("type")
    kinds: list[Any] = declared if isinstance(declared, list) else [declared]
    kinds += [s.get("type") for s in schema.get("anyOf", [])]
    if isinstance(value, str) and ("object" in kinds or "array" in kinds) and value.strip()[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _attach_comments(
    app_data: dict[str, Any],
    ids: dict[str, str],
    nodes: list[dict[str, Any]],
    data: dict[str, Any],
    report: ImportReport,
) -> None:
    by_id = {n["id"]: n for n in nodes}
    for comment in (app_data.get("ui_data") or {}).get("comments") or []:
        content = str(comment.get("content") or "").strip()
        if not content:
            continue
        refs = [ids.get(str(r.get("node_ref"))) for r in comment.get("associated_id_refs") or []]
        targets = [by_id[r] for r in refs if r in by_id]
        for node in targets:
            node["description"] = f"{node.get('description', '')}\n\n{content}".strip()
        if not targets:
            data["description"] = f"{data['description']}\n\n{content}".strip()
        report.add(
            f"comments/{comment.get('id')}",
            "comment kept in the description of "
            + (", ".join(repr(n["id"]) for n in targets) or "the workflow")
            + " (its box position is not).",
            "info",
        )


def _edges(
    raw_nodes: list[dict[str, Any]], ids: dict[str, str], report: ImportReport
) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    for raw in raw_nodes:
        target = ids.get(str(raw.get("id")))
        for port in raw.get("inputs") or []:
            for link in port.get("links") or []:
                source = ids.get(str(link.get("node_id_ref")))
                if source is None or target is None:
                    report.add(
                        f"links/{link.get('id')}", "link to a node that was not imported; left out.", "error"
                    )
                    continue
                edge: dict[str, Any] = {"source": source, "target": target, "kind": "dependency"}
                if link.get("id"):
                    edge["id"] = str(link["id"])
                label = ((link.get("app_data") or {}).get("ui_data") or {}).get("label")
                if label:
                    edge["label"] = str(label)
                edges.append(edge)
    return edges
