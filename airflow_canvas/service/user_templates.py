"""User templates: a workflow saved as a template, with chosen fields as its parameters.

A parameter names a field of the workflow by JSON pointer (``/triggers/schedule/value``,
``/nodes/2/agent/connection_id``); saving replaces that value in the stored body by the gallery's
``{"$param": name}`` directive and declares the parameter with the current value as its default and
the value's JSON type. Instantiating goes through the gallery's own substitution and parameter
check (airflow_canvas.templates), then parses and validates the result: a template never yields a
workflow the spec checks would refuse, and a value enters the spec as data, never as code."""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from airflow_canvas import templates as gallery
from airflow_canvas.service.audit import audit
from airflow_canvas.spec.load import dump_workflow, parse_workflow
from airflow_canvas.spec.models import ID_RE, Workflow
from airflow_canvas.store import chains as store
from airflow_canvas.validation import check_workflow

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
# The parts of a workflow a parameter may not replace: what makes it a workflow at all.
_FIXED = {"id", "spec_version", "version", "nodes", "edges", "groups", "tools"}


class TemplateParam(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN, max_length=64, description="Parameter name.")
    pointer: str = Field(max_length=500, description="JSON pointer of the field in the workflow spec.")
    title: str = Field("", max_length=250)
    description: str = Field("", max_length=2000)


def _tokens(pointer: str) -> list[str]:
    if not pointer.startswith("/"):
        raise gallery.TemplateError(f"Parameter pointer {pointer!r} must start with '/' (e.g. /description).")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _container(doc: Any, tokens: list[str], pointer: str) -> tuple[Any, Any]:
    node = doc
    for token in tokens[:-1]:
        node = _step(node, token, pointer)
    last: Any = tokens[-1]
    if isinstance(node, list):
        last = _index(node, last, pointer)
    elif not isinstance(node, dict) or last not in node:
        raise gallery.TemplateError(f"Parameter pointer {pointer!r} names no field of the workflow.")
    return node, last


def _index(node: list[Any], token: str, pointer: str) -> int:
    if not re.fullmatch(r"0|[1-9][0-9]*", token) or int(token) >= len(node):
        raise gallery.TemplateError(f"Parameter pointer {pointer!r}: {token!r} is not an index of that list.")
    return int(token)


def _step(node: Any, token: str, pointer: str) -> Any:
    if isinstance(node, list):
        return node[_index(node, token, pointer)]
    if isinstance(node, dict) and token in node:
        return node[token]
    raise gallery.TemplateError(f"Parameter pointer {pointer!r} names no field of the workflow.")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def build(
    wf: Workflow, params: list[TemplateParam], *, name: str, title: str, description: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(parameters JSON Schema, body with directives) for a workflow and its chosen parameters."""
    body = dump_workflow(wf)
    body.pop("version", None)
    schema: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    seen_names: set[str] = set()
    seen_pointers: set[str] = set()
    for p in params:
        tokens = _tokens(p.pointer)
        if tokens[0] in _FIXED and len(tokens) == 1:
            raise gallery.TemplateError(f"Parameter {p.name!r}: {p.pointer} cannot be a parameter.")
        if p.name in seen_names or p.pointer in seen_pointers:
            raise gallery.TemplateError(f"Parameter {p.name!r} ({p.pointer}) is declared twice.")
        seen_names.add(p.name)
        seen_pointers.add(p.pointer)
        holder, key = _container(body, tokens, p.pointer)
        value = holder[key]
        if isinstance(value, dict) and any(k.startswith("$") for k in value):
            raise gallery.TemplateError(f"Parameter {p.pointer} is already a parameter.")
        schema["properties"][p.name] = {
            "type": _json_type(value),
            "title": p.title or p.name.replace("_", " "),
            "description": p.description,
            "default": copy.deepcopy(value),
        }
        holder[key] = {"$param": p.name}
    body["name"] = body.get("name") or title
    return schema, body


def save(
    session: Session,
    user: Any,
    spec: dict[str, Any],
    params: list[TemplateParam],
    *,
    name: str,
    title: str,
    description: str,
) -> dict[str, Any]:
    """Save (or replace) user template ``name`` from a workflow; it must validate first."""
    if name in {t.name for t in gallery.list_templates()}:
        raise gallery.TemplateError(f"{name!r} is a built-in template: choose another name.")
    wf = parse_workflow(spec)
    check_workflow(wf)  # a template of a broken workflow would only hand the breakage on
    _reject_directive_keys(dump_workflow(wf))
    schema, body = build(wf, params, name=name, title=title, description=description)
    row, new = store.put_template(
        session,
        name=name,
        title=title or name.replace("_", " "),
        description=description,
        parameters=schema,
        body=body,
        author=user.get_name(),
    )
    audit(
        "canvas.template.create" if new else "canvas.template.replace",
        user=user,
        workflow_id=wf.id,
        template=name,
        parameters=[p.name for p in params],
    )
    return as_json(row)


def _reject_directive_keys(data: Any) -> None:
    """The gallery's substitution treats ``$param``/``$join``/``$literal`` keys as directives; a
    workflow holding such a key as data would change meaning when instantiated."""
    if isinstance(data, dict):
        bad = [k for k in data if k in ("$param", "$join", "$literal")]
        if bad:
            raise gallery.TemplateError(
                f"The workflow holds a {bad[0]!r} key, which templates reserve: rename it to save a template."
            )
        for value in data.values():
            _reject_directive_keys(value)
    elif isinstance(data, list):
        for value in data:
            _reject_directive_keys(value)


def as_json(row: Any) -> dict[str, Any]:
    params, body = store.template_json(row)
    return {
        "name": row.name,
        "title": row.title,
        "description": row.description,
        "kind": "workflow",
        "source": "user",
        "parameters": params,
        "tags": list(body.get("tags", [])),
        "entry": [],
        "exit": [],
        "nodes": len(body.get("nodes", [])),
        "created_by": row.created_by,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


def list_all(session: Session) -> list[dict[str, Any]]:
    return [as_json(r) for r in store.all_templates(session)]


def instantiate(
    session: Session,
    name: str,
    params: dict[str, Any],
    *,
    workflow_id: str,
    workflow_name: str | None = None,
) -> Workflow:
    """A new workflow from user template ``name`` (not stored: POST it to /workflows)."""
    row = store.get_template(session, name)
    schema, body = store.template_json(row)
    info = gallery.TemplateInfo(
        name=row.name, title=row.title, description=row.description, kind="workflow", parameters=schema
    )
    data = gallery.substitute(body, gallery.resolve_parameters(info, params))
    if not ID_RE.match(workflow_id):
        raise gallery.TemplateError(
            f"Workflow id {workflow_id!r} is not valid; try {gallery.slugify(workflow_id)!r}."
        )
    data["id"] = workflow_id
    data["name"] = workflow_name or data.get("name") or row.title
    wf = parse_workflow(data)
    check_workflow(wf)
    return wf


def delete(session: Session, user: Any, name: str) -> bool:
    store.get_template(session, name)
    deleted = store.delete_template(session, name)
    if deleted:
        audit("canvas.template.delete", user=user, template=name)
    return deleted
