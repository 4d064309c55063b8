"""Functions the model calls to look things up instead of carrying them in every prompt: the
operator catalogue, one operator's parameters, the tools, one tool's schemas, one notifier's
arguments, and the full JSON Schema of one part of the spec. Answered here, from this process, and
fed back to the model as the function's result.

Each answer is bounded in size and respects the user's ``Access``: the operator and notifier
catalogues need what GET /catalogue/* needs (read on Canvas Workflows); published tools need read
on Canvas Tools (GET /tools). Nothing returned carries code or credentials: tools come without
their code, operators and notifiers as their parameters' names, types and docs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from airflow_canvas.copilot.llm_world import (
    World,
    brief_tool,
    brief_type,
    latest_versions,
    one_line,
    tool_detail,
)
from airflow_canvas.spec import models as m
from airflow_canvas.spec.models import Workflow

MAX_RESULTS = 10
MAX_PARAMETERS = 40

# The parts of a spec ``get_schema`` explains in full (the function schema of propose_patch leaves
# the large ones loose to stay small).
SCHEMA_PARTS: dict[str, type[BaseModel]] = {
    "node": m.Node,
    "edge": m.Edge,
    "group": m.Group,
    "execution": m.ExecutionPolicy,
    "retry": m.RetryPolicy,
    "notification": m.Notification,
    "triggers": m.Triggers,
    "settings": m.Settings,
    "agent": m.AgentConfig,
    "process": m.ProcessConfig,
    "mapping": m.FieldMapping,
    "tool": m.Tool,
}


@dataclass
class Scope:
    """What one lookup may read: the turn's world and its draft workflow."""

    world: World
    workflow: Workflow


class LookupError_(ValueError):
    """A lookup the model asked wrongly for (bad arguments, unknown name): told to it, not raised."""


def _words(args: dict[str, Any], key: str = "words") -> str:
    value = args.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LookupError_(f"`{key}` must be a non-empty string.")
    return value.strip()[:200]


def _limit(args: dict[str, Any]) -> int:
    value = args.get("limit", MAX_RESULTS)
    return max(1, min(int(value), MAX_RESULTS)) if isinstance(value, int) else MAX_RESULTS


def _need_catalogue(scope: Scope) -> None:
    if not scope.world.access.catalogue:
        raise LookupError_("This user may not read the operator and notifier catalogues.")


def search_operators(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    _need_catalogue(scope)
    from airflow_canvas.catalogue.operators import search_operators as search

    found = search(_words(args), limit=_limit(args))
    items = [
        {"class_path": e.operator, "kind": e.kind, "provider": e.provider, "summary": one_line(e.summary)}
        for e in found
    ]
    return {"ok": True, "items": items, "hint": "get_operator(class_path) gives its parameters."}


def _parameter_line(name: str, schema: dict[str, Any]) -> str:
    kind = brief_type({k: v for k, v in schema.items() if k != "description"})
    kind = kind if isinstance(kind, str) else "object"
    doc = one_line(schema.get("description", ""), 100)
    templated = " (Jinja)" if schema.get("x-templated") else ""
    types = schema.get("x-airflow-connection")  # catalogue/connection_types.py: the types it needs
    if isinstance(types, list) and types:
        templated += f" (an Airflow connection id of type {' or '.join(map(str, types))})"
    return f"{kind}{templated}" + (f": {doc}" if doc else "")


def get_operator(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    _need_catalogue(scope)
    from airflow_canvas.catalogue.operators import get_entry
    from airflow_canvas.catalogue.operators import search_operators as search

    path = _words(args, "class_path")
    entry = get_entry(path)
    if entry is None:
        close = [e.operator for e in search(path.rsplit(".", 1)[-1], limit=5)]
        raise LookupError_(
            f"No installed operator {path!r}." + (f" Did you mean one of {close}?" if close else "")
        )
    schema = entry.parameters_schema
    required = set(schema.get("required") or [])
    props = list((schema.get("properties") or {}).items())
    params = {(k + "*" if k in required else k): _parameter_line(k, v) for k, v in props[:MAX_PARAMETERS]}
    out: dict[str, Any] = {
        "ok": True,
        "class_path": entry.operator,
        "summary": entry.summary,
        "parameters": params,
        "connection_parameters": entry.connection_fields,
        "how_to_use": 'A tool node: {"type": "tool", "operator": class_path, "parameters": {...}}; '
        "parameters are its keyword arguments ('*' = required); Jinja fields may use templates.",
    }
    if len(props) > MAX_PARAMETERS:
        out["more_parameters"] = [k for k, _ in props[MAX_PARAMETERS:]]
    return out


def _tool_matches(words: list[str], text: str) -> bool:
    return all(w in text for w in words)


def search_tools(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    words = [w for w in re.split(r"\W+", _words(args).lower()) if w]
    found = [
        brief_tool(t)
        for t in latest_versions(scope.world.tools)
        if _tool_matches(words, f"{t.name} {t.description}".lower().replace("_", " ") + " " + t.name)
    ]
    return {"ok": True, "items": found[: _limit(args)]}


def get_tool(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    ref = _words(args, "name")
    name, _, version = ref.partition("@")
    versions = [t for t in scope.world.tools if t.name == name.strip()]
    if not versions:
        known = sorted({t.name for t in scope.world.tools})
        raise LookupError_(f"No tool {name!r} this user may use. Known tools: {', '.join(known[:30])}.")
    chosen = [t for t in versions if t.version == version.strip()] if version.strip() else []
    tool = chosen[0] if chosen else latest_versions(versions)[0]
    detail = tool_detail(tool)
    detail["versions"] = sorted(t.version for t in versions)
    detail["how_to_use"] = f'A tool node: {{"type": "tool", "tool": "{tool.ref}", "parameters": {{...}}}}.'
    return {"ok": True, **detail}


def get_notifier(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    _need_catalogue(scope)
    key = _words(args, "key")
    for entry in scope.world.notifiers:
        if key in (entry["key"], entry["class_path"]):
            return {
                "ok": True,
                "key": entry["key"],
                "description": one_line(entry["description"], 300),
                "spec_fields": {k: v for k, v in entry["roles"].items() if v},
                "parameters": brief_type(entry["parameters_schema"]),
                "how_to_use": 'A notification: {"on": ["failure"], "notifier": key, "connection_id": '
                '..., "to": [...], "subject": ..., "message": ..., "parameters": {...}} in '
                "/notifications (workflow), a node's or a group's `notifications`.",
            }
    known = [e["key"] for e in scope.world.notifiers]
    raise LookupError_(f"No notifier {key!r}. Known: {', '.join(known)}.")


def _without_titles(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_titles(v) for k, v in value.items() if k != "title"}
    if isinstance(value, list):
        return [_without_titles(v) for v in value]
    return value


def get_schema(args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    part = _words(args, "part").lower()
    model = SCHEMA_PARTS.get(part)
    if model is None:
        raise LookupError_(f"No part {part!r}; one of: {', '.join(SCHEMA_PARTS)}.")
    return {"ok": True, "part": part, "schema": _without_titles(model.model_json_schema())}


LOOKUPS: dict[str, tuple[Callable[[dict[str, Any], Scope], dict[str, Any]], str, dict[str, Any]]] = {
    "search_operators": (
        search_operators,
        "Search the installed Airflow operators and sensors by words (e.g. 'http', 's3 copy').",
        {"words": {"type": "string"}, "limit": {"type": "integer"}},
    ),
    "get_operator": (
        get_operator,
        "One operator's keyword parameters (types, docs, required) by import path.",
        {"class_path": {"type": "string"}},
    ),
    "search_tools": (
        search_tools,
        "Search the tools this user may use by words in their name or description.",
        {"words": {"type": "string"}, "limit": {"type": "integer"}},
    ),
    "get_tool": (
        get_tool,
        "One tool's full input/output schemas and parameters, by name or name@version.",
        {"name": {"type": "string"}},
    ),
    "get_notifier": (
        get_notifier,
        "One notifier's fields and extra parameters, by key (e.g. 'smtp') or class path.",
        {"key": {"type": "string"}},
    ),
    "get_schema": (
        get_schema,
        "The full JSON Schema of one part of a workflow spec: " + ", ".join(SCHEMA_PARTS) + ".",
        {"part": {"type": "string", "enum": list(SCHEMA_PARTS)}},
    ),
}


def lookup(name: str, args: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """The answer to one lookup call, as the model reads it: ``ok`` and the data, or ``ok: false``
    and what to do instead."""
    function = LOOKUPS[name][0]
    try:
        return function(args, scope)
    except (LookupError_, ValueError, TypeError) as exc:
        return {"ok": False, "error": str(exc)}
