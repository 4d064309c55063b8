"""Reduce a spec with field errors to one that parses, so structural checks can still run.

Each bad field is removed (so its default applies); an item whose identity is broken (a node or
group id, an edge end, any error in an inline tool) is dropped. Structural problems found on the
repaired copy are mapped back to the original indexes, and those the repair itself could cause
(e.g. "tool node names no tool" after removing a malformed `tool`, or a dangling edge to a
dropped node) are suppressed, so every reported problem is real.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from airflow_canvas.spec.problems import Problem, pointer

_LISTS = ("nodes", "edges", "groups", "tools")
# Fields whose error means the item cannot stand in for the original at all.
_IDENTITY = {"nodes": {"id"}, "groups": {"id"}, "edges": {"source", "target"}}


def parse_pointer(text: str) -> list[str | int]:
    parts: list[str | int] = []
    for raw in text.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return parts


@dataclass
class Repaired:
    data: dict[str, Any]
    index_maps: dict[str, list[int]] = field(default_factory=dict)  # repaired index -> original
    removed: list[list[str | int]] = field(default_factory=list)  # original paths of removed fields
    dropped: set[str] = field(default_factory=set)  # ids / tool names that no longer exist

    def _original(self, parts: list[str | int]) -> list[str | int]:
        if len(parts) >= 2 and parts[0] in self.index_maps and isinstance(parts[1], int):
            return [parts[0], self.index_maps[str(parts[0])][parts[1]], *parts[2:]]
        return parts

    def _value_at(self, parts: list[str | int]) -> Any:
        value: Any = self.data
        for part in parts:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value

    def restore(self, problem: Problem) -> Problem | None:
        """The problem with original indexes, or None when only the repair could have caused it."""
        parts = parse_pointer(problem.pointer)
        original = self._original(parts)
        for path in self.removed:
            if original[: len(path)] == path:
                return None
        if problem.code.endswith("_UNKNOWN") or problem.code == "E_TOOL_VERSION":
            value = self._value_at(parts)
            if isinstance(value, str) and (value in self.dropped or value.partition("@")[0] in self.dropped):
                return None
        return replace(problem, pointer=pointer(*original)) if original != parts else problem


def _fine_path(parts: list[str | int]) -> tuple[str | int, ...]:
    """The path to remove for a problem: up to the first list index below a top-level list
    (removing one element of a nested list would shift the pointers of its siblings)."""
    start = 2 if len(parts) >= 2 and parts[0] in _LISTS and isinstance(parts[1], int) else 0
    for k in range(start, len(parts)):
        if isinstance(parts[k], int):
            return tuple(parts[:k])
    return tuple(parts)


def _remove(item: Any, path: tuple[str | int, ...]) -> None:
    for part in path[:-1]:
        item = item.get(part) if isinstance(item, dict) else None
    if isinstance(item, dict) and path:
        item.pop(path[-1], None)


def _build(data: dict[str, Any], paths: set[tuple[str | int, ...]]) -> Repaired:
    """A copy of ``data`` with ``paths`` (original coordinates) removed; list items are dropped
    when their identity is among them."""
    repaired = Repaired(copy.deepcopy(data))
    out = repaired.data
    for path in paths:
        if not (path[0] in _LISTS and len(path) >= 2):
            _remove(out, path)
            repaired.removed.append(list(path))
    for name in _LISTS:
        items = out.get(name)
        if not isinstance(items, list):
            continue
        kept: list[Any] = []
        index_map: list[int] = []
        for i, item in enumerate(items):
            rests = [p[2:] for p in paths if p[0] == name and len(p) >= 2 and p[1] == i]
            heads = {str(r[0]) if r else "*" for r in rests}
            broken = "*" in heads or heads & _IDENTITY.get(name, set()) or not isinstance(item, dict)
            if rests and (name == "tools" or broken):
                key = "name" if name == "tools" else "id"
                if isinstance(item, dict) and isinstance(item.get(key), str):
                    repaired.dropped.add(item[key])
                repaired.removed.append([name, i])
                continue
            for rest in rests:
                _remove(item, rest)
                repaired.removed.append([name, i, *rest])
            if rests and name == "nodes" and "type" in heads:
                item["type"] = "process"  # a stand-in type; problems about the node's kind are off
                repaired.removed.extend([name, i, key] for key in ("tool", "operator", "agent", "process"))
            kept.append(item)
            index_map.append(i)
        out[name] = kept
        repaired.index_maps[name] = index_map
    return repaired


def repair_for_validation(
    data: dict[str, Any], problems: list[Problem], *, rounds: int = 6
) -> Repaired | None:
    """A copy of ``data`` that parses, without what the problems point at; None if none is found.

    Starts by removing only each failing key (so a bad retry count doesn't hide the rest of the
    node's execution policy); when the result still fails, e.g. because the removed key was
    required, the failing paths move up one level and it tries again.
    """
    from airflow_canvas.spec.load import parse_workflow
    from airflow_canvas.spec.problems import SpecError

    paths = {_fine_path(parse_pointer(p.pointer)) for p in problems}
    for _ in range(rounds):
        if () in paths or any(p[0] in ("id", "spec_version") for p in paths):
            return None  # the workflow itself has no usable identity
        repaired = _build(data, paths)
        try:
            parse_workflow(repaired.data)
        except SpecError as exc:
            for problem in exc.problems:
                failing = tuple(repaired._original(parse_pointer(problem.pointer)))
                covering = [p for p in paths if failing[: len(p)] == p]
                for path in covering or [_fine_path(list(failing))]:
                    paths.discard(path)
                    paths.add(path[:-1] if covering else path)
            continue
        return repaired
    return None
