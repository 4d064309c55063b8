"""Graph helpers shared with the compiler (airflow_canvas.spec.graph, spec.schema_paths)."""

from __future__ import annotations

from airflow_canvas.spec.graph import (
    dependency_graph,
    fallback_targets,
    find_cycles,
    group_loops,
    node_id_of,
    node_task_id,
    sequential_links,
)
from airflow_canvas.spec.schema_paths import field_known
from tests.unit.spec.helpers import node, workflow


def test_task_ids_carry_group_prefixes() -> None:
    wf = workflow([node("n", group="inner")], groups=[{"id": "outer"}, {"id": "inner", "parent": "outer"}])
    assert node_task_id(wf, "n", "inner") == "outer.inner.n"
    assert node_task_id(wf, "n", None) == "n"
    assert node_id_of(node_task_id(wf, "n", "inner")) == "n" and node_id_of("n") == "n"


def test_sequential_members_follow_node_order_and_child_groups_count_as_one() -> None:
    wf = workflow(
        [node("a", group="seq"), node("x", group="child"), node("b", group="seq"), node("y", group="child")],
        groups=[{"id": "seq", "mode": "sequential"}, {"id": "child", "parent": "seq"}],
    )
    links = [(link.upstream, link.downstream) for link in sequential_links(wf)]
    assert links == [(("a",), ("x", "y")), (("x", "y"), ("b",))]


def test_dependency_graph_uses_virtual_vertices_for_sequences() -> None:
    wf = workflow([node("a", group="s"), node("b", group="s")], groups=[{"id": "s", "mode": "sequential"}])
    graph = dependency_graph(wf)
    assert graph["a"] == ["<seq:s#0>"] and graph["<seq:s#0>"] == ["b"] and graph["b"] == []


def test_fallback_targets_inherit_defaults_but_not_for_the_fallback_itself() -> None:
    wf = workflow([node("a"), node("rescue")], defaults={"on_error": "fallback", "fallback_node": "rescue"})
    assert fallback_targets(wf) == {"a": "rescue"}


def test_find_cycles_is_deterministic_and_shortest() -> None:
    graph = {"a": ["b"], "b": ["c", "a"], "c": ["a"]}
    assert find_cycles(graph, ["a", "b", "c"]) == [["a", "b", "a"]]
    assert find_cycles({"a": ["b"], "b": []}, ["a", "b"]) == []


def test_group_loops_once_per_loop() -> None:
    wf = workflow(
        [], groups=[{"id": "a", "parent": "b"}, {"id": "b", "parent": "a"}, {"id": "c", "parent": "a"}]
    )
    assert group_loops(wf) == [["a", "b", "a"]]


def test_field_known() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "object", "properties": {"b": {}}},
            "list": {"type": "array", "items": {"properties": {"c": {}}}},
        },
    }
    assert field_known(schema, "a.b") == (True, [])
    assert field_known(schema, "a.x") == (False, ["b"])
    assert field_known(schema, "list[0].c")[0] and not field_known(schema, "list.3.d")[0]
    assert field_known(schema, "a.b.anything.below")[0]  # b's schema is open
    assert field_known({}, "x")[0] and field_known({"anyOf": [{}]}, "x")[0]
    assert field_known(schema, "")[0]


def test_group_chains_agree_with_group_chain_including_loops_and_unknown_parents() -> None:
    import random

    from airflow_canvas.spec.graph import group_chain, group_chains

    rng = random.Random(7)
    for _ in range(500):
        ids = [f"g{i}" for i in range(rng.randint(1, 7))]
        wf = workflow([], groups=[{"id": g, "parent": rng.choice([*ids, None, None, "zz"])} for g in ids])
        chains = group_chains(wf)
        assert all(chains[g] == group_chain(wf, g) for g in ids)
