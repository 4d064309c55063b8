"""Three-way merge of workflow specs against their common ancestor.

Each node, edge, group and tool merges on its own: a side that left an item as it was in the base
takes the other side's version (including deletion); when both sides changed the same item, their
field changes combine if they touch different top-level fields, and otherwise the item is a conflict
reported with all three versions. Top-level sections (triggers, settings, ...) merge the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from airflow_canvas.spec.diff import COLLECTIONS, IGNORED_TOP, keyed

Side = Literal["source", "target"]
_MISSING = object()


@dataclass
class Conflict:
    kind: str  # "nodes" | "edges" | "groups" | "tools" | "workflow"
    id: str
    fields: list[str]
    base: Any
    source: Any
    target: Any

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "id": self.id,
            "fields": self.fields,
            "base": self.base,
            "source": self.source,
            "target": self.target,
        }


@dataclass
class MergeResult:
    spec: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)


def _pick(base: Any, target: Any, source: Any) -> tuple[Any, bool]:
    """(value, conflicted) for one value changed on zero, one or both sides."""
    if target == source:
        return target, False
    if target == base:
        return source, False
    if source == base:
        return target, False
    return target, True


def _merge_item(base: Any, target: Any, source: Any) -> tuple[Any, list[str]]:
    value, conflicted = _pick(base, target, source)
    if not conflicted:
        return value, []
    if not all(isinstance(x, dict) for x in (base, target, source)):
        return target, ["*"]  # added on both sides differently, or deleted on one and edited on the other
    merged: dict[str, Any] = {}
    bad: list[str] = []
    for key in list(target) + [k for k in source if k not in target]:
        v, c = _pick(base.get(key, _MISSING), target.get(key, _MISSING), source.get(key, _MISSING))
        if c:
            bad.append(key)
            v = target.get(key, _MISSING)
        if v is not _MISSING:
            merged[key] = v
    return merged, bad


def _none(value: Any) -> Any:
    return None if value is _MISSING else value


def merge_specs(
    base: dict[str, Any],
    target: dict[str, Any],
    source: dict[str, Any],
    resolutions: dict[str, Side] | None = None,
) -> MergeResult:
    """Merge ``source`` into ``target``. ``resolutions`` maps a conflict key ("nodes/<id>",
    "workflow/<section>") to the side that wins; resolved conflicts are not reported."""
    resolutions = resolutions or {}
    out: dict[str, Any] = dict(target)
    conflicts: list[Conflict] = []

    def resolve(kind: str, key: str, b: Any, t: Any, s: Any, fields: list[str], merged: Any) -> Any:
        choice = resolutions.get(f"{kind}/{key}")
        if choice == "source":
            return s
        if choice == "target":
            return t
        conflicts.append(Conflict(kind, key, fields, _none(b), _none(s), _none(t)))
        return merged

    for coll in COLLECTIONS:
        b, t, s = keyed(coll, base.get(coll)), keyed(coll, target.get(coll)), keyed(coll, source.get(coll))
        order = list(t) + [k for k in s if k not in t]
        items: list[dict[str, Any]] = []
        for key in order:
            merged, bad = _merge_item(b.get(key), t.get(key), s.get(key))
            if bad:
                merged = resolve(coll, key, b.get(key), t.get(key), s.get(key), bad, merged)
            if merged is not None:
                items.append(merged)
        out[coll] = items

    for key in sorted((set(base) | set(target) | set(source)) - set(COLLECTIONS) - IGNORED_TOP):
        bv, tv, sv = base.get(key, _MISSING), target.get(key, _MISSING), source.get(key, _MISSING)
        value, conflicted = _pick(bv, tv, sv)
        if conflicted:
            value = resolve("workflow", key, _none(bv), _none(tv), _none(sv), [key], tv)
        if value is _MISSING:
            out.pop(key, None)  # one side removed the section, the other left it alone
        else:
            out[key] = value
    return MergeResult(out, conflicts)
