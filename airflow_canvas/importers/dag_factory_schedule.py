"""dag-factory ``schedule`` values -> canvas triggers: cron/preset strings, lists of dataset URIs,
``datasets`` conditions (list, ``a & b | c`` strings, ``__and__``/``__or__`` trees). Datasets named
in a separate ``file`` are refused: an import never reads a file on the server."""

from __future__ import annotations

import re
from typing import Any

from airflow_canvas.importers.report import ImportReport
from airflow_canvas.importers.untrusted import refuse_datasets_file

Condition = str | dict[str, list[Any]]  # a URI, or {"and"|"or": [Condition, ...]}


def convert_schedule(value: Any, path: str, report: ImportReport) -> dict[str, Any]:
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return {}
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("@"):
            return {"schedule": {"kind": "preset", "value": text}}
        if len(text.split()) in (5, 6):
            return {"schedule": {"kind": "cron", "value": text}}
        report.add(
            path,
            f"schedule {value!r} is not a cron expression or preset; the workflow is manual-only.",
            "error",
        )
        return {}
    if isinstance(value, list):
        uris = [str(u).strip() for u in value if str(u).strip()]
        return assets_trigger({"and": uris} if len(uris) > 1 else (uris[0] if uris else None), path, report)
    if isinstance(value, dict) and ("datasets" in value or "file" in value):
        for key in sorted(set(value) - {"datasets", "file"}):
            report.add(
                f"{path}/{key}", f"schedule option {key!r} is not supported; it was left out.", "error"
            )
        if "file" in value:  # the names mean nothing without the file: the workflow is manual-only
            refuse_datasets_file(path, report, "The workflow is manual-only until then.")
            return {}
        condition = parse_condition(value["datasets"])
        if condition is None:
            report.add(
                f"{path}/datasets",
                "datasets condition could not be read; the workflow is manual-only.",
                "error",
            )
            return {}
        return assets_trigger(condition, path, report)
    report.add(path, f"schedule {value!r} is not supported; the workflow is manual-only.", "error")
    return {}


def assets_trigger(condition: Condition | None, path: str, report: ImportReport) -> dict[str, Any]:
    if condition is None:
        return {}
    if isinstance(condition, str):
        return {"assets": {"uris": [condition]}}
    op, items = next(iter(condition.items()))
    if all(isinstance(i, str) for i in items):
        return {"assets": {"uris": list(dict.fromkeys(items)), "mode": op}}
    uris = list(dict.fromkeys(_uris(condition)))
    return {"assets": {"uris": uris, "condition": condition}}


def _uris(condition: Condition) -> list[str]:
    if isinstance(condition, str):
        return [condition]
    return [u for item in next(iter(condition.values())) for u in _uris(item)]


def parse_condition(value: Any) -> Condition | None:
    """A list (all of), a string with & | and parentheses, or an __and__/__or__ tree."""
    if isinstance(value, list):
        items = [parse_condition(v) for v in value]
        if any(i is None for i in items):
            return None
        return items[0] if len(items) == 1 else {"and": items}
    if isinstance(value, dict) and len(value) == 1:
        key, items = next(iter(value.items()))
        op = {"__and__": "and", "__or__": "or"}.get(key)
        if op is None or not isinstance(items, list):
            return None
        parsed = [parse_condition(i) for i in items]
        return None if any(p is None for p in parsed) else _flatten({op: parsed})
    if isinstance(value, str):
        return _ExpressionParser(value).parse()
    return None


def _flatten(condition: Condition) -> Condition:
    """(a & b) & c -> a & b & c, so simple conditions stay simple."""
    if isinstance(condition, str):
        return condition
    op, items = next(iter(condition.items()))
    flat: list[Any] = []
    for item in items:
        item = _flatten(item)
        if isinstance(item, dict) and op in item:
            flat.extend(item[op])
        else:
            flat.append(item)
    return flat[0] if len(flat) == 1 else {op: flat}


class _ExpressionParser:
    """``(a & b) | c`` where operands are URIs or dataset names (no spaces, no & | ( ))."""

    _TOKEN = re.compile(r"\s*([&|()]|[^\s&|()]+)")

    def __init__(self, text: str):
        self.tokens: list[str] = self._TOKEN.findall(text)  # one group: each match is its text
        self.pos = 0

    def parse(self) -> Condition | None:
        try:
            result = self._expr("|")
        except (IndexError, ValueError):
            return None
        return _flatten(result) if self.pos == len(self.tokens) else None

    def _expr(self, op: str) -> Condition:
        sub = "&" if op == "|" else None
        items = [self._expr(sub) if sub else self._atom()]
        while self.pos < len(self.tokens) and self.tokens[self.pos] == op:
            self.pos += 1
            items.append(self._expr(sub) if sub else self._atom())
        return items[0] if len(items) == 1 else {"or" if op == "|" else "and": items}

    def _atom(self) -> Condition:
        token = self.tokens[self.pos]
        self.pos += 1
        if token == "(":
            inner = self._expr("|")
            if self.tokens[self.pos] != ")":
                raise ValueError("unbalanced parentheses")
            self.pos += 1
            return inner
        if token in "&|)":
            raise ValueError(f"unexpected {token!r}")
        return token
