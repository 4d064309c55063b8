"""``validation.validate``, the one entry point: JSON or a parsed workflow give the same problems,
and the rules the generated file imposes are reported before compiling, the same as compiling does."""

from __future__ import annotations

import pytest

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.compiler.ir import build_ir
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.validation import validate
from tests.unit.spec.helpers import edge, node, spec

BASH = "airflow.providers.standard.operators.bash.BashOperator"


def test_json_and_workflow_give_the_same_result() -> None:
    data = spec([node("a"), node("b")], [edge("a", "b"), edge("b", "ghost")])
    from_json, from_model = validate(data), validate(parse_workflow(data))
    assert from_json.problems == from_model.problems and from_json.problems
    assert from_json.workflow == from_model.workflow and not from_json.ok
    assert validate(spec([node("a")])).ok


def test_a_bad_field_still_reports_the_structural_problems() -> None:
    result = validate(spec([node("a", execution={"timeout_seconds": "soon"})], [edge("a", "ghost")]))
    assert result.workflow is None
    assert [(p.code, p.pointer) for p in result.problems] == [
        ("E_FIELD_INVALID", "/nodes/0/execution/timeout_seconds"),
        ("E_EDGE_TARGET_UNKNOWN", "/edges/0/target"),
    ]


CLASH = spec(
    [
        node("a", "tool", operator=BASH, parameters={"bash_command": "true"}),
        node(
            "b", "tool", operator=BASH.replace(".standard.", ".other."), parameters={"bash_command": "true"}
        ),
    ]
)
MAP_WITHOUT_SOURCE = spec([node("a", execution={"map_over": "items"})])


@pytest.mark.parametrize(
    ("data", "code"), [(CLASH, "E_OPERATOR_NAME_CLASH"), (MAP_WITHOUT_SOURCE, "E_MAP_OVER_SOURCE")]
)
def test_what_compiling_refuses_validation_reports(data: dict, code: str) -> None:
    found = [p for p in validate(data).problems if p.code == code]
    assert len(found) == 1 and found[0].severity == "error" and found[0].node_id
    with pytest.raises(SpecError) as compiled:
        compile_workflow(parse_workflow(data))
    assert found[0] in compiled.value.problems
    with pytest.raises(SpecError) as built:  # the IR's last line of defence words it the same way
        build_ir(parse_workflow(data))
    assert built.value.problems == found


def test_a_mapped_field_or_a_whole_output_feeds_map_over() -> None:
    mapped = spec(
        [node("src"), node("a", execution={"map_over": "items"})],
        [edge("src", "a", mapping=[{"source": "list", "target": "items"}])],
    )
    whole = spec([node("src"), node("a", execution={"map_over": "items"})], [edge("src", "a")])
    for data in (mapped, whole):
        assert not [p for p in validate(data).problems if p.code == "E_MAP_OVER_SOURCE"]
