"""Airflow operators named in a request ("add a bash operator that runs echo hi", "an http sensor",
"the SQLExecuteQueryOperator"), found with the palette's own search
(``catalogue.operators.search_operators``, also the LLM's ``search_operators`` lookup), so the
canvas and the co-pilot never disagree about which operator a few words mean."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# "BashOperator", "HttpSensor": a class name typed as it is.
_CLASS = re.compile(r"\b(?P<cls>[A-Z][A-Za-z0-9]*(?:Operator|Sensor))\b")
# "a bash operator", "an S3 sensor", "the sql execute query operator": the words before the kind.
_NAMED = re.compile(r"(?P<head>(?:[A-Za-z0-9_.\-]+\s+){0,3}?)(?P<kind>operator|sensor)s?\b", re.IGNORECASE)
_FILLER = {"a", "an", "the", "airflow", "add", "new", "one", "me", "my", "some", "please", "with", "using"}
# What a single required text argument is set from: "that runs echo hi", "which executes `ls`".
_RUNS = re.compile(
    r"\b(?:that|which|to)\s+(?:runs?|executes?|calls?|does|waits? for|checks?|with)\s+(?P<arg>.+)$",
    re.IGNORECASE,
)
MAX_CHOICES = 4


@dataclass
class OperatorMatch:
    """What the words name: one operator (``operator``), several to choose from (``choices``:
    (label, import path)), or nothing installed (``missing``: the words searched)."""

    operator: str | None = None
    name: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    choices: list[tuple[str, str]] = field(default_factory=list)
    missing: str = ""
    needs: list[str] = field(default_factory=list)  # required arguments the words did not give


def names_operator(text: str) -> bool:
    return bool(_CLASS.search(text) or _NAMED.search(text))


def _query(text: str) -> tuple[str, str | None]:
    """(the search words, the kind asked for: operator | sensor | None when a class is named)."""
    cls = _CLASS.search(text)
    if cls:
        return cls["cls"], None
    m = _NAMED.search(text)
    if m is None:
        return "", None
    head = [w for w in m["head"].split() if w.lower() not in _FILLER]
    return " ".join(head), m["kind"].lower()


def _single_text_argument(schema: dict[str, Any]) -> str | None:
    """The one required string argument, e.g. BashOperator's bash_command; None when not exactly one."""
    props: dict[str, Any] = schema.get("properties", {})
    required = [k for k in schema.get("required", []) if "string" in str(props.get(k, {}).get("type", ""))]
    return required[0] if len(required) == 1 and len(schema.get("required", [])) == 1 else None


def _argument(text: str) -> str | None:
    m = _RUNS.search(text)
    if m is None:
        return None
    arg = m["arg"].strip().rstrip(".")
    quoted = re.fullmatch(r"[`'\"“‘](.+)[`'\"”’]", arg)
    return quoted.group(1) if quoted else arg


def _named_arguments(text: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Arguments given by name: "with endpoint /health", "bash_command: 'ls -l'", "retries=3"."""
    props: dict[str, Any] = schema.get("properties", {})
    out: dict[str, Any] = {}
    for name, prop in props.items():
        m = re.search(
            rf"\b{re.escape(name)}\s*(?:=|:|\s)\s*(?P<v>`[^`]*`|\"[^\"]*\"|'[^']*'|“[^”]*”|\S+)", text
        )
        if m is None:
            continue
        value: Any = m["v"]
        if value[:1] in "`'\"“":
            value = value[1:-1]
        elif "integer" in str(prop.get("type", "")) and value.isdigit():
            value = int(value)
        out[name] = value
    return out


def _in_name(entry: Any, query: str) -> bool:
    """Every word of the query is in the class name or import path (a mention in the docs alone,
    like "S3" in a SQL operator's summary, does not make it the operator asked for)."""
    hay = f"{entry.name} {entry.operator}".lower()
    return all(w in hay for w in query.lower().split())


def find_operator(text: str) -> OperatorMatch | None:
    """None when the text names no operator; else the match (see OperatorMatch)."""
    from airflow_canvas.catalogue import operators as catalogue

    if not names_operator(text):
        return None
    query, kind = _query(text)
    if not query:
        return None
    found = [e for e in catalogue.search_operators(query, limit=20) if _in_name(e, query)]
    if kind is not None:
        found = [e for e in found if e.kind == kind]
    if not found:
        return OperatorMatch(missing=f"{query} {kind or ''}".strip())
    wanted = query.replace(" ", "").lower()
    exact = [e for e in found if e.name.lower() in {wanted, f"{wanted}{kind or 'operator'}"}]
    if not exact and len(found) > 1:
        return OperatorMatch(choices=[(f"{e.name} ({e.provider})", e.operator) for e in found[:MAX_CHOICES]])
    entry = (exact or found)[0]
    schema = entry.parameters_schema
    match = OperatorMatch(operator=entry.operator, name=entry.name, parameters=_named_arguments(text, schema))
    target = _single_text_argument(schema)
    arg = _argument(text)
    if target and arg and target not in match.parameters:
        match.parameters[target] = arg
    match.needs = [k for k in schema.get("required", []) if k not in match.parameters]
    return match


def node_id_for(class_name: str) -> str:
    """BashOperator -> bash, HttpSensor -> http_sensor, SQLExecuteQueryOperator -> sql_execute_query
    (the palette names a dropped operator's node the same way: ui/src/editor/catalogue.ts)."""
    base = class_name.removesuffix("Operator") or class_name
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", base)).lower()
    snake = re.sub(r"[^a-z0-9_]", "_", snake)
    return snake if re.match(r"[a-z_]", snake) else f"op_{snake}"
