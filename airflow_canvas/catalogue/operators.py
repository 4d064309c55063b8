"""Introspect the installed providers into operator catalogue entries.

Entries come from Airflow's ProvidersManager (which provider ships which operator/sensor modules),
then from each class itself: its keyword arguments (own and inherited, up to BaseOperator, whose
arguments the canvas sets through a node's execution policy), docstring and ``template_fields``."""

from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from airflow_canvas.catalogue.connection_types import connection_types_for
from airflow_canvas.catalogue.schema import (
    CONNECTION_FORMAT,
    CONNECTION_KEYWORD,
    docstring_params,
    docstring_summary,
    is_connection_field,
    json_default,
    parameter_type_schema,
)

log = logging.getLogger(__name__)

# Arguments every operator takes; the compiler sets them from the node (task_id, policy, docs).
_BASE_ONLY = {"self", "task_id", "kwargs", "args", "dag", "task_group", "default_args"}


@dataclass(frozen=True)
class OperatorEntry:
    operator: str  # import path, e.g. airflow.providers.http.operators.http.HttpOperator
    name: str  # class name
    kind: str  # "operator" | "sensor"
    provider: str  # PyPI package, e.g. apache-airflow-providers-http
    provider_version: str
    summary: str
    parameters_schema: dict[str, Any]
    template_fields: list[str] = field(default_factory=list)
    connection_fields: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _base_operator() -> type:
    from airflow.sdk import BaseOperator

    return BaseOperator


def _own_parameters(cls: type) -> list[tuple[str, inspect.Parameter]]:
    """Keyword parameters of cls.__init__ and its bases' up to (not including) BaseOperator."""
    base = _base_operator()
    seen: dict[str, inspect.Parameter] = {}
    for klass in cls.__mro__:
        if klass is base or not issubclass(klass, base):
            break
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            signature = inspect.signature(init)
        except (TypeError, ValueError):
            continue
        for name, param in signature.parameters.items():
            if name in _BASE_ONLY or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                continue
            seen.setdefault(name, param)
    return list(seen.items())


def parameters_schema(cls: type) -> dict[str, Any]:
    """JSON Schema of an operator's own parameters: connection ids typed (with the connection types
    they need), templated fields marked."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):  # subclass docs win
        docs.update(docstring_params(klass.__doc__))
    templated = set(getattr(cls, "template_fields", ()) or ())
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, param in _own_parameters(cls):
        schema = parameter_type_schema(param)
        if is_connection_field(name):
            nullable = "null" in str(schema.get("type", "")) or param.default is None
            schema = {
                "type": ["string", "null"] if nullable else "string",
                "format": CONNECTION_FORMAT,
                CONNECTION_KEYWORD: connection_types_for(name),  # http_conn_id -> ["http"]; [] = any
            }
        if name in docs:
            schema["description"] = docs[name]
        has_default, default = json_default(param.default)
        if has_default:
            schema["default"] = default
        elif param.default is inspect.Parameter.empty:
            required.append(name)
        if name in templated:
            schema["x-templated"] = True
        properties[name] = schema
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _classes_in(module_name: str) -> list[type]:
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # a provider module whose optional dependency is missing
        log.info("operator catalogue: skipping %s: %s", module_name, exc)
        return []
    base = _base_operator()
    return [
        obj
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and issubclass(obj, base)
        and obj.__module__ == module_name
        and not name.startswith("_")
        and not inspect.isabstract(obj)
    ]


def entry_for_class(cls: type, *, kind: str, provider: str, provider_version: str) -> OperatorEntry:
    schema = parameters_schema(cls)
    return OperatorEntry(
        operator=f"{cls.__module__}.{cls.__name__}",
        name=cls.__name__,
        kind=kind,
        provider=provider,
        provider_version=provider_version,
        summary=docstring_summary(cls.__doc__),
        parameters_schema=schema,
        template_fields=[f for f in (getattr(cls, "template_fields", ()) or ()) if f in schema["properties"]],
        connection_fields=[
            n for n, s in schema["properties"].items() if s.get("format") == CONNECTION_FORMAT
        ],
    )


@lru_cache(maxsize=1)
def operator_catalogue() -> tuple[OperatorEntry, ...]:
    """Every operator and sensor class the installed providers declare, sorted by import path."""
    from airflow.providers_manager import ProvidersManager

    entries: dict[str, OperatorEntry] = {}
    for package, info in ProvidersManager().providers.items():
        for kind, key in (("operator", "operators"), ("sensor", "sensors")):
            for integration in info.data.get(key, []) or []:
                for module_name in integration.get("python-modules", []):
                    for cls in _classes_in(module_name):
                        entry = entry_for_class(
                            cls, kind=kind, provider=package, provider_version=info.version
                        )
                        entries.setdefault(entry.operator, entry)
    return tuple(sorted(entries.values(), key=lambda e: e.operator))


def get_entry(operator: str) -> OperatorEntry | None:
    return next((e for e in operator_catalogue() if e.operator == operator), None)


def search_operators(query: str = "", limit: int = 50) -> list[OperatorEntry]:
    """Entries matching every word of ``query`` (class name, path, provider, summary), best first:
    class-name matches rank above mentions in the summary."""
    words = [w for w in query.lower().split() if w]
    scored: list[tuple[int, str, OperatorEntry]] = []
    for entry in operator_catalogue():
        name, path, text = entry.name.lower(), entry.operator.lower(), entry.summary.lower()
        score = 0
        for word in words:
            if word == name or f"{word}operator" == name or f"{word}sensor" == name:
                score += 100
            elif word in name:
                score += 30
            elif word in path or word in entry.provider:
                score += 10
            elif word in text:
                score += 3
            else:
                break
        else:
            scored.append((-score, entry.operator, entry))
    return [e for _, _, e in sorted(scored)[:limit]]
