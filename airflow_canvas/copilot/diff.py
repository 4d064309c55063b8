"""What a patch changes, in the shape the canvas needs for its preview (added / removed / changed
nodes, edges and groups, each changed node with the dotted fields that differ)."""

from __future__ import annotations

from typing import Any

from airflow_canvas.spec.models import Workflow


def _changed_fields(before: Any, after: Any, prefix: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after)):
            out += _changed_fields(before.get(key), after.get(key), f"{prefix}{key}.")
        return out
    return [] if before == after else [prefix.rstrip(".")]


def _by_key(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    if key == "edge":
        return {i.get("id") or f"{i['source']}->{i['target']}": i for i in items}
    return {i["id"]: i for i in items}


def workflow_diff(before: Workflow, after: Workflow) -> dict[str, Any]:
    """Structured diff: {"nodes": {"added": [...], "removed": [...], "changed": {id: [fields]}}, ...}.

    Layout-only changes (``ui.position``) are reported too, so the preview can show moved nodes.
    """
    a, b = before.model_dump(mode="json"), after.model_dump(mode="json")
    diff: dict[str, Any] = {}
    for section, kind in (("nodes", "node"), ("edges", "edge"), ("groups", "group")):
        old, new = _by_key(a[section], kind), _by_key(b[section], kind)
        diff[section] = {
            "added": [k for k in new if k not in old],
            "removed": [k for k in old if k not in new],
            "changed": {
                k: fields for k in new if k in old and (fields := _changed_fields(old[k], new[k]))
            },
        }
    diff["workflow"] = [
        f for f in _changed_fields({k: v for k, v in a.items() if k not in ("nodes", "edges", "groups")},
                                   {k: v for k, v in b.items() if k not in ("nodes", "edges", "groups")})
    ]
    return diff


def diff_is_empty(diff: dict[str, Any]) -> bool:
    return not diff["workflow"] and all(
        not part["added"] and not part["removed"] and not part["changed"]
        for part in (diff["nodes"], diff["edges"], diff["groups"])
    )


def describe_diff(diff: dict[str, Any]) -> list[str]:
    """Plain sentences for the chat: 'Adds node summarize.', 'Changes retry on fetch.'"""
    lines: list[str] = []
    for section, noun in (("nodes", "node"), ("edges", "edge"), ("groups", "group")):
        part = diff[section]
        lines += [f"Adds {noun} `{k}`." for k in part["added"]]
        lines += [f"Removes {noun} `{k}`." for k in part["removed"]]
        lines += [f"Changes {', '.join(f'`{f}`' for f in fields)} on {noun} `{k}`."
                  for k, fields in part["changed"].items()]
    if diff["workflow"]:
        lines.append("Changes workflow " + ", ".join(f"`{f}`" for f in diff["workflow"]) + ".")
    return lines
