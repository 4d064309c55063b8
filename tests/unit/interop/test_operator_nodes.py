"""The operator-node path a palette drop takes (issue 17, item 3): a `type: tool` node with
`operator: <import path>` and its arguments in `parameters` (or `templates`) validates with errors
that name the node and the field, and compiles into a call whose arguments are literals only."""

from __future__ import annotations

import ast
from typing import Any

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.validation import validate

BASH = "airflow.providers.standard.operators.bash.BashOperator"


def _spec(node: dict[str, Any]) -> dict[str, Any]:
    return {"id": "ops", "nodes": [{"id": "sh", "type": "tool", "operator": BASH, **node}]}


def _problems(node: dict[str, Any]) -> dict[str, Any]:
    return {p.code: p for p in validate(_spec(node)).problems}


def test_a_dropped_operator_node_asks_for_its_required_argument() -> None:
    """What the palette creates: the operator and empty parameters."""
    problems = _problems({"parameters": {}})
    missing = problems["E_OPERATOR_PARAMETER_MISSING"]
    assert missing.node_id == "sh" and "bash_command" in missing.message and "BashOperator" in missing.message
    assert missing.hint == "Set parameters.bash_command."
    assert not [c for c in _problems({"parameters": {"bash_command": "echo hi"}}) if c.startswith("E_")]


def test_unknown_parameter_and_template_names_point_at_the_field() -> None:
    problems = validate(
        _spec({"parameters": {"bash_command": "x", "bash_comand": "y"}, "templates": {"evn": "{{ ds }}"}})
    ).problems
    unknown = [p for p in problems if p.code == "E_OPERATOR_PARAMETER_UNKNOWN"]
    assert [(p.pointer, p.node_id) for p in unknown] == [
        ("/nodes/0/parameters/bash_comand", "sh"),
        ("/nodes/0/templates/evn", "sh"),
    ]
    assert unknown[0].hint == "did you mean 'bash_command'?"
    assert "templates.evn" in unknown[1].message and unknown[1].hint == "did you mean 'env'?"


def test_a_required_argument_may_come_from_templates_but_not_from_both() -> None:
    assert "E_OPERATOR_PARAMETER_MISSING" not in _problems({"templates": {"bash_command": "echo {{ ds }}"}})
    twice = _problems({"parameters": {"bash_command": "a"}, "templates": {"bash_command": "b"}})
    problem = twice["E_OPERATOR_PARAMETER_TWICE"]
    assert problem.pointer == "/nodes/0/templates/bash_command" and problem.node_id == "sh"


def test_types_are_checked_except_jinja_in_templated_fields() -> None:
    problems = _problems(
        {"parameters": {"bash_command": "x", "append_env": "yes", "env": "{{ var.json.e }}"}}
    )
    typed = problems["W_OPERATOR_PARAMETER_TYPE"]
    assert typed.severity == "warning" and typed.pointer == "/nodes/0/parameters/append_env"
    assert "append_env" in typed.message and "boolean" in typed.message
    # `env` is templated: Jinja text there is rendered by Airflow, so it is not a type mistake
    assert [p for p in validate(_spec({"parameters": {"bash_command": "x", "env": "{{ e }}"}})).problems
            if p.code == "W_OPERATOR_PARAMETER_TYPE"] == []  # fmt: skip


def test_operator_paths_must_be_identifier_paths_under_airflow() -> None:
    bad = {
        "airflow.providers.standard.operators.bash.BashOperator;import os": "E_OPERATOR_PATH_INVALID",
        "airflow.providers.standard.operators.bash.BashOperator()": "E_OPERATOR_PATH_INVALID",
        "airflow.providers.standard.operators.bash.class": "E_OPERATOR_PATH_INVALID",
        "os.system": "E_OPERATOR_PATH",
        "airflow.providers.standard.operators.bash.BashOperater": "E_OPERATOR_UNKNOWN",
    }
    for path, code in bad.items():
        problems = validate({"id": "ops", "nodes": [{"id": "sh", "type": "tool", "operator": path}]}).problems
        found = [p for p in problems if p.code == code]
        assert found, (path, [p.code for p in problems])
        assert found[0].node_id == "sh" and found[0].pointer == "/nodes/0/operator"
        if code == "E_OPERATOR_UNKNOWN":
            assert BASH in (found[0].hint or "")


def test_argument_keys_must_be_python_names() -> None:
    problems = _problems({"parameters": {"bash_command": "x", "bash-command": "y"}})
    assert problems["E_OPERATOR_ARGUMENT"].pointer == "/nodes/0/parameters/bash-command"
    assert "did you mean 'bash_command'?" in (problems["E_OPERATOR_ARGUMENT"].hint or "")


def test_parameters_enter_the_dag_only_as_literals() -> None:
    hostile = '"); import os; os.system("id"); ("'
    wf = parse_workflow(
        _spec(
            {
                "parameters": {"bash_command": hostile, "env": {"A": "{{ ds }}", "B": "__import__('os')"}},
                "templates": {"cwd": "/tmp/{{ ds }}"},
            }
        )
    )
    source = compile_workflow(wf).source
    tree = ast.parse(source)
    [call] = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "BashOperator"
    ]
    kwargs = {k.arg: k.value for k in call.keywords}
    # every user value is a literal that evaluates back to exactly what the spec holds
    assert ast.literal_eval(kwargs["bash_command"]) == hostile
    assert ast.literal_eval(kwargs["env"]) == {"A": "{{ ds }}", "B": "__import__('os')"}
    assert ast.literal_eval(kwargs["cwd"]) == "/tmp/{{ ds }}"
    assert "import os" not in [ast.unparse(n) for n in tree.body]
    assert f"from {BASH.rpartition('.')[0]} import BashOperator" in source


def test_an_operator_typed_into_the_tool_field_says_where_it_goes() -> None:
    """Issue 17: an example's BashOperator typed into the Tool field gave a bare E_TOOL_UNKNOWN."""
    for typed in ("BashOperator", BASH):
        spec = {"id": "ops", "nodes": [{"id": "sh", "type": "tool", "tool": typed}]}
        [problem] = [p for p in validate(spec).problems if p.code == "E_TOOL_UNKNOWN"]
        assert problem.node_id == "sh" and problem.pointer == "/nodes/0/tool"
        assert f"set the node's `operator` to its import path ({BASH!r})" in (problem.hint or "")
    spec = {"id": "ops", "nodes": [{"id": "sh", "type": "tool", "tool": "nosuch"}]}
    [problem] = [p for p in validate(spec).problems if p.code == "E_TOOL_UNKNOWN"]
    assert "operator" not in (problem.hint or "")
