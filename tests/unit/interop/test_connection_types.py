"""Operator connection-id parameters carry the connection types they need, derived from the installed
providers' hooks (catalogue/connection_types.py): the connection picker, W_CONNECTION_TYPE and the
co-pilot read them from the ``x-airflow-connection`` keyword of the operator's parameters schema."""

from __future__ import annotations

from airflow_canvas.catalogue.connection_types import connection_types_for
from airflow_canvas.catalogue.operators import get_entry
from airflow_canvas.validation import Resources, validate
from tests.unit.spec.helpers import node, spec

HTTP = "airflow.providers.http.operators.http.HttpOperator"
SQL = "airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator"
FILE_SENSOR = "airflow.providers.standard.sensors.filesystem.FileSensor"
TRANSFER = "airflow.providers.common.sql.operators.generic_transfer.GenericTransfer"
CONNECTIONS = {"crm_api": "http", "warehouse": "postgres"}


def _connection_types(operator: str, parameter: str) -> object:
    entry = get_entry(operator)
    assert entry is not None, operator
    prop = entry.parameters_schema["properties"][parameter]
    assert prop["format"] == "airflow-connection-id"
    return prop["x-airflow-connection"]


def test_operator_connection_parameters_name_the_hook_connection_type() -> None:
    assert _connection_types(HTTP, "http_conn_id") == ["http"]  # HttpHook.conn_name_attr
    assert _connection_types("airflow.providers.http.sensors.http.HttpSensor", "http_conn_id") == ["http"]
    assert _connection_types(FILE_SENSOR, "fs_conn_id") == ["fs"]
    # Generic and role names: any connection fits (SQLExecuteQueryOperator takes any SQL database).
    assert _connection_types(SQL, "conn_id") == []
    assert _connection_types(TRANSFER, "source_conn_id") == []


def test_names_no_hook_declares_use_an_installed_type_as_prefix() -> None:
    # "generic" is a connection type of the base install whose hook takes no `generic_conn_id`: the
    # name's prefix decides. (postgres_conn_id would depend on the [distributed] extra's provider.)
    assert connection_types_for("generic_conn_id") == ["generic"]
    assert connection_types_for("sqlite_conn_id") == ["sqlite"]
    assert connection_types_for("pi_conn_id") == ["package_index"]  # PackageIndexHook's own argument
    assert connection_types_for("no_such_kind_conn_id") == []  # no installed provider says: any
    assert connection_types_for("conn_id") == connection_types_for("connection_id") == []


def test_a_connection_of_the_wrong_type_in_an_operator_parameter_warns() -> None:
    data = spec(
        [
            node("get", "tool", operator=HTTP, parameters={"endpoint": "/x", "http_conn_id": "warehouse"}),
            node("ok", "tool", operator=HTTP, parameters={"endpoint": "/x", "http_conn_id": "crm_api"}),
            node("any", "tool", operator=SQL, parameters={"sql": "select 1", "conn_id": "crm_api"}),
        ]
    )
    found = [p for p in validate(data, resources=Resources(connections=CONNECTIONS)).problems
             if p.code.startswith("W_CONNECTION")]  # fmt: skip
    assert [(p.code, p.node_id, p.pointer) for p in found] == [
        ("W_CONNECTION_TYPE", "get", "/nodes/0/parameters/http_conn_id")
    ]
    assert "'postgres'" in found[0].message and "needs type http" in found[0].message
    assert found[0].hint == "Pick a connection of type http: crm_api."
