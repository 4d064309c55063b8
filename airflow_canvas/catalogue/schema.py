"""Turn an operator's ``__init__`` signature and docstring into a JSON Schema of its parameters.

Provider modules use ``from __future__ import annotations``, so annotations arrive as strings; we
parse the few shapes that matter for a form (scalars, containers, unions) instead of evaluating them,
which would import every type the provider mentions."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "None": {"type": "null"},
    "NoneType": {"type": "null"},
    "bytes": {"type": "string"},
    "timedelta": {"type": "number", "description": "Seconds."},
}
_ARRAYS = {"list", "List", "Sequence", "Iterable", "Collection", "Container", "tuple", "Tuple", "set", "Set"}
_OBJECTS = {"dict", "Dict", "Mapping", "MutableMapping"}
_CALLABLE = {"Callable", "TaskStateChangeCallback"}
_SENTINELS = {"ArgNotSet", "NOTSET", "ArgNotSetType"}

CONNECTION_FORMAT = "airflow-connection-id"
# The connection types a connection-id property accepts (empty = any), the keyword tools' input schemas
# use too: the connection picker, validation's W_CONNECTION_TYPE and the co-pilot read it.
CONNECTION_KEYWORD = "x-airflow-connection"
CALLABLE_FORMAT = "python-callable"


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside brackets: 'dict[str, int] | None' -> ['dict[str, int]', 'None']."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == sep and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def annotation_schema(annotation: str) -> dict[str, Any]:
    """A JSON Schema for an annotation string; {} (anything) when the type can't be told."""
    annotation = annotation.strip().strip("'\"")
    if annotation.startswith("Optional[") and annotation.endswith("]"):
        annotation = f"{annotation[9:-1]} | None"
    options = split_top_level(annotation, "|")
    if annotation.startswith("Union[") and annotation.endswith("]"):
        options = split_top_level(annotation[6:-1], ",")
    # Sentinels for "not passed" say nothing about the accepted values.
    options = [o for o in options if o.split(".")[-1] not in _SENTINELS] or options
    if len(options) == 1:
        annotation = options[0]
    if len(options) > 1:
        schemas = [annotation_schema(o) for o in options]
        if any(s == {} for s in schemas):
            return {}
        types: list[str] = []
        for schema in schemas:
            if set(schema) - {"type", "items", "description"} or "items" in schema:
                return {"anyOf": schemas}
            kind = schema["type"]
            for one in kind if isinstance(kind, list) else [kind]:
                if one not in types:
                    types.append(one)
        return {"type": types[0] if len(types) == 1 else types}
    base = annotation.split("[", 1)[0].split(".")[-1]
    if base in _SCALARS:
        return dict(_SCALARS[base])
    if base in _ARRAYS:
        inner = annotation[len(annotation.split("[", 1)[0]) + 1 : -1] if "[" in annotation else ""
        item = (
            annotation_schema(split_top_level(inner, ",")[0])
            if inner and base not in ("tuple", "Tuple")
            else {}
        )
        return {"type": "array", "items": item} if item else {"type": "array"}
    if base in _OBJECTS:
        return {"type": "object"}
    if base in _CALLABLE:
        return {"type": "string", "format": CALLABLE_FORMAT}
    if base == "Literal":
        values = [v.strip().strip("'\"") for v in split_top_level(annotation[8:-1], ",")]
        return {"type": "string", "enum": values}
    return {}


def parameter_type_schema(param: inspect.Parameter) -> dict[str, Any]:
    """``annotation_schema`` of a signature parameter: its annotation's text under PEP 563, else the
    annotation written out (``Optional[str]``, ``dict[str, int] | None``); {} when it has none."""
    annotation = param.annotation
    if annotation is inspect.Parameter.empty:
        return {}
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    return annotation_schema(text) if text else {}


_PARAM_RE = re.compile(r"^\s*:param\s+(?:[\w\[\], |.]+\s+)?(\w+):\s*(.*)$")


def docstring_params(doc: str | None) -> dict[str, str]:
    """``:param name: text`` entries of a Sphinx docstring, continuation lines joined."""
    result: dict[str, str] = {}
    current: str | None = None
    for line in inspect.cleandoc(doc or "").splitlines():
        match = _PARAM_RE.match(line)
        if match:
            current = match.group(1)
            result[current] = match.group(2).strip()
        elif current and line.startswith((" ", "\t")) and line.strip():
            result[current] += " " + line.strip()
        else:
            current = None
    return {k: re.sub(r":\w+:`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", v) for k, v in result.items()}


def docstring_summary(doc: str | None) -> str:
    """The first paragraph of a docstring, before any directive or :param: line."""
    lines: list[str] = []
    for line in inspect.cleandoc(doc or "").splitlines():
        if not line.strip() or line.lstrip().startswith((":", "..")):
            if lines:
                break
            continue
        lines.append(line.strip())
    return " ".join(lines)


def json_default(value: Any) -> tuple[bool, Any]:
    """(True, value) when a signature default can be shown in JSON."""
    if value is inspect.Parameter.empty or callable(value):
        return False, None
    if hasattr(value, "total_seconds"):
        return True, value.total_seconds()
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):  # str enums
        return True, value.value
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False, None
    return True, value


def is_connection_field(name: str) -> bool:
    return name.endswith(("conn_id", "connection_id")) or name in {"conn_id", "connection"}
