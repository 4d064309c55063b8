"""Operators picked from the catalogue (standard, common-sql, http providers), turned into nodes
from the catalogue entries alone, compiled, deployed and run for real: the HTTP call goes to a
loopback server, the SQL to a SQLite connection."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.catalogue.nodes import node_from_entry
from airflow_canvas.catalogue.operators import search_operators
from airflow_canvas.spec.load import dump_workflow
from airflow_canvas.spec.models import Workflow
from tests.fakes.http_server import LoopbackHTTPServer
from tests.integration.tool_run import deploy, run_dag, states, xcoms

pytestmark = pytest.mark.slow
DAG_ID = "interop_catalogue_run"


def pick(query: str, provider: str):
    """The first search hit from ``provider``: how a user finds an operator in the palette."""
    hits = [e for e in search_operators(query) if e.provider == provider]
    assert hits, f"no {query!r} operator from {provider}"
    return hits[0]


def fill(entry: Any, values: dict[str, Any], connection: str | None = None) -> dict[str, Any]:
    """Parameters for a node, from the entry's schema: its connection field gets ``connection``."""
    params = dict(values)
    if connection is not None:
        [field] = entry.connection_fields
        params[field] = connection
    assert set(entry.parameters_schema["required"]) <= set(params)
    return params


@pytest.fixture(scope="module")
def catalogue_run(
    airflow_db: Path, dags_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    bash = pick("bash", "apache-airflow-providers-standard")
    sql = pick("SQLExecuteQuery", "apache-airflow-providers-common-sql")
    http = pick("http", "apache-airflow-providers-http")
    assert (bash.name, sql.name, http.name) == ("BashOperator", "SQLExecuteQueryOperator", "HttpOperator")
    nodes = [
        node_from_entry(bash, "shell", fill(bash, {"bash_command": "echo canvas"})),
        node_from_entry(sql, "query", fill(sql, {"sql": "SELECT answer FROM facts"}, "canvas_sqlite")),
        node_from_entry(http, "ping", fill(http, {"endpoint": "/ping", "method": "GET"}, "canvas_http")),
    ]
    wf = Workflow(
        id=DAG_ID,
        nodes=nodes,
        edges=[
            {"source": "shell", "target": "query", "kind": "dependency"},
            {"source": "query", "target": "ping", "kind": "dependency"},
        ],
    )
    db = tmp_path_factory.mktemp("sqlite") / "facts.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE facts (answer INTEGER)")
        conn.execute("INSERT INTO facts VALUES (42)")
    deploy(dump_workflow(wf), dags_folder)
    with LoopbackHTTPServer({"/ping": (200, {"pong": True})}) as server:
        env = {
            "AIRFLOW_CONN_CANVAS_HTTP": json.dumps({"conn_type": "http", "host": server.url}),
            "AIRFLOW_CONN_CANVAS_SQLITE": json.dumps({"conn_type": "sqlite", "host": str(db)}),
        }
        result = run_dag(DAG_ID, env)
        requests = list(server.requests)
    return {"result": result, "states": states(DAG_ID), "xcoms": xcoms(DAG_ID), "requests": requests}


def test_catalogue_operators_run_for_real(catalogue_run: dict[str, Any]) -> None:
    result = catalogue_run["result"]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert catalogue_run["states"] == {"shell": "success", "query": "success", "ping": "success"}
    x = catalogue_run["xcoms"]
    assert x[("shell", "return_value")] == "canvas"
    # rows come back as tuples, which XCom stores in its serialized form
    assert [row.get("__data__", row) for row in x[("query", "return_value")]] == [[42]]
    ping = x[("ping", "return_value")]  # the response text, JSON-decoded by the XCom reader when it can be
    assert (json.loads(ping) if isinstance(ping, str) else ping) == {"pong": True}
    assert [r["path"] for r in catalogue_run["requests"]] == ["/ping"]
