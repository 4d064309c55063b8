"""The pure structural diff and three-way merge of specs (spec/diff.py, store/merge.py)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_canvas.spec.diff import diff_specs, field_changes
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.store.merge import merge_specs
from airflow_canvas.store.serialize import full_dict


def spec(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": "w",
        "nodes": [
            {"id": "a", "type": "input"},
            {"id": "b", "type": "process"},
            {"id": "c", "type": "output"},
        ],
        "edges": [{"source": "a", "target": "b"}, {"source": "b", "target": "c"}],
        "groups": [{"id": "g", "label": "G"}],
    }
    base.update(overrides)
    return full_dict(parse_workflow(base))


def node(s: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in s["nodes"] if n["id"] == node_id)


def test_field_changes_are_leaf_paths() -> None:
    assert field_changes({"a": {"b": 1, "c": [1]}}, {"a": {"b": 2, "c": [1, 2]}}) == [
        {"path": "a.b", "before": 1, "after": 2},
        {"path": "a.c", "before": [1], "after": [1, 2]},
    ]
    assert field_changes({"x": 1}, {"x": 1}) == []


def test_diff_nodes_edges_groups_and_sections() -> None:
    a = spec()
    b = copy.deepcopy(a)
    node(b, "b")["execution"]["retry"] = {
        "retries": 3,
        "delay_seconds": 10.0,
        "exponential_backoff": False,
        "max_delay_seconds": None,
    }
    b["nodes"].append(
        full_dict(parse_workflow({"id": "w", "nodes": [{"id": "d", "type": "output"}]}))["nodes"][0]
    )
    b["edges"] = [e for e in b["edges"] if e["target"] != "c"] + [
        {**b["edges"][0], "source": "b", "target": "d"}
    ]
    b["groups"][0]["label"] = "Renamed"
    b["settings"]["catchup"] = True
    d = diff_specs(a, b)
    assert d["nodes"]["added"] == ["d"] and d["nodes"]["removed"] == []
    assert d["nodes"]["changed"][0]["id"] == "b"
    assert d["nodes"]["changed"][0]["fields"][0]["path"] == "execution.retry"
    assert d["edges"]["added"] == ["b->d"] and d["edges"]["removed"] == ["b->c"]
    assert d["groups"]["changed"] == [
        {"id": "g", "fields": [{"path": "label", "before": "G", "after": "Renamed"}]}
    ]
    assert d["workflow"] == [{"path": "settings.catchup", "before": False, "after": True}]
    assert d["summary"] == {"added": 2, "removed": 1, "changed": 3} and not d["empty"]
    assert diff_specs(a, a)["empty"]


def test_merge_combines_disjoint_changes() -> None:
    base = spec()
    target, source = copy.deepcopy(base), copy.deepcopy(base)
    node(target, "a")["name"] = "T"
    node(source, "a")["description"] = "S"  # same node, different field: combines
    source["nodes"] = [n for n in source["nodes"] if n["id"] != "c"]  # deleted on one side only
    source["edges"] = [e for e in source["edges"] if e["target"] != "c"]
    result = merge_specs(base, target, source)
    assert result.conflicts == []
    assert node(result.spec, "a")["name"] == "T" and node(result.spec, "a")["description"] == "S"
    assert [n["id"] for n in result.spec["nodes"]] == ["a", "b"]
    parse_workflow(result.spec)  # still a valid workflow


def test_merge_conflicts_per_item_and_resolutions() -> None:
    base = spec()
    target, source = copy.deepcopy(base), copy.deepcopy(base)
    node(target, "b")["name"] = "T"
    node(source, "b")["name"] = "S"
    target["nodes"] = [n for n in target["nodes"] if n["id"] != "c"]  # deleted here ...
    node(source, "c")["name"] = "edited"  # ... edited there
    target["settings"]["owner"] = "t"
    source["settings"]["owner"] = "s"
    result = merge_specs(base, target, source)
    keys = {c.key: c.fields for c in result.conflicts}
    assert keys == {"nodes/b": ["name"], "nodes/c": ["*"], "workflow/settings": ["settings"]}
    resolved = merge_specs(
        base, target, source, {"nodes/b": "source", "nodes/c": "target", "workflow/settings": "source"}
    )
    assert resolved.conflicts == []
    assert node(resolved.spec, "b")["name"] == "S"
    assert "c" not in {n["id"] for n in resolved.spec["nodes"]}
    assert resolved.spec["settings"]["owner"] == "s"


def test_same_change_on_both_sides_is_not_a_conflict() -> None:
    base = spec()
    target, source = copy.deepcopy(base), copy.deepcopy(base)
    for s in (target, source):
        node(s, "b")["name"] = "same"
        s["nodes"].append({**node(s, "c"), "id": "new"})
    result = merge_specs(base, target, source)
    assert result.conflicts == [] and [n["id"] for n in result.spec["nodes"]] == ["a", "b", "c", "new"]


names = st.text(alphabet="abc", max_size=3)


@settings(max_examples=60, deadline=None)
@given(t_name=names, s_name=names, s_desc=names)
def test_merge_with_unchanged_side_returns_other_side(t_name: str, s_name: str, s_desc: str) -> None:
    base = spec()
    source = copy.deepcopy(base)
    node(source, "b")["name"] = s_name
    node(source, "b")["description"] = s_desc
    assert merge_specs(base, base, source).spec == source
    assert merge_specs(base, source, base).spec == source
    target = copy.deepcopy(base)
    node(target, "b")["name"] = t_name
    result = merge_specs(base, target, source)
    conflicted = t_name != s_name and t_name != "" and s_name != ""
    assert bool(result.conflicts) == conflicted
