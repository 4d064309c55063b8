"""Behaviour of validation as a whole: all problems at once, cycles named in order, hints,
pools, check_workflow, validate_data on broken JSON, and speed on big workflows."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.validation import check_workflow, validate_data, validate_workflow
from tests.unit.spec.helpers import OBJ_ANSWER, edge, node, only, problems_of, spec, workflow


def test_cycle_is_named_in_order_from_the_first_node() -> None:
    data = spec(
        [node("start"), node("b"), node("c"), node("d")],
        [edge("start", "b"), edge("c", "d"), edge("d", "b"), edge("b", "c")],
    )
    problem = only(problems_of(data), "E_CYCLE")
    assert "'b' -> 'c' -> 'd' -> 'b'" in problem.message
    assert problem.node_id == "b"
    assert problem.pointer == "/edges/3"  # b->c, the first edge on the cycle


def test_cycle_through_a_sequential_group() -> None:
    # Inside the sequential group, first runs before second; an edge back closes a loop.
    data = spec(
        [node("first", group="seq"), node("second", group="seq")],
        [edge("second", "first")],
        groups=[{"id": "seq", "mode": "sequential"}],
    )
    problem = only(problems_of(data), "E_CYCLE")
    assert problem.message.count("'first'") == 2 and "sequential group 'seq'" in problem.message
    assert problem.node_id == "first"


def test_parallel_group_adds_no_order() -> None:
    data = spec(
        [node("first", group="par"), node("second", group="par")],
        [edge("second", "first")],
        groups=[{"id": "par"}],
    )
    assert problems_of(data) == []


def test_cycle_through_a_fallback() -> None:
    data = spec(
        [node("backup"), node("main", execution={"on_error": "fallback", "fallback_node": "backup"})],
        [edge("backup", "main")],
    )
    problem = only(problems_of(data), "E_CYCLE")
    assert "'backup' -> 'main' -> 'backup'" in problem.message


def test_cycle_through_a_fallback_feeding_the_downstream() -> None:
    # main -> report; backup (main's fallback) also feeds report, but report is upstream of backup.
    data = spec(
        [
            node("main", execution={"on_error": "fallback", "fallback_node": "backup"}),
            node("report"),
            node("backup"),
        ],
        [edge("main", "report"), edge("report", "backup", kind="dependency")],
    )
    problem = only(problems_of(data), "E_CYCLE")
    assert "'report' -> 'backup' -> 'report'" in problem.message


def test_two_separate_cycles_are_both_reported() -> None:
    data = spec(
        [node("a"), node("b"), node("c"), node("d")],
        [edge("a", "b"), edge("b", "a"), edge("c", "d"), edge("d", "c")],
    )
    cycles = [p for p in problems_of(data) if p.code == "E_CYCLE"]
    assert [p.node_id for p in cycles] == ["a", "c"]


def test_group_loop_names_the_groups() -> None:
    data = spec(
        [node("n", group="a")],
        groups=[{"id": "a", "parent": "c"}, {"id": "b", "parent": "a"}, {"id": "c", "parent": "b"}],
    )
    problem = only(problems_of(data), "E_GROUP_CYCLE")
    assert "'a' -> 'c' -> 'b' -> 'a'" in problem.message


def test_hints_suggest_close_names() -> None:
    problems = problems_of(spec([node("summarise"), node("a")], [edge("a", "sumarise")]))
    assert only(problems, "E_EDGE_TARGET_UNKNOWN").hint == "did you mean 'summarise'?"
    problems = problems_of(
        spec(
            [node("a", output_schema=OBJ_ANSWER), node("b")],
            [edge("a", "b", mapping=[{"source": "scor", "target": "s"}])],
        )
    )
    assert only(problems, "E_MAPPING_SOURCE_FIELD").hint == "did you mean 'score'?"
    problems = problems_of(spec([node("a")], triggers={"schedule": {"kind": "preset", "value": "daily"}}))
    assert only(problems, "E_SCHEDULE_INVALID").hint == "did you mean '@daily'?"


def test_every_problem_reported_at_once() -> None:
    data = spec(
        [node("a"), node("a"), node("t", "tool"), node("ag", "agent"), node("p", group="nope")],
        [edge("a", "zz"), edge("p", "p"), edge("a", "p", kind="trigger", condition="x")],
        triggers={"schedule": {"kind": "cron", "value": "every day"}},
    )
    codes = sorted(p.code for p in problems_of(data))
    assert codes == sorted(
        [
            "E_NODE_ID_DUPLICATE",
            "E_TOOL_MISSING",
            "E_AGENT_CONFIG_MISSING",
            "E_NODE_GROUP_UNKNOWN",
            "E_EDGE_TARGET_UNKNOWN",
            "E_EDGE_SELF_LOOP",
            "E_CONDITION_EDGE_KIND",
            "E_SCHEDULE_INVALID",
        ]
    )


def test_mappings_into_open_schemas_are_accepted() -> None:
    open_target = {"type": "object", "properties": {"a": {}}, "additionalProperties": True}
    data = spec(
        [node("a"), node("b", input_schema=open_target), node("c", input_schema={"type": "object"})],
        [
            edge("a", "b", mapping=[{"source": "anything.deep", "target": "other"}]),
            edge("a", "c", mapping=[{"target": "x"}]),
        ],
    )
    assert problems_of(data) == []


def test_mapping_walks_nested_paths() -> None:
    out = {
        "type": "object",
        "properties": {
            "doc": {
                "type": "object",
                "properties": {
                    "pages": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"text": {"type": "string"}}},
                    }
                },
            }
        },
    }
    good = spec(
        [node("a", output_schema=out), node("b")],
        [edge("a", "b", mapping=[{"source": "doc.pages.0.text", "target": "t"}])],
    )
    assert problems_of(good) == []
    bad = spec(
        [node("a", output_schema=out), node("b")],
        [edge("a", "b", mapping=[{"source": "doc.pages[0].txt", "target": "t"}])],
    )
    assert only(problems_of(bad), "E_MAPPING_SOURCE_FIELD").hint == "did you mean 'text'?"


COUNT_OUT = {"type": "object", "properties": {"count": {"type": "integer"}, "label": {"type": "string"}}}


def _typed_pair(target_field: dict, **source: Any) -> dict:
    """a (outputs count: integer) -> b (input ``text`` as given), mapping count -> text."""
    return spec(
        [
            node("a", output_schema=COUNT_OUT, **source),
            node("b", input_schema={"type": "object", "properties": {"text": target_field}}),
            node("c"),
        ],
        [edge("a", "b", mapping=[{"source": "count", "target": "text"}])],
    )


def test_mapping_type_mismatch_that_certainly_fails_is_an_error() -> None:
    problem = only(problems_of(_typed_pair({"type": "string"})), "E_MAPPING_TYPE_MISMATCH")
    assert problem.severity == "error"
    assert (problem.edge_id, problem.node_id, problem.pointer) == ("a->b", "b", "/edges/0/mapping/0")
    assert problem.message == "Edge a->b: a.count is integer/number but b.text expects string."
    assert problem.hint == "Add a transform to the mapping (e.g. `to_string(@)`), or map another field."
    with pytest.raises(SpecError) as info:
        compile_workflow(parse_workflow(_typed_pair({"type": "string"})))
    assert [p.code for p in info.value.problems] == ["E_MAPPING_TYPE_MISMATCH"]
    warned = compile_workflow(parse_workflow(_typed_pair({"type": ["string", "null"]})))
    assert [p.code for p in warned.warnings] == ["E_MAPPING_TYPE_MISMATCH"]


@pytest.mark.parametrize(
    ("target_field", "source", "why"),
    [
        ({"type": ["string", "null"]}, {}, "b.text accepts null, which arrives when a gives no value for it"),
        (
            {"type": "string"},
            {"execution": {"on_error": "fallback", "fallback_node": "c"}},
            "'c''s output stands in for 'a''s when it fails",
        ),
        (
            {"type": "string"},
            {
                "execution": {"map_over": "items"},
                "input_schema": {"type": "object", "properties": {"items": {"type": "array"}}},
            },
            "'a' is mapped",
        ),
    ],
)
def test_mapping_type_mismatch_a_run_might_survive_is_a_warning(
    target_field: dict, source: dict, why: str
) -> None:
    problem = only(problems_of(_typed_pair(target_field, **source)), "E_MAPPING_TYPE_MISMATCH")
    assert problem.severity == "warning" and (problem.edge_id, problem.node_id) == ("a->b", "b")
    assert problem.hint.startswith("Add a transform to the mapping") and why in problem.hint


def test_mapping_types_that_meet_or_are_transformed_pass() -> None:
    inputs = {
        "type": "object",
        "properties": {"n": {"type": "number"}, "text": {"type": "string"}, "shown": {"type": "string"}},
    }
    data = spec(
        [node("a", output_schema=COUNT_OUT), node("b", input_schema=inputs)],
        [
            edge(
                "a",
                "b",
                mapping=[
                    {"source": "count", "target": "n"},
                    {"source": "label", "target": "text"},
                    {"source": "count", "target": "shown", "transform": "to_string(@)"},
                ],
            )
        ],
    )
    assert problems_of(data) == []


def test_pools_warn_only_when_known_pools_are_given() -> None:
    data = spec([node("a", execution={"pool": "llm_pool"})], defaults={"pool": "defalt_pool"})
    assert problems_of(data) == []
    problems = problems_of(data, pools={"default_pool", "llm"})
    assert [(p.code, p.pointer, p.severity) for p in problems] == [
        ("W_POOL_UNKNOWN", "/defaults/pool", "warning"),
        ("W_POOL_UNKNOWN", "/nodes/0/execution/pool", "warning"),
    ]
    assert problems[0].hint == "did you mean 'default_pool'?"
    assert problems[1].node_id == "a"
    assert problems_of(data, pools={"llm_pool", "defalt_pool"}) == []


def test_check_workflow_raises_with_every_error_and_returns_warnings() -> None:
    with pytest.raises(SpecError) as info:
        check_workflow(workflow([node("a"), node("b")], [edge("a", "x"), edge("b", "y")]))
    assert [p.code for p in info.value.problems] == ["E_EDGE_TARGET_UNKNOWN"] * 2
    assert "/edges/1/target" in str(info.value)
    warnings = check_workflow(workflow([node("a")], groups=[{"id": "empty"}]))
    assert [p.code for p in warnings] == ["W_GROUP_EMPTY"]


def test_validate_data_valid() -> None:
    wf, problems = validate_data(spec([node("a")]))
    assert wf is not None and wf.id == "wf" and problems == []


def test_validate_data_merges_field_and_structural_problems() -> None:
    data = spec(
        [
            node("a"),
            node("bad id"),
            node("b", execution={"retries": 3, "on_error": "fallback"}),
            node("c", "tool", tool=7),
        ],
        [edge("bad id", "a"), {"source": "a"}, edge("a", "missing")],
    )
    wf, problems = validate_data(data)
    assert wf is None
    found = {(p.code, p.pointer) for p in problems}
    assert found == {
        ("E_ID_INVALID", "/nodes/1/id"),
        ("E_FIELD_UNKNOWN", "/nodes/2/execution/retries"),
        ("E_FIELD_INVALID", "/nodes/3/tool"),
        ("E_FIELD_MISSING", "/edges/1/target"),
        # structural, found on the repaired copy; /edges/2 keeps its original index although
        # /edges/1 was dropped, and the edge from the dropped node 'bad id' is not called dangling
        ("E_EDGE_TARGET_UNKNOWN", "/edges/2/target"),
        ("E_FALLBACK_MISSING", "/nodes/2/execution/fallback_node"),
    }


def test_validate_data_not_an_object() -> None:
    wf, problems = validate_data(["not", "a", "spec"])
    assert wf is None and [p.code for p in problems] == ["E_SPEC_NOT_OBJECT"]


def test_validate_data_required_nested_field() -> None:
    # Removing the bad `uris` is not enough (it is required), so the repair removes `assets`.
    data = spec([node("a"), node("b")], [edge("a", "b", condition="[")], triggers={"assets": {"uris": []}})
    _, problems = validate_data(data)
    assert {p.code for p in problems} == {"E_FIELD_INVALID", "E_JMESPATH_INVALID"}


def _chain(n: int) -> dict:
    nodes = [
        node(
            f"n{i}",
            output_schema=OBJ_ANSWER,
            input_schema={"type": "object", "properties": {"answer": {"type": "string"}}},
        )
        for i in range(n)
    ]
    edges = [
        edge(f"n{i}", f"n{i + 1}", mapping=[{"source": "answer", "target": "answer"}]) for i in range(n - 1)
    ]
    return spec(nodes, edges, groups=[])


def test_big_workflows_validate_without_recursion() -> None:
    # Speed is measured by benchmarks/api.py against its baseline, not timed here (a loaded machine
    # made a wall-clock bound flaky).
    wf = workflow(**{k: v for k, v in _chain(1000).items() if k != "id"})
    assert validate_workflow(wf) == []
    big = _chain(5000)
    big["edges"].append(edge("n4999", "n0"))  # one 5000-node cycle: no RecursionError
    problem = only(problems_of(big), "E_CYCLE")
    assert problem.node_id == "n0" and problem.message.count("->") == 5000


def test_a_failing_tool_source_is_a_problem_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_canvas.tools import registry

    def broken_store() -> list:
        raise RuntimeError("database is down")

    monkeypatch.setattr(registry, "_SOURCES", [broken_store])
    problem = only(problems_of(spec([node("t", "tool", tool="summarise@^1")])), "E_TOOL_UNKNOWN")
    assert "database is down" in problem.message and problem.pointer == "/nodes/0/tool"
