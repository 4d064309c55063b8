"""E_GROUP_INTERLEAVED is one rule (``spec.graph.nested_order``) that ``/validate`` reports and the
compiler enforces: a node outside a group that both waits on the group and feeds it has no place
once the group is drawn and printed as one box. Random workflows check the two never disagree."""

from __future__ import annotations

import random
from typing import Any

import pytest

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.validation import validate
from tests.unit.spec.helpers import edge, node, spec

INTERLEAVED = spec(
    [node("a", group="g"), node("b"), node("c", group="g")],
    [edge("a", "b"), edge("b", "c")],
    groups=[{"id": "g"}],
)


def _compile_codes(data: dict[str, Any]) -> set[str]:
    try:
        compile_workflow(parse_workflow(data))
    except SpecError as exc:
        return {p.code for p in exc.problems}
    return set()


def test_validate_reports_what_compiling_refuses_naming_the_group() -> None:
    found = [p for p in validate(INTERLEAVED).problems if p.code == "E_GROUP_INTERLEAVED"]
    assert len(found) == 1
    assert found[0].group_id == "g" and found[0].pointer == "/groups/0" and found[0].severity == "error"
    assert "b" in found[0].message and found[0].hint
    with pytest.raises(SpecError) as compiled:
        compile_workflow(parse_workflow(INTERLEAVED))
    assert compiled.value.problems == found


@pytest.mark.parametrize(
    "data",
    [
        # a sequential group's implicit order a -> c, with b outside in between
        spec(
            [node("a", group="g"), node("b"), node("c", group="g")],
            [edge("a", "b"), edge("b", "c")],
            groups=[{"id": "g", "mode": "sequential"}],
        ),
        # nested: the inner group waits on b, which waits on the outer group's other member
        spec(
            [node("a", group="outer"), node("b"), node("c", group="inner")],
            [edge("a", "b"), edge("b", "c")],
            groups=[{"id": "outer"}, {"id": "inner", "parent": "outer"}],
        ),
    ],
)
def test_interleaving_through_sequential_and_nested_groups(data: dict[str, Any]) -> None:
    assert "E_GROUP_INTERLEAVED" in {p.code for p in validate(data).problems}
    assert "E_GROUP_INTERLEAVED" in _compile_codes(data)


def test_edges_in_and_out_of_a_group_are_fine() -> None:
    data = spec(
        [node("start"), node("a", group="g"), node("c", group="g"), node("end")],
        [edge("start", "a"), edge("a", "c"), edge("c", "end"), edge("start", "end")],
        groups=[{"id": "g"}],
    )
    assert validate(data).ok and not _compile_codes(data)


def test_a_node_cycle_is_reported_once_as_a_cycle() -> None:
    data = spec([node("a", group="g"), node("b")], [edge("a", "b"), edge("b", "a")], groups=[{"id": "g"}])
    codes = [p.code for p in validate(data).problems]
    assert "E_CYCLE" in codes and "E_GROUP_INTERLEAVED" not in codes


def _random_workflow(rng: random.Random) -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    for k in range(rng.randint(1, 3)):
        group: dict[str, Any] = {"id": f"g{k}", "mode": rng.choice(["parallel", "parallel", "sequential"])}
        if k and rng.random() < 0.4:
            group["parent"] = f"g{rng.randrange(k)}"
        groups.append(group)
    nodes = []
    for i in range(rng.randint(3, 7)):
        extra = {"group": rng.choice(groups)["id"]} if rng.random() < 0.6 else {}
        nodes.append(node(f"n{i}", **extra))
    edges = [
        edge(f"n{i}", f"n{j}")
        for i in range(len(nodes))
        for j in range(i + 1, len(nodes))
        if rng.random() < 0.3
    ]
    return spec(nodes, edges, groups=groups)


def test_validate_and_compile_agree_on_random_grouped_workflows() -> None:
    rng = random.Random(1505)
    seen_interleaved = seen_clean = 0
    for _ in range(300):
        data = _random_workflow(rng)
        reported = "E_GROUP_INTERLEAVED" in {p.code for p in validate(data).problems}
        refused = "E_GROUP_INTERLEAVED" in _compile_codes(data)
        assert reported == refused, data
        seen_interleaved += reported
        seen_clean += not reported
    assert seen_interleaved > 20 and seen_clean > 20  # both sides of the rule were exercised
