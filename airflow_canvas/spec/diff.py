"""The one diff of two workflow specs: nodes, edges, groups and tools added/removed/changed field
by field, plus changes to the workflow's own sections (triggers, settings, ...).

``diff_specs`` works on plain JSON dicts (``Workflow.model_dump(mode="json")``) and gives the
shape the version-diff API and the merge logic use; ``workflow_diff`` gives the co-pilot's preview
shape for two ``Workflow`` models. Both find changed fields with ``field_changes``, so the API, the
UI (through the API), the merge and the co-pilot share one notion of "what changed"."""

from __future__ import annotations

from typing import Any

from airflow_canvas.spec.models import Workflow

# Keyed collections of a workflow and how each item is identified.
COLLECTIONS: dict[str, str] = {"nodes": "id", "edges": "key", "groups": "id", "tools": "name"}
# Everything else at the top level is compared section by section.
IGNORED_TOP = {"version", "spec_version"}


def item_key(collection: str, item: dict[str, Any]) -> str:
    if collection == "edges":
        return str(item.get("id") or f"{item.get('source')}->{item.get('target')}")
    return str(item.get(COLLECTIONS[collection]))


def keyed(collection: str, items: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    return {item_key(collection, item): item for item in items or []}


def field_changes(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Leaf-level differences between two JSON values. Lists are compared as whole values: their
    items have no identity here, and a per-index diff of reordered lists only confuses people."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[dict[str, Any]] = []
        for key in sorted(set(before) | set(after), key=str):
            sub = f"{path}.{key}" if path else str(key)
            changes.extend(field_changes(before.get(key), after.get(key), sub))
        return changes
    return [{"path": path, "before": before, "after": after}]


def diff_collection(
    collection: str, before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> dict[str, Any]:
    old, new = keyed(collection, before), keyed(collection, after)
    changed = [
        {"id": key, "fields": field_changes(old[key], new[key])}
        for key in new
        if key in old and old[key] != new[key]
    ]
    return {
        "added": [key for key in new if key not in old],
        "removed": [key for key in old if key not in new],
        "changed": changed,
    }


def diff_specs(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The structural diff ``before -> after``. ``empty`` says whether anything differs at all."""
    result: dict[str, Any] = {
        c: diff_collection(c, before.get(c) or [], after.get(c) or []) for c in COLLECTIONS
    }
    top = sorted((set(before) | set(after)) - set(COLLECTIONS) - IGNORED_TOP)
    workflow_changes: list[dict[str, Any]] = []
    for key in top:
        workflow_changes.extend(field_changes(before.get(key), after.get(key), key))
    result["workflow"] = workflow_changes
    counts = {
        "added": sum(len(result[c]["added"]) for c in COLLECTIONS),
        "removed": sum(len(result[c]["removed"]) for c in COLLECTIONS),
        "changed": sum(len(result[c]["changed"]) for c in COLLECTIONS) + len(workflow_changes),
    }
    result["summary"] = counts
    result["empty"] = not any(counts.values())
    return result


def _changed_paths(before: Any, after: Any) -> list[str]:
    return [change["path"] for change in field_changes(before, after)]


def workflow_diff(before: Workflow, after: Workflow) -> dict[str, Any]:
    """The co-pilot's preview: {"nodes": {"added": [...], "removed": [...], "changed": {id: [paths]}},
    "edges": ..., "groups": ..., "workflow": [paths]}.

    Layout-only changes (``ui.position``) are reported too, so the preview can show moved nodes.
    Items are compared as models first; only the few that differ are dumped to find the fields
    (most of a 200-node workflow is unchanged).
    """
    diff: dict[str, Any] = {}
    for section in ("nodes", "edges", "groups"):
        old = {i.key if section == "edges" else i.id: i for i in getattr(before, section)}
        new = {i.key if section == "edges" else i.id: i for i in getattr(after, section)}
        diff[section] = {
            "added": [k for k in new if k not in old],
            "removed": [k for k in old if k not in new],
            "changed": {
                k: fields
                for k in new
                if k in old
                and old[k] is not new[k]  # a patch's result shares the models of unchanged items
                and old[k] != new[k]
                and (fields := _changed_paths(old[k].model_dump(mode="json"), new[k].model_dump(mode="json")))
            },
        }
    rest = {"nodes", "edges", "groups"}
    diff["workflow"] = _changed_paths(
        before.model_dump(mode="json", exclude=rest), after.model_dump(mode="json", exclude=rest)
    )
    return diff
