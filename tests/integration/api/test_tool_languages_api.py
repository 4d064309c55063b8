"""SQL and shell tools through the tools API on the real Airflow API server app: create, test
(every kind: unit, integration on fixtures and on a real SQLite connection created with Airflow's
Connection model, performance), publish; the language rules refuse a bad draft; and the climb from
the lowest roles: Viewer/User cannot run tests, a tools editor who may not read connections gets
the integration case on a connection refused (and publishing with it), and no response carries the
connection's secret."""

# ruff: noqa: F811 - the API fixtures are imported by name (tests/integration/api/conftest.py)
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import airflow_cli
from tests.integration.api.conftest import (  # noqa: F401
    API,
    PASSWORD,
    api_app,
    api_users,
    auth,
    client,
    tokens,
)

pytestmark = pytest.mark.slow
CONN_ID = "canvas_lang_orders"
PG_CONN_ID = "canvas_lang_pg"
SECRET = "pw-canvas-lang-S3cret"
FIXTURES = [
    "CREATE TABLE IF NOT EXISTS scratch (id INTEGER)",
    "INSERT INTO orders VALUES (99, 'ada', 1, '2026-02-01')",  # only inside the rolled-back test
]


@pytest.fixture(scope="module")
def orders_connection(api_app, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:  # noqa: F811
    db = tmp_path_factory.mktemp("lang") / "orders.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER, customer TEXT, amount NUMERIC, placed DATE)")
        conn.execute("INSERT INTO orders VALUES (1, 'ada', 12.5, '2026-01-02'), (2, 'bob', 3, '2026-01-03')")
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == CONN_ID).delete()
        session.query(Connection).filter(Connection.conn_id == PG_CONN_ID).delete()
        session.add(Connection(conn_id=CONN_ID, conn_type="sqlite", host=str(db)))
        # A database that is not there, behind a password: its errors must not carry the secret.
        session.add(Connection(conn_id=PG_CONN_ID, conn_type="postgres", host="127.0.0.1", port=1,
                               login="canvas", password=SECRET, schema="orders"))  # fmt: skip
    yield db
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id.in_([CONN_ID, PG_CONN_ID])).delete()


@pytest.fixture(scope="module")
def tools_editor_without_connections(client, api_users) -> dict[str, str]:  # noqa: F811
    """A role that may edit Canvas Tools (run tests, publish) but not read Airflow connections."""
    airflow_cli("roles", "create", "ToolsEditNoConn", check=False)
    airflow_cli("roles", "add-perms", "ToolsEditNoConn", "-r", "Canvas Tools", "-a", "can_read", "can_edit")
    existing = airflow_cli("users", "list", "-o", "plain", check=False).stdout
    if "t_toolsnoconn" not in existing:
        airflow_cli("users", "create", "-u", "t_toolsnoconn", "-p", PASSWORD, "-r", "ToolsEditNoConn",
                    "-f", "t", "-l", "T", "-e", "t_toolsnoconn@example.com")  # fmt: skip
    r = client.post("/auth/token", json={"username": "t_toolsnoconn", "password": PASSWORD})
    assert r.status_code in (200, 201), r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def sql_tool(version: str = "1.0.0", *, name: str = "lang_orders", **changes: Any) -> dict[str, Any]:
    base = {
        "name": name,
        "version": version,
        "language": "sql",
        "connection_type": "sqlite",
        "code": "SELECT id, amount, placed FROM orders WHERE customer = :customer ORDER BY id",
        "input_schema": {"type": "object", "properties": {"customer": {"type": "string"}}, "required": ["customer"]},
        "output_schema": {"type": "array", "items": {"type": "object"}},
        "tests": [
            {"name": "unit", "input": {"customer": "ada"},
             "fixtures": ["CREATE TABLE orders (id INTEGER, customer TEXT, amount NUMERIC, placed DATE)",
                          "INSERT INTO orders VALUES (5, 'ada', 2.25, '2026-03-01')"],
             "expected": [{"id": 5, "amount": 2.25, "placed": "2026-03-01"}]},
            {"name": "injection stays a value", "input": {"customer": "x' OR '1'='1"},
             "fixtures": ["CREATE TABLE orders (id INTEGER, customer TEXT, amount NUMERIC, placed DATE)",
                          "INSERT INTO orders VALUES (5, 'ada', 2.25, '2026-03-01')"],
             "expected": []},
            {"name": "on the real database", "kind": "integration", "connection": CONN_ID,
             "input": {"customer": "ada"}, "fixtures": FIXTURES,
             "assertions": ["[r['id'] for r in output] == [1, 99]", "output[0]['amount'] == 12.5"]},
        ],
    }  # fmt: skip
    return {**base, **changes}


def shell_tool(version: str = "1.0.0", **changes: Any) -> dict[str, Any]:
    base = {
        "name": "lang_shout",
        "version": version,
        "language": "shell",
        "code": 'printf \'{"shout": "%s", "stdin": %s, "file": "%s"}\' "${INPUT_TEXT^^}" "$(cat)" "$(cat note.txt)"',
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        "output_schema": {"type": "object", "required": ["shout"]},
        "tests": [
            {"name": "plain", "input": {"text": "hi"}, "assertions": ["output['shout'] == 'HI'"]},
            {"name": "metacharacters stay data", "kind": "integration", "files": {"note.txt": "from a file"},
             "input": {"text": "$(touch /tmp/canvas-lang-pwned); `id`"},
             "expected": {"shout": "$(TOUCH /TMP/CANVAS-LANG-PWNED); `ID`",
                          "stdin": {"text": "$(touch /tmp/canvas-lang-pwned); `id`"}, "file": "from a file"}},
            {"name": "fast enough", "kind": "performance", "time_budget_ms": 60000, "input": {"text": "x"}},
        ],
    }  # fmt: skip
    return {**base, **changes}


def _no_secret(*responses: Any) -> None:
    for r in responses:
        assert SECRET not in r.text


def test_sql_tool_create_test_publish(client, auth, orders_connection: Path) -> None:  # noqa: F811
    admin = auth("Admin")
    r = client.post(f"{API}/tools", json={"tool": sql_tool()}, headers=admin)
    assert r.status_code == 201, r.text
    spec = r.json()["spec"]
    # The connection argument is declared for forms, the picker and the design-time check.
    assert spec["input_schema"]["properties"]["conn_id"]["x-airflow-connection"] == ["sqlite"]
    r = client.post(f"{API}/tools/lang_orders/versions/1.0.0/test", headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passed"] is True, [(t["failures"], t["error"]) for t in body["tests"]]
    cases = {t["name"]: t for t in body["tests"]}
    assert [t["kind"] for t in body["tests"]] == ["unit", "unit", "integration"]
    assert cases["on the real database"]["connection"] == CONN_ID
    assert cases["on the real database"]["actual"][0] == {"id": 1, "amount": 12.5, "placed": "2026-01-02"}
    assert all(t["duration_ms"] >= 0 and t["error"] is None for t in body["tests"])
    # The integration test's fixtures were rolled back: the database is as it was.
    with sqlite3.connect(orders_connection) as db:
        assert db.execute("SELECT id FROM orders ORDER BY id").fetchall() == [(1,), (2,)]
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'scratch'").fetchone() is None
    published = client.post(f"{API}/tools/lang_orders/versions/1.0.0/publish", headers=admin)
    assert published.status_code == 200, published.text
    assert [t["kind"] for t in published.json()["tests"]] == ["unit", "unit", "integration"]
    _no_secret(r, published)


def test_integration_case_failure_is_reported_without_secrets(client, auth, orders_connection: Path) -> None:  # noqa: F811
    admin = auth("Admin")
    broken = sql_tool("1.0.0", name="lang_broken", code="SELECT nope FROM orders WHERE customer = :customer")
    broken["tests"] = [broken["tests"][2]]
    assert client.post(f"{API}/tools", json={"tool": broken}, headers=admin).status_code == 201
    r = client.post(f"{API}/tools/lang_broken/versions/1.0.0/test", headers=admin)
    case = r.json()["tests"][0]
    assert case["passed"] is False and "nope" in case["error"]["message"]
    assert case["error"]["traceback"] == ""
    unreachable = sql_tool("1.0.0", name="lang_pg", connection_type="postgres")
    unreachable["tests"] = [{**unreachable["tests"][2], "connection": PG_CONN_ID, "fixtures": []}]
    assert client.post(f"{API}/tools", json={"tool": unreachable}, headers=admin).status_code == 201
    r2 = client.post(f"{API}/tools/lang_pg/versions/1.0.0/test", headers=admin)
    case = r2.json()["tests"][0]
    # OperationalError where the postgres provider is installed (`make test-distributed`'s venv);
    # without it Airflow cannot make the hook: either way a failure that names no secret.
    assert case["passed"] is False and case["error"]["type"] in ("OperationalError", "AirflowException"), case
    # The wrong type is refused before anything connects.
    wrong = {**unreachable["tests"][0], "connection": CONN_ID}
    client.post(f"{API}/tools", json={"tool": {**unreachable, "tests": [wrong]}}, headers=admin)
    r3 = client.post(f"{API}/tools/lang_pg/versions/1.0.0/test", headers=admin)
    assert (
        "is of type 'sqlite'; the tool's query is written for 'postgres'"
        in r3.json()["tests"][0]["error"]["message"]
    )
    _no_secret(r, r2, r3)


def test_shell_tool_create_test_publish(client, auth) -> None:  # noqa: F811
    admin = auth("Admin")
    r = client.post(f"{API}/tools", json={"tool": shell_tool()}, headers=admin)
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/tools/lang_shout/versions/1.0.0/test", headers=admin)
    body = r.json()
    assert body["passed"] is True, body["tests"]
    assert [t["kind"] for t in body["tests"]] == ["unit", "integration", "performance"]
    assert body["tests"][2]["time_budget_ms"] == 60000 and body["tests"][2]["duration_ms"] > 0
    assert not Path("/tmp/canvas-lang-pwned").exists()
    r = client.post(f"{API}/tools/lang_shout/versions/1.0.0/publish", headers=admin)
    assert r.status_code == 200, r.text


def test_performance_budget_blocks_publish_only_when_required(client, auth) -> None:  # noqa: F811
    admin = auth("Admin")
    slow = {"name": "slow", "kind": "performance", "time_budget_ms": 1, "input": {"text": "x"}}
    optional = shell_tool("2.0.0", code="sleep 0.05; echo '{\"shout\": \"X\"}'", tests=[
        {"input": {"text": "x"}, "expected": {"shout": "X"}}, slow])  # fmt: skip
    assert client.post(f"{API}/tools", json={"tool": optional}, headers=admin).status_code == 201
    r = client.post(f"{API}/tools/lang_shout/versions/2.0.0/publish", headers=admin)
    assert r.status_code == 200, r.text
    perf = r.json()["tests"][1]
    assert perf["kind"] == "performance" and perf["passed"] is False and perf["duration_ms"] > 1
    assert "time budget of 1 ms" in perf["failures"][0]
    required = shell_tool(
        "3.0.0", code=optional["code"], tests=[optional["tests"][0], {**slow, "required": True}]
    )
    assert client.post(f"{API}/tools", json={"tool": required}, headers=admin).status_code == 201
    r = client.post(f"{API}/tools/lang_shout/versions/3.0.0/publish", headers=admin)
    assert r.status_code == 422 and "test 'slow' failed" in r.json()["detail"]


def test_language_rules_refuse_a_draft(client, auth) -> None:  # noqa: F811
    admin = auth("Admin")
    r = client.post(
        f"{API}/tools", json={"tool": sql_tool(name="lang_bad", connection_type=None)}, headers=admin
    )
    assert r.status_code == 422
    problems = {(p["code"], p["pointer"]) for p in r.json()["problems"]}
    assert ("E_TOOL_SQL_CONNECTION_TYPE", "/tool/connection_type") in problems
    bad_shell = shell_tool(name="lang_bad_shell", code="", entry_point="main",
                           tests=[{"input": {"text": "x"}, "time_budget_ms": 5}])  # fmt: skip
    r = client.post(f"{API}/tools", json={"tool": bad_shell}, headers=admin)
    codes = {(p["code"], p["pointer"]) for p in r.json()["problems"]}
    assert r.status_code == 422 and codes == {
        ("E_TOOL_CODE_EMPTY", "/tool/code"),
        ("E_TOOL_ENTRY_POINT", "/tool/entry_point"),
        ("E_TOOL_TEST_FIELD", "/tool/tests/0/time_budget_ms"),
    }
    assert client.get(f"{API}/tools/lang_bad/versions", headers=admin).status_code == 404  # nothing saved


def test_lowest_roles_cannot_run_tests(client, auth, orders_connection: Path) -> None:  # noqa: F811
    admin = auth("Admin")
    client.post(f"{API}/tools", json={"tool": sql_tool("4.0.0", name="lang_rbac")}, headers=admin)
    for role in ("Viewer", "User", "NoCanvas"):
        h = auth(role)
        assert client.post(f"{API}/tools/lang_rbac/versions/4.0.0/test", headers=h).status_code == 403
        assert client.post(f"{API}/tools/lang_rbac/versions/4.0.0/publish", headers=h).status_code == 403
        r = client.post(f"{API}/tools", json={"tool": sql_tool("4.0.1", name="lang_rbac")}, headers=h)
        assert r.status_code == 403


def test_connection_case_refused_without_connection_read(
    client,
    auth,
    orders_connection: Path,
    tools_editor_without_connections: dict[str, str],  # noqa: F811
) -> None:
    h = tools_editor_without_connections
    r = client.post(f"{API}/tools", json={"tool": sql_tool("5.0.0", name="lang_noconn")}, headers=h)
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/tools/lang_noconn/versions/5.0.0/test", headers=h)
    assert r.status_code == 200, r.text
    cases = r.json()["tests"]
    assert [c["passed"] for c in cases] == [True, True, False]  # sandboxed cases still run
    refused = cases[2]
    assert refused["error"]["type"] == "ConnectionRefused" and refused["actual"] is None
    assert "may not read Airflow connections" in refused["error"]["message"]
    r = client.post(f"{API}/tools/lang_noconn/versions/5.0.0/publish", headers=h)
    assert r.status_code == 422 and "on the real database" in r.json()["detail"]
    _no_secret(r)
    assert json.loads(r.text)["tests"][2]["error"]["type"] == "ConnectionRefused"


def test_node_test_of_a_sql_tool_runs_on_its_connection_rolled_back(
    client, auth, orders_connection: Path, tools_editor_without_connections: dict[str, str]
) -> None:
    insert = sql_tool(name="lang_node_insert", code="INSERT INTO orders VALUES (:id, 'eve', 1, '2026-04-01')",
                      input_schema={"type": "object", "properties": {"id": {"type": "integer"}}}, tests=[])  # fmt: skip
    select = sql_tool(name="lang_node_select", tests=[])
    spec = {"id": "lang_node", "tools": [insert, select], "nodes": [
        {"id": "q", "type": "tool", "tool": "lang_node_select@1.0.0", "parameters": {"conn_id": CONN_ID}},
        {"id": "w", "type": "tool", "tool": "lang_node_insert@1.0.0", "parameters": {"conn_id": CONN_ID}}]}  # fmt: skip
    body = {"spec": spec, "node_id": "q", "input": {"customer": "ada"}}
    r = client.post(f"{API}/nodes/test", json=body, headers=auth("Op"))
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is True and r.json()["output"] == [
        {"id": 1, "amount": 12.5, "placed": "2026-01-02"}
    ]
    r = client.post(
        f"{API}/nodes/test", json={**body, "node_id": "w", "input": {"id": 77}}, headers=auth("Op")
    )
    assert r.json()["ok"] is True, r.text
    with sqlite3.connect(orders_connection) as db:  # the node test's insert was rolled back
        assert db.execute("SELECT count(*) FROM orders WHERE id = 77").fetchone() == (0,)
    # Without connection read: refused, nothing connects; the reason is said.
    r = client.post(f"{API}/nodes/test", json=body, headers=tools_editor_without_connections)
    assert r.status_code == 200 and r.json()["ok"] is False
    assert "may not read Airflow connections" in r.json()["error"]["message"]
    for role in ("Viewer", "User"):
        assert client.post(f"{API}/nodes/test", json=body, headers=auth(role)).status_code == 403
    _no_secret(r)


def test_the_debugger_runs_a_sql_node_on_its_connection_as_the_node_test_does(
    client, auth, orders_connection: Path, tools_editor_without_connections: dict[str, str]
) -> None:
    """A debugger step is a node test: on the node's connection (rolled back) for a user who may read
    connections, refused with the reason for one who may not; never on an empty stand-in database."""
    spec = {"id": "lang_debug_sql", "tools": [sql_tool(name="lang_debug_select", tests=[])], "nodes": [
        {"id": "q", "type": "tool", "tool": "lang_debug_select@1.0.0", "parameters": {"conn_id": CONN_ID}}]}  # fmt: skip
    r = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Admin"))
    assert r.status_code in (201, 409), r.text
    body = {"spec": spec, "node_id": "q", "results": {}, "input": {"customer": "ada"}}
    r = client.post(f"{API}/workflows/lang_debug_sql/debug/step", json=body, headers=auth("Op"))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "success", r.text
    assert r.json()["output"] == [{"id": 1, "amount": 12.5, "placed": "2026-01-02"}]
    r = client.post(
        f"{API}/workflows/lang_debug_sql/debug/step", json=body, headers=tools_editor_without_connections
    )
    assert r.status_code in (200, 403), r.text
    if r.status_code == 200:  # may run code but not read connections: told why, nothing connects
        assert r.json()["state"] == "failed"
        assert "may not read Airflow connections" in r.json()["error"]["message"]
    _no_secret(r)
