"""spec.graph.stable_order: the project's one topological order (compiler, co-pilot run order)."""

from __future__ import annotations

from airflow_canvas.spec.graph import stable_order


def test_ready_vertices_follow_rank_and_edges_win() -> None:
    graph = {"c": ["a"], "b": [], "a": []}
    ordered, stuck = stable_order(graph, {"a": 0, "b": 1, "c": 2})
    assert ordered == ["b", "c", "a"]  # c must precede a; b is ready first and ranks before c
    assert stuck == []


def test_successor_only_vertices_duplicates_and_self_loops() -> None:
    ordered, stuck = stable_order({"a": ["b", "b", "a"]}, {"a": 1, "b": 0})
    assert (ordered, stuck) == (["a", "b"], [])


def test_cycles_come_back_stuck_in_rank_order() -> None:
    graph = {"x": ["y"], "y": ["z"], "z": ["y"], "w": []}
    ordered, stuck = stable_order(graph, {"w": 3, "x": 0, "y": 2, "z": 1})
    assert ordered == ["x", "w"]
    assert stuck == ["z", "y"]
