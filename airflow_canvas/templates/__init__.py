"""The template gallery: workflow and sub-graph templates shipped as JSON files in this folder.

A template file holds metadata (name, title, description, kind, tags, entry/exit node ids), a
JSON Schema of its ``parameters`` and a ``body``: a workflow spec (kind "workflow") or
``{nodes, edges, groups, tools}`` (kind "subgraph"). Parameters enter the body by structured
substitution only, never by formatting JSON text:

- ``{"$param": "name"}`` is replaced by the parameter's value (any JSON value);
- ``{"$join": [part, ...]}`` becomes a string: text parts stay, parameter parts are converted
  (lists of scalars joined with ", "), so a value can sit inside a sentence;
- ``{"$literal": value}`` is ``value`` untouched (to write a key starting with "$").

Values are checked against the parameter schema first (unknown names are errors), and the
result is parsed and validated like any spec, so a template never yields a broken workflow.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from airflow_canvas.runtime.core import schema_problems
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import ID_RE, Edge, Group, Node, Tool, Workflow
from airflow_canvas.spec.problems import did_you_mean
from airflow_canvas.validation import check_workflow

TEMPLATE_DIR = Path(__file__).resolve().parent
_DIRECTIVES = ("$param", "$join", "$literal")


class TemplateError(ValueError):
    """A template is unknown, or the parameters given to it are wrong (the message names them)."""


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    title: str
    description: str
    kind: Literal["workflow", "subgraph"]
    parameters: dict[str, Any]  # JSON Schema of the parameters object
    tags: list[str] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)  # node ids where a sub-graph's flow begins
    exit: list[str] = field(default_factory=list)  # node ids whose outputs leave it
    nodes: int = 0  # how many nodes it adds, for listings

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Subgraph:
    """Nodes, edges and groups to merge into a workflow (ids already prefixed), plus the inline
    tools they use and the prefixed entry/exit node ids to wire them up."""

    nodes: list[Node]
    edges: list[Edge]
    groups: list[Group]
    tools: list[Tool] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)
    exit: list[str] = field(default_factory=list)


@cache
def _load_all() -> dict[str, tuple[TemplateInfo, dict[str, Any]]]:
    found: dict[str, tuple[TemplateInfo, dict[str, Any]]] = {}
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("name") != path.stem:
            raise RuntimeError(f'Template file {path.name} must have "name": {path.stem!r}.')
        info = TemplateInfo(
            name=data["name"],
            title=data.get("title") or data["name"],
            description=data.get("description", ""),
            kind=data.get("kind", "workflow"),
            parameters=data.get("parameters") or {"type": "object", "properties": {}},
            tags=list(data.get("tags", [])),
            entry=list(data.get("entry", [])),
            exit=list(data.get("exit", [])),
            nodes=len(data["body"].get("nodes", [])),
        )
        found[info.name] = (info, data["body"])
    return found


def list_templates(kind: str | None = None) -> list[TemplateInfo]:
    """Every template (or those of one kind), sorted by name."""
    return [info for info, _ in _load_all().values() if kind is None or info.kind == kind]


def get_template(name: str) -> TemplateInfo:
    return _lookup(name)[0]


def _lookup(name: str) -> tuple[TemplateInfo, dict[str, Any]]:
    templates = _load_all()
    if name not in templates:
        hint = did_you_mean(name, templates)
        raise TemplateError(
            f"There is no template {name!r}."
            + (f" {hint[0].upper()}{hint[1:]}" if hint else "")
            + f" Known: {', '.join(templates)}."
        )
    return templates[name]


def resolve_parameters(info: TemplateInfo, params: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults filled in, then checked against the template's parameter schema."""
    params = dict(params or {})
    properties: dict[str, Any] = info.parameters.get("properties", {})
    unknown = [k for k in params if k not in properties]
    if unknown:
        hints = [did_you_mean(k, properties) for k in unknown]
        raise TemplateError(
            f"Template {info.name!r} has no parameter {', '.join(map(repr, unknown))}"
            + "".join(f"; {h}" for h in hints if h)
            + f". Parameters: {', '.join(properties) or 'none'}."
        )
    resolved = {k: copy.deepcopy(s["default"]) for k, s in properties.items() if "default" in s}
    resolved.update(params)
    errors = schema_problems(resolved, info.parameters, sep=".", root="parameters")
    if errors:
        raise TemplateError(f"Template {info.name!r}: invalid parameters: {'; '.join(errors)}")
    return resolved


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(_text(v) for v in value)
    if value is None or isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def substitute(body: Any, params: dict[str, Any]) -> Any:
    """``body`` with every directive replaced; the input is not modified."""
    if isinstance(body, list):
        return [substitute(item, params) for item in body]
    if not isinstance(body, dict):
        return body
    directive = next((k for k in _DIRECTIVES if k in body), None)
    if directive is None:
        return {key: substitute(value, params) for key, value in body.items()}
    if len(body) != 1:
        raise TemplateError(f"{directive} must be alone in its object, found keys {sorted(body)}.")
    arg = body[directive]
    if directive == "$literal":
        return copy.deepcopy(arg)
    if directive == "$param":
        if arg not in params:
            raise TemplateError(f"The template uses parameter {arg!r}, which it does not declare.")
        return copy.deepcopy(params[arg])
    if not isinstance(arg, list):
        raise TemplateError("$join takes a list of parts.")
    return "".join(_text(substitute(part, params)) for part in arg)


def slugify(text: str) -> str:
    """A workflow id from free text: 'Daily sales report!' -> 'daily_sales_report'."""
    slug = re.sub(r"[^A-Za-z0-9_\-]+", "_", text.strip()).strip("_-").lower()
    return slug[:200] or "workflow"


def instantiate_template(
    name: str,
    params: dict[str, Any] | None = None,
    *,
    workflow_id: str | None = None,
    workflow_name: str | None = None,
) -> Workflow:
    """A new Workflow from a template. Raises TemplateError (bad name/parameters) or SpecError
    (the parameters produce an invalid workflow, e.g. a cron that does not parse)."""
    info, body = _lookup(name)
    if info.kind != "workflow":
        raise TemplateError(f"Template {name!r} is a sub-graph; use instantiate_subgraph().")
    data = substitute(body, resolve_parameters(info, params))
    data["id"] = workflow_id or info.name
    if not ID_RE.match(data["id"]):
        raise TemplateError(f"Workflow id {data['id']!r} is not valid; try {slugify(data['id'])!r}.")
    data["name"] = workflow_name or data.get("name") or info.title
    wf = parse_workflow(data)
    check_workflow(wf)
    return wf


def _prefixed(data: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Prefix every id and every reference to one, so the parts can join another workflow."""
    if not prefix:
        return data

    def ref(value: str | None) -> str | None:
        return None if value is None else prefix + value

    for node in data.get("nodes", []):
        node["id"] = prefix + node["id"]
        node["group"] = ref(node.get("group"))
        execution = node.get("execution") or {}
        if execution.get("fallback_node"):
            execution["fallback_node"] = prefix + execution["fallback_node"]
    for edge in data.get("edges", []):
        edge["source"], edge["target"] = prefix + edge["source"], prefix + edge["target"]
        if edge.get("id"):
            edge["id"] = prefix + edge["id"]
    for group in data.get("groups", []):
        group["id"] = prefix + group["id"]
        group["parent"] = ref(group.get("parent"))
    return data


def instantiate_subgraph(name: str, params: dict[str, Any] | None = None, id_prefix: str = "") -> Subgraph:
    """The nodes, edges and groups of a template (sub-graph or workflow), ids prefixed."""
    if id_prefix and not ID_RE.match(id_prefix):
        raise TemplateError(f"id_prefix {id_prefix!r} must hold only letters, digits, '_' and '-'.")
    info, body = _lookup(name)
    data = substitute(body, resolve_parameters(info, params))
    data = _prefixed(
        {k: data.get(k, []) for k in ("nodes", "edges", "groups")} | {"tools": data.get("tools", [])},
        id_prefix,
    )
    # Parse through a throwaway workflow so field problems carry proper pointers.
    wf = parse_workflow({"id": "subgraph", **data})
    return Subgraph(
        nodes=list(wf.nodes),
        edges=list(wf.edges),
        groups=list(wf.groups),
        tools=list(wf.tools),
        entry=[id_prefix + n for n in info.entry],
        exit=[id_prefix + n for n in info.exit],
    )
