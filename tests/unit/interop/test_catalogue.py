"""Operator catalogue: provider introspection, schemas, search, Airflow 2->3 moves, node checks."""

from __future__ import annotations

import pytest

from airflow_canvas.catalogue.check import check_operator_nodes
from airflow_canvas.catalogue.moves import airflow3_path, provider_package
from airflow_canvas.catalogue.operators import get_entry, operator_catalogue, search_operators
from airflow_canvas.catalogue.schema import annotation_schema, docstring_params
from airflow_canvas.spec.load import parse_workflow

BASH = "airflow.providers.standard.operators.bash.BashOperator"
HTTP = "airflow.providers.http.operators.http.HttpOperator"
SQL = "airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator"


def test_catalogue_covers_installed_providers():
    providers = {e.provider for e in operator_catalogue()}
    assert {
        "apache-airflow-providers-standard",
        "apache-airflow-providers-http",
        "apache-airflow-providers-common-sql",
    } <= providers
    kinds = {e.operator: e.kind for e in operator_catalogue()}
    assert kinds[BASH] == "operator"
    assert kinds["airflow.providers.http.sensors.http.HttpSensor"] == "sensor"


def test_entry_schema_types_connections_and_templates():
    http = get_entry(HTTP)
    assert http is not None
    props = http.parameters_schema["properties"]
    assert props["http_conn_id"]["format"] == "airflow-connection-id"
    assert props["http_conn_id"]["default"] == "http_default"
    assert props["endpoint"]["x-templated"] is True
    assert "x-templated" not in props["method"]
    assert props["log_response"]["type"] == "boolean"
    assert http.connection_fields == ["http_conn_id"]
    assert "endpoint" in http.template_fields
    # BaseOperator's own arguments are set from the node's execution policy, not listed here
    assert "retries" not in props and "task_id" not in props
    sql = get_entry(SQL)
    assert sql is not None
    assert "conn_id" in sql.connection_fields  # inherited from BaseSQLOperator
    assert sql.parameters_schema["required"] == ["sql"]
    assert get_entry(BASH).parameters_schema["required"] == ["bash_command"]
    assert get_entry(BASH).summary


def test_search_ranks_class_names_first():
    names = [e.name for e in search_operators("http")]
    assert names[:2] == ["HttpOperator", "HttpSensor"] or names[0] in ("HttpOperator", "HttpSensor")
    assert search_operators("bash")[0].name == "BashOperator"
    assert all("sql" in (e.operator + e.summary).lower() for e in search_operators("sql"))
    assert search_operators("no-such-operator-anywhere") == []
    assert len(search_operators("", limit=5)) == 5


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        ("str", {"type": "string"}),
        ("int | None", {"type": ["integer", "null"]}),
        ("dict[str, Any] | None", {"type": ["object", "null"]}),
        ("list[str]", {"type": "array", "items": {"type": "string"}}),
        ("Optional[bool]", {"type": ["boolean", "null"]}),
        ("str | ArgNotSet", {"type": "string"}),
        ("Callable[..., Any]", {"type": "string", "format": "python-callable"}),
        ("SomeClass", {}),
    ],
)
def test_annotation_schema(annotation, schema):
    assert annotation_schema(annotation) == schema


def test_docstring_params_join_continuation_lines():
    doc = """Do things.

    :param conn_id: the :ref:`connection<howto/connection:x>` to use,
        over two lines
    :param sql: the SQL
    """
    assert docstring_params(doc) == {"conn_id": "the connection to use, over two lines", "sql": "the SQL"}


def test_airflow2_paths_move_to_airflow3_homes():
    assert airflow3_path("airflow.operators.bash.BashOperator") == BASH
    assert airflow3_path("airflow.operators.bash_operator.BashOperator") == BASH
    assert airflow3_path("airflow.operators.python.PythonOperator") == (
        "airflow.providers.standard.operators.python.PythonOperator"
    )
    assert airflow3_path("airflow.operators.dummy.DummyOperator") == (
        "airflow.providers.standard.operators.empty.EmptyOperator"
    )
    assert airflow3_path("airflow.providers.http.operators.http.SimpleHttpOperator") == HTTP
    assert airflow3_path("airflow.operators.http_operator.SimpleHttpOperator") == HTTP
    assert airflow3_path(HTTP) == HTTP


def test_provider_package_names():
    assert (
        provider_package("airflow.providers.amazon.aws.operators.s3.S3Op")
        == "apache-airflow-providers-amazon"
    )
    assert (
        provider_package("airflow.providers.common.sql.operators.sql.X")
        == "apache-airflow-providers-common-sql"
    )
    assert (
        provider_package("airflow.providers.apache.spark.operators.x.Y")
        == "apache-airflow-providers-apache-spark"
    )
    assert provider_package("airflow.providers.cncf.kubernetes.operators.pod.P") == (
        "apache-airflow-providers-cncf-kubernetes"
    )
    assert provider_package("airflow.operators.bash.BashOperator") is None


def _wf(*nodes):
    return parse_workflow({"id": "w", "nodes": list(nodes)})


def _codes(wf):
    return [(p.code, p.node_id) for p in check_operator_nodes(wf)]


def test_check_operator_nodes_accepts_valid_nodes():
    wf = _wf(
        {"id": "a", "type": "tool", "operator": BASH, "parameters": {"bash_command": "echo", "retries": 2}},
        {"id": "b", "type": "tool", "operator": HTTP, "parameters": {"endpoint": "/x", "http_conn_id": "h"}},
        {"id": "c", "type": "process"},
    )
    assert check_operator_nodes(wf) == []


def test_uninstalled_provider_names_the_package():
    wf = _wf(
        {
            "id": "s3",
            "type": "tool",
            "operator": "airflow.providers.amazon.aws.operators.s3.S3CreateBucketOperator",
        }
    )
    [problem] = check_operator_nodes(wf)
    assert problem.code == "E_OPERATOR_PROVIDER_MISSING"
    assert problem.node_id == "s3" and problem.pointer == "/nodes/0/operator"
    assert "apache-airflow-providers-amazon" in problem.message
    assert problem.hint == "pip install apache-airflow-providers-amazon"


def test_moved_unknown_and_misused_operators():
    wf = _wf(
        {
            "id": "old",
            "type": "tool",
            "operator": "airflow.operators.bash.BashOperator",
            "parameters": {"bash_command": "x"},
        },
        {"id": "typo", "type": "tool", "operator": "airflow.providers.standard.operators.bash.BashOperatr"},
        {"id": "notairflow", "type": "tool", "operator": "os.path.join"},
        {"id": "proc", "type": "process", "operator": BASH},
        {"id": "both", "type": "tool", "operator": BASH, "tool": "x@1.0.0"},
    )
    problems = {p.node_id: p for p in check_operator_nodes(wf)}
    assert problems["old"].code == "E_OPERATOR_MOVED" and BASH in problems["old"].hint
    assert problems["typo"].code == "E_OPERATOR_UNKNOWN" and BASH in problems["typo"].hint
    assert problems["notairflow"].code == "E_OPERATOR_PATH"
    # wrong node type and tool+operator are validation.checks_nodes' problems, not reported twice
    assert "proc" not in problems and "both" not in problems


def test_parameters_are_checked_against_the_signature():
    wf = _wf({"id": "b", "type": "tool", "operator": BASH, "parameters": {"bash_comand": "echo"}})
    problems = check_operator_nodes(wf)
    assert [p.code for p in problems] == ["E_OPERATOR_PARAMETER_UNKNOWN", "E_OPERATOR_PARAMETER_MISSING"]
    assert problems[0].pointer == "/nodes/0/parameters/bash_comand"
    assert problems[0].hint == "did you mean 'bash_command'?"


def test_node_from_entry_checks_parameters_against_the_schema():
    from airflow_canvas.catalogue.nodes import node_from_entry
    from airflow_canvas.spec.problems import SpecError

    node = node_from_entry(get_entry(HTTP), "call", {"endpoint": "/x", "http_conn_id": "h"}, name="Call")
    assert (node.operator, node.type.value, node.name) == (HTTP, "tool", "Call")
    with pytest.raises(SpecError) as info:
        node_from_entry(get_entry(BASH), "b", {"bash_comand": "x", "append_env": "yes"})
    codes = [p.code for p in info.value.problems]
    assert codes == [
        "E_OPERATOR_PARAMETER_UNKNOWN",
        "E_OPERATOR_PARAMETER_MISSING",
        "E_OPERATOR_PARAMETER_TYPE",
    ]
    assert info.value.problems[2].pointer == "/parameters/append_env"


def test_parameter_types_from_typing_annotations() -> None:
    """Annotations that are objects (not PEP 563 strings) keep their full type, unions included."""
    import inspect
    from typing import Optional, Union

    from airflow_canvas.catalogue.schema import parameter_type_schema

    # typing objects on purpose (the old spellings are what older code and libraries carry)
    def f(a: Optional[str], b: Union[int, str], c: dict[str, int] | None, d: list[str]) -> None: ...  # noqa: UP007, UP045

    schemas = {name: parameter_type_schema(p) for name, p in inspect.signature(f).parameters.items()}
    assert schemas == {
        "a": {"type": ["string", "null"]},
        "b": {"type": ["integer", "string"]},
        "c": {"type": ["object", "null"]},
        "d": {"type": "array", "items": {"type": "string"}},
    }
