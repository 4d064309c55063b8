"""What a patch changes, in the shape the canvas needs for its preview (added / removed / changed
nodes, edges and groups, each changed node with the dotted fields that differ)."""

from __future__ import annotations

from typing import Any

from airflow_canvas.spec.models import Workflow


def _changed_fields(before: Any, after: Any, prefix: str = "") -> list[str]:
    if before == after:  # C-speed equality first: most of a 200-node workflow is unchanged
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after)):
            out += _changed_fields(before.get(key), after.get(key), f"{prefix}{key}.")
        return out
    return [prefix.rstrip(".")]


def _keyed(items: list[Any], section: str) -> dict[str, Any]:
    if section == "edges":
        return {i.key: i for i in items}
    return {i.id: i for i in items}


def workflow_diff(before: Workflow, after: Workflow) -> dict[str, Any]:
    """Structured diff: {"nodes": {"added": [...], "removed": [...], "changed": {id: [fields]}}, ...}.

    Layout-only changes (``ui.position``) are reported too, so the preview can show moved nodes.
    Items are compared as models first; only the few that differ are dumped to find the fields.
    """
    diff: dict[str, Any] = {}
    for section in ("nodes", "edges", "groups"):
        old, new = _keyed(getattr(before, section), section), _keyed(getattr(after, section), section)
        diff[section] = {
            "added": [k for k in new if k not in old],
            "removed": [k for k in old if k not in new],
            "changed": {
                k: fields
                for k in new
                if k in old
                and old[k] is not new[k]  # a patch's result shares the models of unchanged items
                and old[k] != new[k]
                and (
                    fields := _changed_fields(old[k].model_dump(mode="json"), new[k].model_dump(mode="json"))
                )
            },
        }
    rest = {"nodes", "edges", "groups"}
    diff["workflow"] = _changed_fields(
        before.model_dump(mode="json", exclude=rest), after.model_dump(mode="json", exclude=rest)
    )
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
        lines += [
            f"Changes {', '.join(f'`{f}`' for f in fields)} on {noun} `{k}`."
            for k, fields in part["changed"].items()
        ]
    if diff["workflow"]:
        lines.append("Changes workflow " + ", ".join(f"`{f}`" for f in diff["workflow"]) + ".")
    return lines
