"""Does a dotted field path exist in a JSON Schema? Used to check data-flow mappings.

A schema that does not pin its fields down (empty, no `properties`, combinators such as anyOf or
$ref, or additionalProperties allowed explicitly) is open: every path is accepted there. Where a
schema lists `properties`, a name outside them is taken for a typo, the mistake this check exists
to catch, unless the schema explicitly allows additional properties.
"""

from __future__ import annotations

import re
from typing import Any

_INDEX_RE = re.compile(r"\[(\d+|\*)\]")


def _segments(path: str) -> list[str]:
    """'a.b[0].c' -> ['a', 'b', '0', 'c']."""
    out: list[str] = []
    for part in path.split("."):
        head = _INDEX_RE.split(part)[0]
        if head:
            out.append(head)
        out.extend(m.group(1) for m in _INDEX_RE.finditer(part))
    return out


def field_known(schema: Any, path: str) -> tuple[bool, list[str]]:
    """(whether ``path`` may exist, the property names at the level where it failed)."""
    node = schema
    for segment in _segments(path):
        if not isinstance(node, dict) or not node:
            return True, []
        if any(key in node for key in ("$ref", "anyOf", "oneOf", "allOf", "if", "patternProperties")):
            return True, []
        if segment.isdigit() or segment == "*":
            items = node.get("items")
            if isinstance(items, dict):
                node = items
                continue
            return True, []
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return True, []
        if segment in properties:
            node = properties[segment]
            continue
        additional = node.get("additionalProperties")
        if additional is True or (isinstance(additional, dict) and additional):
            return True, []
        return False, list(properties)
    return True, []


def property_names(schema: Any) -> list[str]:
    """Top-level property names a schema declares (empty when it declares none)."""
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        return list(schema["properties"])
    return []
