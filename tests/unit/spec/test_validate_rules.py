"""One case per validation rule: the code, the id it names and the JSON pointer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.spec.helpers import ECHO_TOOL, OBJ_ANSWER, OBJ_Q, edge, node, only, problems_of, spec

LONG = "g" * 200
BASH = "airflow.providers.standard.operators.bash.BashOperator"
STRICT_TOOL = {
    **ECHO_TOOL,
    "name": "strict",
    "version": "1.0.0",
    "input_schema": {
        "type": "object",
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
        "additionalProperties": False,
    },
}

# (code, spec, pointer, {"node_id"|"edge_id"|"group_id": value}, severity)
CASES: list[tuple[str, dict[str, Any], str, dict[str, str], str]] = [
    (
        "E_NODE_ID_DUPLICATE",
        spec([node("a"), node("b"), node("a")]),
        "/nodes/2/id",
        {"node_id": "a"},
        "error",
    ),
    (
        "E_EDGE_ID_DUPLICATE",
        spec([node("a"), node("b"), node("c")], [edge("a", "b", id="e1"), edge("b", "c", id="e1")]),
        "/edges/1/id",
        {"edge_id": "e1"},
        "error",
    ),
    (
        "E_GROUP_ID_DUPLICATE",
        spec([node("a", group="g")], groups=[{"id": "g"}, {"id": "g"}]),
        "/groups/1/id",
        {"group_id": "g"},
        "error",
    ),
    (
        "E_EDGE_SOURCE_UNKNOWN",
        spec([node("fetch"), node("b")], [edge("fetchh", "b")]),
        "/edges/0/source",
        {"edge_id": "fetchh->b"},
        "error",
    ),
    (
        "E_EDGE_TARGET_UNKNOWN",
        spec([node("a"), node("summarise")], [edge("a", "sumarise")]),
        "/edges/0/target",
        {"edge_id": "a->sumarise"},
        "error",
    ),
    ("E_EDGE_SELF_LOOP", spec([node("a")], [edge("a", "a")]), "/edges/0", {"node_id": "a"}, "error"),
    (
        "E_CYCLE",
        spec([node("a"), node("b"), node("c")], [edge("a", "b"), edge("b", "c"), edge("c", "a")]),
        "/edges/0",
        {"node_id": "a"},
        "error",
    ),
    ("E_ID_RESERVED", spec([node("pick__branch")]), "/nodes/0/id", {"node_id": "pick__branch"}, "error"),
    (
        "E_ID_CLASH",
        spec([node("g"), node("x", group="g")], groups=[{"id": "g"}]),
        "/groups/0/id",
        {"group_id": "g"},
        "error",
    ),
    ("W_ID_CASE", spec([node("Fetch"), node("fetch")]), "/nodes/1/id", {"node_id": "fetch"}, "warning"),
    (
        "E_TASK_ID_TOO_LONG",
        spec([node("n" * 50, group="mid")], groups=[{"id": LONG}, {"id": "mid", "parent": LONG}]),
        "/nodes/0/id",
        {"node_id": "n" * 50},
        "error",
    ),
    (
        "E_TOOL_UNKNOWN",
        spec([node("t", "tool", tool="ecko@1.2.0")], tools=[ECHO_TOOL]),
        "/nodes/0/tool",
        {"node_id": "t"},
        "error",
    ),
    (
        "E_TOOL_VERSION",
        spec([node("t", "tool", tool="echo@^2")], tools=[ECHO_TOOL]),
        "/nodes/0/tool",
        {"node_id": "t"},
        "error",
    ),
    ("E_TOOL_MISSING", spec([node("t", "tool")]), "/nodes/0/tool", {"node_id": "t"}, "error"),
    (
        "E_TOOL_AMBIGUOUS",
        spec([node("t", "tool", tool="echo@1.2.0", operator="a.b.C")], tools=[ECHO_TOOL]),
        "/nodes/0/operator",
        {"node_id": "t"},
        "error",
    ),
    (
        "E_OPERATOR_PATH_INVALID",
        spec([node("t", "tool", operator="not a path")]),
        "/nodes/0/operator",
        {"node_id": "t"},
        "error",
    ),
    (
        "E_OPERATOR_ARGUMENT",  # an operator node's template key is a keyword argument in the DAG file
        spec([node("sh", "tool", operator=BASH, parameters={"bash_command": "x"}, templates={"x=1,y": "z"})]),
        "/nodes/0/templates/x=1,y",
        {"node_id": "sh"},
        "error",
    ),
    (
        "E_OPERATOR_ARGUMENT",  # so is the target of a mapping into it
        spec(
            [
                node("a", output_schema=OBJ_ANSWER),
                node("sh", "tool", operator=BASH, parameters={"bash_command": "x"}),
            ],
            [edge("a", "sh", mapping=[{"source": "answer", "target": "bash-env"}])],
        ),
        "/edges/0/mapping/0/target",
        {"edge_id": "a->sh", "node_id": "sh"},
        "error",
    ),
    (
        "E_CALLABLE_PATH_INVALID",
        spec(
            [node("sh", "tool", operator=BASH, parameters={"bash_command": {"$callable": "os.system('id')"}})]
        ),
        "/nodes/0/parameters/bash_command/$callable",
        {"node_id": "sh"},
        "error",
    ),
    (
        "W_CONFIG_IGNORED",
        spec([node("p", agent={"prompt": "hi"})]),
        "/nodes/0/agent",
        {"node_id": "p"},
        "warning",
    ),
    ("E_AGENT_CONFIG_MISSING", spec([node("ag", "agent")]), "/nodes/0/agent", {"node_id": "ag"}, "error"),
    (
        "W_AGENT_NO_PROMPT",
        spec([node("ag", "agent", agent={})]),
        "/nodes/0/agent/prompt",
        {"node_id": "ag"},
        "warning",
    ),
    (
        "E_TOOL_UNKNOWN",
        spec(
            [node("ag", "agent", agent={"prompt": "go", "tools": ["echo@1", "serch@1.0.0"]})],
            tools=[ECHO_TOOL],
        ),
        "/nodes/0/agent/tools/1",
        {"node_id": "ag"},
        "error",
    ),
    (
        "E_PROCESS_EXPRESSION_INVALID",
        spec([node("p", process={"expression": "items[?"})]),
        "/nodes/0/process/expression",
        {"node_id": "p"},
        "error",
    ),
    (
        "E_PROCESS_EXPRESSION_INVALID",
        spec([node("p", process={"language": "python", "expression": "result ="})]),
        "/nodes/0/process/expression",
        {"node_id": "p"},
        "error",
    ),
    (
        "W_PROCESS_NO_RESULT",
        spec([node("p", process={"language": "python", "expression": "x = 1"})]),
        "/nodes/0/process/expression",
        {"node_id": "p"},
        "warning",
    ),
    (
        "E_SCHEMA_INVALID",
        spec([node("p", input_schema={"type": "strang"})]),
        "/nodes/0/input_schema",
        {"node_id": "p"},
        "error",
    ),
    (
        "E_SCHEMA_INVALID",
        spec([node("p", output_schema={"properties": {"a": {"minimum": "x"}}})]),
        "/nodes/0/output_schema",
        {"node_id": "p"},
        "error",
    ),
    (
        "E_MAPPING_SOURCE_FIELD",
        spec(
            [node("a", output_schema=OBJ_ANSWER), node("b")],
            [edge("a", "b", mapping=[{"source": "anser", "target": "x"}])],
        ),
        "/edges/0/mapping/0/source",
        {"edge_id": "a->b", "node_id": "a"},
        "error",
    ),
    (
        "E_MAPPING_TARGET_FIELD",
        spec(
            [node("a"), node("b", input_schema=OBJ_Q)],
            [edge("a", "b", mapping=[{"source": "", "target": "questoin"}])],
        ),
        "/edges/0/mapping/0/target",
        {"edge_id": "a->b", "node_id": "b"},
        "error",
    ),
    (
        "E_MAPPING_TARGET_FIELD",  # a tool node without its own schema is checked against its tool's
        spec(
            [node("a"), node("t", "tool", tool="echo@^1")],
            [edge("a", "t", mapping=[{"target": "txt"}])],
            tools=[ECHO_TOOL],
        ),
        "/edges/0/mapping/0/target",
        {"edge_id": "a->t", "node_id": "t"},
        "error",
    ),
    (
        "E_MAPPING_TARGET_CONFLICT",
        spec(
            [node("a"), node("b"), node("c")],
            [edge("a", "c", mapping=[{"target": "x"}]), edge("b", "c", mapping=[{"target": "x"}])],
        ),
        "/edges/1/mapping/0/target",
        {"edge_id": "b->c", "node_id": "c"},
        "error",
    ),
    (
        "E_MAPPING_EDGE_KIND",
        spec([node("a"), node("b")], [edge("a", "b", kind="dependency", mapping=[{"target": "x"}])]),
        "/edges/0/mapping",
        {"edge_id": "a->b"},
        "error",
    ),
    (
        "E_JMESPATH_INVALID",
        spec([node("a"), node("b")], [edge("a", "b", mapping=[{"target": "x", "transform": "[*"}])]),
        "/edges/0/mapping/0/transform",
        {"edge_id": "a->b"},
        "error",
    ),
    (
        "E_JMESPATH_INVALID",
        spec([node("a"), node("b")], [edge("a", "b", condition="score >")]),
        "/edges/0/condition",
        {"edge_id": "a->b"},
        "error",
    ),
    (
        "E_CONDITION_EDGE_KIND",
        spec([node("a"), node("b")], [edge("a", "b", kind="trigger", condition="ok")]),
        "/edges/0/condition",
        {"edge_id": "a->b"},
        "error",
    ),
    (
        "E_CONDITION_SOURCE",
        spec([node("o", "output"), node("b")], [edge("o", "b", condition="ok")]),
        "/edges/0/condition",
        {"edge_id": "o->b", "node_id": "o"},
        "error",
    ),
    (
        "E_CONDITION_AMBIGUOUS",
        spec([node("a"), node("b")], [edge("a", "b", id="e1"), edge("a", "b", id="e2", condition="ok")]),
        "/edges/1/condition",
        {"edge_id": "e2"},
        "error",
    ),
    (
        "W_EDGE_PARALLEL",
        spec([node("a"), node("b")], [edge("a", "b", id="e1"), edge("a", "b", id="e2")]),
        "/edges/1",
        {"edge_id": "e2"},
        "warning",
    ),
    (
        "E_FALLBACK_MISSING",
        spec([node("a", execution={"on_error": "fallback"})]),
        "/nodes/0/execution/fallback_node",
        {"node_id": "a"},
        "error",
    ),
    (
        "E_FALLBACK_UNKNOWN",
        spec([node("a", execution={"on_error": "fallback", "fallback_node": "backupp"}), node("backup")]),
        "/nodes/0/execution/fallback_node",
        {"node_id": "a"},
        "error",
    ),
    (
        "E_FALLBACK_SELF",
        spec([node("a", execution={"on_error": "fallback", "fallback_node": "a"})]),
        "/nodes/0/execution/fallback_node",
        {"node_id": "a"},
        "error",
    ),
    (
        "E_FALLBACK_DOWNSTREAM",
        spec(
            [node("a", execution={"on_error": "fallback", "fallback_node": "b"}), node("b")], [edge("a", "b")]
        ),
        "/nodes/0/execution/fallback_node",
        {"node_id": "a"},
        "error",
    ),
    (
        "E_FALLBACK_INPUT",
        spec([node("i", "input"), node("a", execution={"on_error": "fallback", "fallback_node": "i"})]),
        "/nodes/1/execution/fallback_node",
        {"node_id": "a"},
        "error",
    ),
    (
        "W_FALLBACK_UNUSED",
        spec([node("a", execution={"fallback_node": "b"}), node("b")]),
        "/nodes/0/execution/fallback_node",
        {"node_id": "a"},
        "warning",
    ),
    (
        "E_GROUP_PARENT_UNKNOWN",
        spec([node("a", group="g")], groups=[{"id": "g", "parent": "outr"}, {"id": "outer"}]),
        "/groups/0/parent",
        {"group_id": "g"},
        "error",
    ),
    (
        "E_GROUP_CYCLE",
        spec([node("a", group="x")], groups=[{"id": "x", "parent": "y"}, {"id": "y", "parent": "x"}]),
        "/groups/0/parent",
        {"group_id": "x"},
        "error",
    ),
    (
        "E_NODE_GROUP_UNKNOWN",
        spec([node("a", group="stage")], groups=[{"id": "stages"}]),
        "/nodes/0/group",
        {"node_id": "a"},
        "error",
    ),
    (
        "W_GROUP_EMPTY",
        spec([node("a")], groups=[{"id": "lonely"}]),
        "/groups/0",
        {"group_id": "lonely"},
        "warning",
    ),
    (
        "E_SCHEDULE_INVALID",
        spec([node("a")], triggers={"schedule": {"kind": "cron", "value": "61 * * * *"}}),
        "/triggers/schedule/value",
        {},
        "error",
    ),
    (
        "E_SCHEDULE_INVALID",
        spec([node("a")], triggers={"schedule": {"kind": "preset", "value": "@dayly"}}),
        "/triggers/schedule/value",
        {},
        "error",
    ),
    (
        "E_SCHEDULE_INVALID",
        spec([node("a")], triggers={"schedule": {"kind": "interval", "value": "5 minutes"}}),
        "/triggers/schedule/value",
        {},
        "error",
    ),
    (
        "E_ASSET_URI_INVALID",
        spec([node("a")], triggers={"assets": {"uris": ["s3://ok/x", "airflow://nope"]}}),
        "/triggers/assets/uris/1",
        {},
        "error",
    ),
    (
        "W_ASSET_DUPLICATE",
        spec([node("a")], triggers={"assets": {"uris": ["s3://b/x", "s3://b/x"]}}),
        "/triggers/assets/uris/1",
        {},
        "warning",
    ),
    (
        "E_ASSET_CONDITION_INVALID",
        spec(
            [node("a")],
            triggers={
                "assets": {
                    "uris": ["s3://b/x", "s3://b/y"],
                    "condition": {"or": ["s3://b/x", {"and": ["s3://b/z"]}]},
                }
            },
        ),
        "/triggers/assets/condition/or/1/and/0",
        {},
        "error",
    ),
    (
        "E_PARAM_DUPLICATE",
        spec([node("i1", "input", input_schema=OBJ_Q), node("i2", "input", input_schema=OBJ_Q)]),
        "/nodes/1/input_schema/properties/question",
        {"node_id": "i2"},
        "error",
    ),
    (
        "E_PARAM_DUPLICATE",
        spec([node("i1", "input", input_schema=OBJ_Q)], params={"question": "x"}),
        "/params/question",
        {"node_id": "i1"},
        "error",
    ),
    (
        "E_INPUT_HAS_UPSTREAM_DATA",
        spec([node("a"), node("i", "input")], [edge("a", "i")]),
        "/edges/0/target",
        {"edge_id": "a->i", "node_id": "i"},
        "error",
    ),
    (
        "E_TOOL_PARAMETER_UNKNOWN",
        spec([node("t", "tool", tool="strict@1.0.0", parameters={"txt": "x"})], tools=[STRICT_TOOL]),
        "/nodes/0/parameters/txt",
        {"node_id": "t"},
        "error",
    ),
    (
        "W_TOOL_INPUT_MISSING",
        spec([node("t", "tool", tool="strict@1.0.0")], tools=[STRICT_TOOL]),
        "/nodes/0/parameters",
        {"node_id": "t"},
        "warning",
    ),
    (
        "W_MERGE_EXTRA_FIELDS",
        spec(
            [node("a", output_schema=OBJ_ANSWER), node("t", "tool", tool="strict@1.0.0")],
            [edge("a", "t")],
            tools=[STRICT_TOOL],
        ),
        "/edges/0",
        {"edge_id": "a->t", "node_id": "t"},
        "warning",
    ),
    (
        "E_JINJA_SYNTAX",
        spec([node("p", templates={"msg": "Hello {{ name"})]),
        "/nodes/0/templates/msg",
        {"node_id": "p"},
        "error",
    ),
    (
        "E_JINJA_SYNTAX",
        spec([node("ag", "agent", agent={"prompt": "{% for x in inputs %}{{ x }}"})]),
        "/nodes/0/agent/prompt",
        {"node_id": "ag"},
        "error",
    ),
    (
        "E_JINJA_SYNTAX",
        spec([node("ag", "agent", agent={"system_prompt": "Be {{ tone }", "prompt": "x"})]),
        "/nodes/0/agent/system_prompt",
        {"node_id": "ag"},
        "error",
    ),
    (
        "E_MAP_OVER_FIELD",
        spec([node("a", input_schema=OBJ_Q, execution={"map_over": "questions"})]),
        "/nodes/0/execution/map_over",
        {"node_id": "a"},
        "error",
    ),
    (
        "E_MAPPING_TYPE_MISMATCH",  # tools/compatibility.py, run by validation
        spec(
            [node("a", output_schema=OBJ_ANSWER), node("t", "tool", tool="echo@^1")],
            [edge("a", "t", mapping=[{"source": "score", "target": "text"}])],
            tools=[ECHO_TOOL],
        ),
        "/edges/0/mapping/0",
        {"edge_id": "a->t", "node_id": "t"},
        "error",
    ),
    (
        "E_MAPPING_TYPE_MISMATCH",  # a fallback's output may stand in: not certain to fail
        spec(
            [
                node("a", output_schema=OBJ_ANSWER, execution={"on_error": "fallback", "fallback_node": "c"}),
                node("b", input_schema=OBJ_Q),
                node("c"),
            ],
            [edge("a", "b", mapping=[{"source": "score", "target": "question"}])],
        ),
        "/edges/0/mapping/0",
        {"edge_id": "a->b", "node_id": "b"},
        "warning",
    ),
]


@pytest.mark.parametrize(
    ("code", "data", "where", "ids", "severity"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_rule(code: str, data: dict[str, Any], where: str, ids: dict[str, str], severity: str) -> None:
    problem = only(problems_of(data), code)
    assert problem.pointer == where
    assert problem.severity == severity
    for key, value in ids.items():
        assert getattr(problem, key) == value, (key, problem)
    assert problem.message and problem.hint


def test_every_rule_has_a_case() -> None:
    """A new problem code must come with a case above (codes are scraped from the checks)."""
    import re
    from pathlib import Path

    import airflow_canvas.spec as spec_pkg

    source = "".join(p.read_text() for p in Path(spec_pkg.__file__).parent.glob("checks_*.py"))
    emitted = set(re.findall(r'"([EW]_[A-Z_]+)"', source))
    emitted |= {f"E_{kind}_ID_DUPLICATE" for kind in ("NODE", "GROUP")}
    emitted |= {f"E_EDGE_{end}_UNKNOWN" for end in ("SOURCE", "TARGET")}
    covered = {c[0] for c in CASES} | {"W_POOL_UNKNOWN"}  # pools: see test_validate.py
    assert emitted - covered == set()


def test_clean_workflow_has_no_problems() -> None:
    data = spec(
        [
            node("ask", "input", input_schema=OBJ_Q),
            node("t", "tool", tool="echo@^1.0", group="stage"),
            node(
                "answer",
                "agent",
                agent={"prompt": "Answer {{ inputs.text }}", "tools": ["echo@1.2.0"]},
                output_schema=OBJ_ANSWER,
                group="stage",
            ),
            node("done", "output", execution={"on_error": "fallback", "fallback_node": "sorry"}),
            node("sorry"),
        ],
        [
            edge("ask", "t", mapping=[{"source": "question", "target": "text"}]),
            edge("t", "answer", mapping=[{"source": "text", "target": "text"}]),
            edge("answer", "done", condition="score > `0.5`"),
        ],
        groups=[{"id": "stage", "mode": "sequential"}],
        tools=[ECHO_TOOL],
        triggers={
            "schedule": {"kind": "interval", "value": "1h30m"},
            "assets": {"uris": ["s3://bucket/in.csv"]},
        },
    )
    assert problems_of(data) == []
