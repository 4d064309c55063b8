"""Chains without storage: cutting a fragment out of a workflow, the interface its boundary edges
imply, the bump an interface change needs, and inserting/updating with ids made unique."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_canvas.service import chain_fragment as cf
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow
from airflow_canvas.tools.semver import Version
from airflow_canvas.validation import validate


def _proc(
    node_id: str, x: float, group: str | None, inp: dict[str, Any], out: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "process",
        "process": {"language": "jmespath", "expression": "@"},
        "input_schema": {"type": "object", "properties": inp},
        "output_schema": {"type": "object", "properties": out},
        "group": group,
        "ui": {"position": {"x": x, "y": 100}},
    }


def source_workflow() -> Workflow:
    return parse_workflow(
        {
            "id": "source_wf",
            "nodes": [
                {
                    "id": "start",
                    "type": "input",
                    "output_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
                },
                _proc("strip", 400, "clean", {"text": {"type": "string"}}, {"clean": {"type": "string"}}),
                _proc("upper", 700, "clean", {"clean": {"type": "string"}}, {"result": {"type": "string"}}),
                {"id": "end", "type": "output", "ui": {"position": {"x": 1000, "y": 100}}},
            ],
            "edges": [
                {"source": "start", "target": "strip", "mapping": [{"source": "text", "target": "text"}]},
                {"source": "strip", "target": "upper"},
                {"source": "upper", "target": "end", "mapping": [{"source": "result", "target": "result"}]},
            ],
            "groups": [{"id": "clean", "label": "Clean text"}],
        }
    )


def target_workflow() -> Workflow:
    return parse_workflow(
        {
            "id": "target_wf",
            "nodes": [
                {
                    "id": "ask",
                    "type": "input",
                    "output_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
                },
                # Taken on purpose: the inserted ids must not collide with it.
                {"id": "clean_text_strip", "type": "output"},
            ],
            "edges": [{"source": "ask", "target": "clean_text_strip"}],
        }
    )


def test_extract_group_and_derive_interface() -> None:
    fragment, interface = cf.extract(source_workflow(), group_id="clean")
    assert fragment.root == "clean"
    assert [n["id"] for n in fragment.nodes] == ["strip", "upper"]
    assert [(e["source"], e["target"]) for e in fragment.edges] == [("strip", "upper")]
    assert [g["id"] for g in fragment.groups] == ["clean"]
    # Positions are relative to the fragment's top-left node.
    assert [n.get("ui", {}).get("position", {}).get("x", 0.0) for n in fragment.nodes] == [0.0, 300.0]
    assert [(p.name, p.node, p.field, p.json_schema) for p in interface.inputs] == [
        ("text", "strip", "text", {"type": "string"})
    ]
    assert [(p.name, p.node, p.field, p.json_schema) for p in interface.outputs] == [
        ("result", "upper", "result", {"type": "string"})
    ]
    fragment.workflow()  # parses on its own


def test_extract_selection_wraps_a_new_root_and_keeps_whole_groups() -> None:
    wf = source_workflow()
    fragment, interface = cf.extract(wf, node_ids=["strip", "upper", "end"], root_id="tidy")
    assert fragment.root == "tidy"
    groups = {g["id"]: g.get("parent") for g in fragment.groups}
    assert groups == {"tidy": None, "clean": "tidy"}  # "clean" is wholly selected: it comes along
    assert {n["id"]: n["group"] for n in fragment.nodes} == {
        "strip": "clean",
        "upper": "clean",
        "end": "tidy",
    }
    assert interface.outputs == []  # nothing leaves: the output node is inside
    fragment, _ = cf.extract(wf, node_ids=["strip"], root_id="one")
    assert [g["id"] for g in fragment.groups] == ["one"]  # "clean" is only half selected


def test_extract_refuses_what_cannot_travel() -> None:
    wf = source_workflow()
    with pytest.raises(cf.ChainError, match="no group 'nope'"):
        cf.extract(wf, group_id="nope")
    with pytest.raises(cf.ChainError, match="no node 'ghost'"):
        cf.extract(wf, node_ids=["ghost"])
    data = wf.model_dump(mode="json", exclude_defaults=True)
    data["nodes"][1]["execution"] = {"on_error": "fallback", "fallback_node": "end"}
    with pytest.raises(cf.ChainError, match="'strip' falls back to 'end', which is outside the chain"):
        cf.extract(parse_workflow(data), group_id="clean")


def test_insert_prefixes_ids_uniquely_and_pins_the_chain() -> None:
    fragment, _ = cf.extract(source_workflow(), group_id="clean")
    wf, gid = cf.insert(target_workflow(), fragment, "clean_text@1.0.0")
    # "clean_text" alone is free, but "clean_text_strip" is taken: the group id moves on.
    assert gid == "clean_text_2"
    group = next(g for g in wf.groups if g.id == gid)
    assert group.chain == "clean_text@1.0.0" and group.parent is None and group.label == "Clean text"
    ids = [n.id for n in wf.nodes]
    assert "clean_text_2_strip" in ids and "clean_text_2_upper" in ids and len(ids) == len(set(ids))
    assert ("clean_text_2_strip", "clean_text_2_upper") in [(e.source, e.target) for e in wf.edges]
    assert {n.group for n in wf.nodes if n.id.startswith(gid)} == {gid}
    again, gid2 = cf.insert(wf, fragment, "clean_text@1.0.0")
    assert gid2 == "clean_text_3"
    assert validate(again).ok, validate(again).errors
    # The pin is metadata only: the chain's nodes are plain nodes of the workflow.
    with pytest.raises(cf.ChainError, match="already used"):
        cf.insert(wf, fragment, "clean_text@1.0.0", group_id="ask")


def test_insert_refuses_too_long_ids_and_conflicting_tools() -> None:
    fragment, _ = cf.extract(source_workflow(), group_id="clean")
    with pytest.raises(cf.ChainError, match="longer than 200"):
        cf.insert(target_workflow(), fragment, "clean_text@1.0.0", group_id="g" * 198)
    tool = {"name": "shout", "version": "1.0.0", "code": "def run(text):\n    return {'r': text}\n"}
    fragment.tools = [tool]
    data = target_workflow().model_dump(mode="json", exclude_defaults=True)
    data["tools"] = [tool | {"code": "def run(text):\n    return {'r': 1}\n"}]
    with pytest.raises(cf.ChainError, match="different tool under that name"):
        cf.insert(parse_workflow(data), fragment, "clean_text@1.0.0")


def test_inline_tools_travel_with_the_chain() -> None:
    data = source_workflow().model_dump(mode="json", exclude_defaults=True)
    data["tools"] = [
        {"name": "shout", "version": "1.0.0", "code": "def run(text):\n    return {'r': text}\n"},
        {"name": "unused", "version": "1.0.0", "code": "def run():\n    return {}\n"},
    ]
    data["nodes"][2] = {"id": "upper", "type": "tool", "tool": "shout@1.0.0", "group": "clean"}
    fragment, _ = cf.extract(parse_workflow(data), group_id="clean")
    assert [t["name"] for t in fragment.tools] == ["shout"]
    wf, _ = cf.insert(target_workflow(), fragment, "clean_text@1.0.0")
    assert [t.ref for t in wf.tools] == ["shout@1.0.0"]


def _iface(inputs: dict[str, Any], outputs: dict[str, Any]) -> cf.Interface:
    return cf.Interface(
        inputs=[cf.Port(name=k, node="n", field=k, json_schema=v) for k, v in inputs.items()],
        outputs=[cf.Port(name=k, node="n", field=k, json_schema=v) for k, v in outputs.items()],
    )


@pytest.mark.parametrize(
    ("new", "bump", "message"),
    [
        (_iface({}, {"result": {"type": "string"}}), "major", "input 'text' was removed"),
        (
            _iface({"text": {"type": "integer"}}, {"result": {"type": "string"}}),
            "major",
            "input 'text': type",
        ),
        (_iface({"text": {"type": "string"}}, {}), "major", "output 'result' was removed"),
        (_iface({"text": {"type": "string"}}, {"result": {"type": ["string", "null"]}}), "major", "output"),
        (
            _iface({"text": {"type": ["string", "null"]}}, {"result": {"type": "string"}}),
            "minor",
            "compatibly",
        ),
        (
            _iface({"text": {"type": "string"}}, {"result": {"type": "string"}, "n": {"type": "integer"}}),
            "minor",
            "output 'n' was added",
        ),
        (_iface({"text": {"type": "string"}}, {"result": {"type": "string"}}), "patch", "nodes, edges"),
    ],
)
def test_required_bump(new: cf.Interface, bump: str, message: str) -> None:
    old = _iface({"text": {"type": "string"}}, {"result": {"type": "string"}})
    fragment, _ = cf.extract(source_workflow(), group_id="clean")
    changed = cf.Fragment.from_dict(fragment.to_dict() | {"edges": []})
    got, changes = cf.required_bump(old, new, fragment, changed)
    assert got == bump
    assert any(message in c.message for c in changes if c.bump == bump), [c.message for c in changes]
    assert cf.required_bump(old, old, fragment, fragment)[0] is None


def test_compatible_updates_follow_semver() -> None:
    v = Version.parse
    assert cf.compatible_with(v("1.0.0"), v("1.4.2"))
    assert not cf.compatible_with(v("1.0.0"), v("2.0.0"))
    assert not cf.compatible_with(v("0.1.0"), v("0.2.0"))  # 0.x: a minor bump breaks
    assert not cf.compatible_with(v("1.2.0"), v("1.2.0"))


def test_update_keeps_outside_edges_that_still_fit() -> None:
    fragment, interface = cf.extract(source_workflow(), group_id="clean")
    target = target_workflow()
    wf, gid = cf.insert(target, fragment, "clean_text@1.0.0", group_id="cleaner")
    data = wf.model_dump(mode="json", exclude_defaults=True)
    data["edges"] += [
        {"source": "ask", "target": "cleaner_strip", "mapping": [{"source": "text", "target": "text"}]},
        {"source": "cleaner_upper", "target": "clean_text_strip"},
    ]
    data["groups"][0]["label"] = "My cleaner"
    wf = parse_workflow(data)
    # Version 2 renames the entry field: the mapped edge into it no longer fits.
    v2 = cf.Fragment.from_dict(fragment.to_dict())
    v2_interface = interface.model_copy(
        update={"inputs": [cf.Port(name="body", node="strip", field="body", json_schema={"type": "string"})]}
    )
    result = cf.update(wf, gid, v2, v2_interface, "clean_text@2.0.0")
    edges = [(e.source, e.target) for e in result.workflow.edges]
    assert ("cleaner_upper", "clean_text_strip") in edges
    assert ("ask", "cleaner_strip") not in edges
    assert result.dropped_edges == [
        {"edge": "ask->cleaner_strip", "reason": "clean_text@2.0.0's inputs have no field text"}
    ]
    group = next(g for g in result.workflow.groups if g.id == gid)
    assert group.chain == "clean_text@2.0.0" and group.label == "My cleaner"  # the user's label stays
    # The same interface keeps both edges.
    same = cf.update(wf, gid, fragment, interface, "clean_text@1.1.0")
    assert same.dropped_edges == [] and len(same.kept_edges) == 2
    with pytest.raises(cf.ChainError, match="not inserted from the chain library"):
        plain = parse_workflow(data | {"groups": [{"id": "cleaner"}]})
        cf.update(plain, "cleaner", fragment, interface, "clean_text@1.1.0")
