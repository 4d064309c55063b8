"""Breaking-change detection between two versions of a tool (what version bump a publish needs).
Not to be confused with tools/compatibility.py, which checks that tools fit a workflow's edges.

Schemas are compared as sets of values. A tool's *input* schema may only accept more than before
(callers that worked keep working); its *output* schema may only promise less variety than before
(downstream nodes that read it keep working). Anything else needs a major bump. Compatible schema
changes need a minor bump, and changes to code, dependencies or docs only a patch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_canvas.spec.models import Tool

_NUMERIC_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_NUMERIC_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


@dataclass(frozen=True)
class SchemaChange:
    bump: str  # "major" | "minor" | "patch"
    where: str  # "input", "output" or "code"
    path: str  # dotted path inside the schema ("" = the root)
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"bump": self.bump, "where": self.where, "path": self.path, "message": self.message}


def _types(schema: dict[str, Any]) -> set[str] | None:
    value = schema.get("type")
    if value is None:
        return None
    types = {value} if isinstance(value, str) else set(value)
    if "number" in types:
        types.add("integer")  # every integer is a number
    return types


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def narrowings(
    wide: dict[str, Any], narrow: dict[str, Any], path: str = "", *, strict_fields: bool = True
) -> list[tuple[str, str]]:
    """Ways in which ``narrow`` accepts fewer values than ``wide``: (path, reason) pairs.

    ``strict_fields=False`` does not count a field that only ``narrow`` declares (optional) as a
    narrowing: for inputs, that is a new optional parameter, which callers did not send before.
    """
    if not isinstance(wide, dict) or not isinstance(narrow, dict):
        return []
    found: list[tuple[str, str]] = []
    wide_types, narrow_types = _types(wide), _types(narrow)
    if narrow_types is not None and (wide_types is None or not wide_types <= narrow_types):
        lost = sorted((wide_types or {"any"}) - narrow_types)
        found.append((path, f"type {_fmt_type(narrow)} no longer allows {', '.join(lost)}"))

    if "enum" in narrow:
        missing = [v for v in wide.get("enum", []) if v not in narrow["enum"]]
        if "enum" not in wide or missing:
            found.append(
                (path, f"enum limited to {narrow['enum']!r}" + (f" (drops {missing!r})" if missing else ""))
            )
    if "const" in narrow and wide.get("const", object()) != narrow["const"]:
        found.append((path, f"now fixed to {narrow['const']!r}"))
    for key in _NUMERIC_LOWER:
        if key in narrow and (key not in wide or narrow[key] > wide[key]):
            found.append((path, f"{key} raised to {narrow[key]}"))
    for key in _NUMERIC_UPPER:
        if key in narrow and (key not in wide or narrow[key] < wide[key]):
            found.append((path, f"{key} lowered to {narrow[key]}"))
    for key in ("pattern", "format"):
        if key in narrow and wide.get(key) != narrow[key]:
            found.append((path, f"{key} {narrow[key]!r} added"))

    found += _object_narrowings(wide, narrow, path, strict_fields)
    if isinstance(narrow.get("items"), dict):
        found += narrowings(
            wide.get("items") or {}, narrow["items"], _join(path, "[]"), strict_fields=strict_fields
        )
    return found


def _object_narrowings(
    wide: dict[str, Any], narrow: dict[str, Any], path: str, strict_fields: bool
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    wide_props: dict[str, Any] = wide.get("properties") or {}
    narrow_props: dict[str, Any] = narrow.get("properties") or {}
    for name in sorted(set(narrow.get("required") or []) - set(wide.get("required") or [])):
        found.append((_join(path, name), f"field {name!r} is now required"))
    closed = narrow.get("additionalProperties") is False
    if closed and wide.get("additionalProperties") is not False:
        found.append((path, "no longer allows extra fields"))
    for name, sub in wide_props.items():
        if name in narrow_props:
            found += narrowings(sub, narrow_props[name], _join(path, name), strict_fields=strict_fields)
        elif closed:
            found.append((_join(path, name), f"field {name!r} is no longer accepted"))
    for name, sub in narrow_props.items():
        if name not in wide_props and sub and strict_fields:
            # ``wide`` left this field unconstrained (or did not know it): any constraint narrows.
            found.append((_join(path, name), f"field {name!r} is now constrained"))
    return found


def _fmt_type(schema: dict[str, Any]) -> str:
    value = schema.get("type")
    return value if isinstance(value, str) else "/".join(value or ["any"])


def schema_changes(old: Tool, new: Tool) -> list[SchemaChange]:
    """Every change between two tool versions with the bump it needs, breaking ones first."""
    changes: list[SchemaChange] = []
    # Input: the new schema must accept everything the old one did.
    for path, reason in narrowings(old.input_schema, new.input_schema, strict_fields=False):
        changes.append(SchemaChange("major", "input", path, f"input {path or 'schema'}: {reason}"))
    # Output: the new schema must not produce anything the old one could not.
    for path, reason in narrowings(new.output_schema, old.output_schema):
        changes.append(SchemaChange("major", "output", path, _output_message(path, reason, old, new)))
    if old.language == new.language == "sql" and old.connection_type != new.connection_type:
        # The connections nodes picked for the old type do not fit the new one.
        changes.append(
            SchemaChange("major", "input", "conn_id",
                         f"connection_type changed from {old.connection_type!r} to {new.connection_type!r}")
        )  # fmt: skip
    for where, before, after in (
        ("input", old.input_schema, new.input_schema),
        ("output", old.output_schema, new.output_schema),
    ):
        if before != after and not any(c.where == where for c in changes):
            changes.append(SchemaChange("minor", where, "", f"{where} schema changed compatibly"))
    code_fields = ("code", "entry_point", "dependencies", "parameters", "description", "tests", "language")
    for name in code_fields:
        if getattr(old, name) != getattr(new, name):
            changes.append(SchemaChange("patch", "code", name, f"{name} changed"))
    return list(dict.fromkeys(changes))  # one narrowing can be seen twice (e.g. removed + required)


def _output_message(path: str, reason: str, old: Tool, new: Tool) -> str:
    """Phrase an output narrowing from the reader's side: what downstream can no longer rely on."""
    field = path.rsplit(".", 1)[-1]
    old_props = _props_at(old.output_schema, path)
    new_props = _props_at(new.output_schema, path)
    if old_props is not None and new_props is not None and field in old_props and field not in new_props:
        return f"output field {path!r} was removed"
    if reason.startswith(f"field {field!r} is now required"):
        return f"output field {path!r} is no longer always present"
    if reason.startswith("type"):
        return f"output {path or 'value'}: type widened to {_fmt_type(_schema_at(new.output_schema, path))}"
    return f"output {path or 'value'}: may now hold values it could not before ({reason})"


def _schema_at(schema: dict[str, Any], path: str) -> dict[str, Any]:
    for part in [p for p in path.split(".") if p]:
        schema = (
            (schema.get("items") or {}) if part == "[]" else (schema.get("properties") or {}).get(part, {})
        )
    return schema


def _props_at(schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    parent = path.rsplit(".", 1)[0] if "." in path else ""
    return _schema_at(schema, parent).get("properties")


def required_bump(old: Tool, new: Tool) -> str | None:
    """The smallest bump that publishing ``new`` after ``old`` needs (None: nothing changed)."""
    changes = schema_changes(old, new)
    for bump in ("major", "minor", "patch"):
        if any(c.bump == bump for c in changes):
            return bump
    return None
