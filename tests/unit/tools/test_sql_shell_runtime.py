"""The runtimes of SQL and shell tools (tools/sql_tool.py, tools/shell_tool.py) and the worker's
dispatch (tools/execute.py): values are bound or passed as data, rows come back JSON-safe, a test
on a connection is rolled back, a failing script is an error with its stderr."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools import shell_tool, sql_tool
from airflow_canvas.tools.execute import execute_tool, runs_in_process

TABLE = "CREATE TABLE t (id INTEGER, name TEXT, price NUMERIC)"


def sql(code: str, **extra: object) -> Tool:
    return Tool.model_validate({"name": "q", "version": "1.0.0", "language": "sql", "connection_type": "sqlite",
                                "code": code, **extra})  # fmt: skip


def test_json_safe_values() -> None:
    assert sql_tool.json_safe(decimal.Decimal("12.50")) == 12.5
    assert sql_tool.json_safe(decimal.Decimal("3")) == 3 and isinstance(
        sql_tool.json_safe(decimal.Decimal("3")), int
    )
    assert sql_tool.json_safe(decimal.Decimal("NaN")) == "NaN"
    assert sql_tool.json_safe(dt.date(2026, 1, 2)) == "2026-01-02"
    assert sql_tool.json_safe(dt.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"
    assert sql_tool.json_safe(dt.timedelta(minutes=1)) == 60.0
    assert sql_tool.json_safe(b"abc") == "abc" and sql_tool.json_safe(b"\xff\x00") == "/wA="
    u = uuid.uuid4()
    assert sql_tool.json_safe(u) == str(u)
    assert (
        json.dumps(sql_tool.json_safe({"a": [decimal.Decimal("1.5"), dt.time(1, 2)]}))
        == '{"a": [1.5, "01:02:00"]}'
    )


def test_sql_conn_id_is_declared_in_the_input_schema() -> None:
    tool = sql("select 1", input_schema={"type": "object", "properties": {"a": {"type": "integer"}},
                                         "additionalProperties": False})  # fmt: skip
    conn = tool.input_schema["properties"]["conn_id"]
    assert conn["x-airflow-connection"] == ["sqlite"] and tool.input_schema["additionalProperties"] is False
    own = {"type": "string", "x-airflow-connection": ["sqlite", "postgres"]}
    kept = sql("select 1", input_schema={"type": "object", "properties": {"conn_id": own}})
    assert kept.input_schema["properties"]["conn_id"] == own
    assert Tool(name="p", version="1.0.0").input_schema == {}  # python tools are left alone


def test_bound_values_only_what_the_query_uses() -> None:
    assert sql_tool.bound_values("select :a, :b", {"a": 1, "b": 2, "c": 3, "conn_id": "x"}) == {
        "a": 1,
        "b": 2,
    }
    with pytest.raises(sql_tool.SqlToolError, match=r":b but the call has no argument 'b'"):
        sql_tool.bound_values("select :a, :b", {"a": 1})
    with pytest.raises(sql_tool.SqlToolError, match="may not use :conn_id"):
        sql_tool.bound_values("select :conn_id", {"conn_id": "x"})
    assert sql_tool.bind_names(r"select '12\:30', :x") == ["x"]


def test_in_memory_query_binds_hostile_values() -> None:
    fixtures = [TABLE, "INSERT INTO t VALUES (1, 'a', 2.5), (2, 'b', 3)"]
    rows = sql_tool.run_in_memory("SELECT id, price FROM t WHERE name = :name", {"name": "a"}, fixtures)
    assert rows == [{"id": 1, "price": 2.5}]
    for hostile in ("a' OR '1'='1", "a'; DROP TABLE t; --", "1 OR 1=1"):
        assert (
            sql_tool.run_in_memory("SELECT id FROM t WHERE name = :name", {"name": hostile}, fixtures) == []
        )
    assert sql_tool.run_in_memory("INSERT INTO t VALUES (:id, 'c', 1)", {"id": 3}, [TABLE]) == []
    with pytest.raises(sql_tool.SqlToolError, match="fixture 2 failed"):
        sql_tool.run_in_memory("SELECT 1", {}, [TABLE, "INSERT INTO nope VALUES (1)"])


def test_two_statements_are_refused() -> None:
    with pytest.raises(Exception, match="one statement"):
        sql_tool.run_in_memory("SELECT 1; DROP TABLE t", {}, [TABLE])


@pytest.fixture
def sqlite_conn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as conn:
        conn.execute(TABLE)
        conn.execute("INSERT INTO t VALUES (1, 'a', 2.5)")
    monkeypatch.setenv("AIRFLOW_CONN_CANVAS_SHOP", json.dumps({"conn_type": "sqlite", "host": str(db)}))
    return db


def test_rolled_back_run_leaves_the_database_as_it_was(sqlite_conn: Path) -> None:
    tool = sql("SELECT id FROM t ORDER BY id")
    fixtures = ["INSERT INTO t VALUES (2, 'b', 1)", "CREATE TABLE extra (x INTEGER)"]
    assert sql_tool.run_rolled_back(tool, "canvas_shop", {}, fixtures) == [{"id": 1}, {"id": 2}]
    with sqlite3.connect(sqlite_conn) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchone() is None
    with pytest.raises(
        sql_tool.SqlToolError, match="of type 'sqlite'; the tool's query is written for 'postgres'"
    ):
        sql_tool.run_rolled_back(sql("select 1", connection_type="postgres"), "canvas_shop", {})


def test_rolled_back_run_stops_at_its_deadline(sqlite_conn: Path) -> None:
    endless = sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")
    with pytest.raises(Exception, match="interrupted"):
        sql_tool.run_rolled_back(endless, "canvas_shop", {}, timeout_seconds=0.3)


def test_worker_runs_sql_through_the_connection_hook_and_commits(sqlite_conn: Path) -> None:
    insert = sql("INSERT INTO t VALUES (:id, :name, :price)")
    assert runs_in_process(insert)
    assert (
        execute_tool(
            insert, {"id": 7, "name": "x'); DROP TABLE t; --", "price": 1}, {"conn_id": "canvas_shop"}
        )
        == []
    )
    rows = execute_tool(sql("SELECT name FROM t WHERE id = :id"), {"id": 7}, {"conn_id": "canvas_shop"})
    assert rows == [{"name": "x'); DROP TABLE t; --"}]
    with pytest.raises(sql_tool.SqlToolError, match="needs the argument 'conn_id'"):
        execute_tool(sql("SELECT 1"), {}, {})


# -- shell -----------------------------------------------------------------------------------


def test_input_env_names_and_values() -> None:
    env = shell_tool.input_env({"text": "a b", "n": 3, "obj": {"k": [1]}, "bad-name": "x", "nul": "a\x00b"})
    assert env == {"INPUT_TEXT": "a b", "INPUT_N": "3", "INPUT_OBJ": '{"k": [1]}', "INPUT_NUL": "ab"}


def test_parse_output() -> None:
    assert shell_tool.parse_output('{"a": 1}\n') == {"a": 1}
    assert shell_tool.parse_output("[1, 2]") == [1, 2]
    assert shell_tool.parse_output("hello\n") == {"stdout": "hello\n", "exit_code": 0}
    assert shell_tool.parse_output("") == {"stdout": "", "exit_code": 0}


HOSTILE = ["$(touch {marker})", "`touch {marker}`", "; touch {marker}", "' ; touch {marker} ; '", "$((1+1))"]


@pytest.mark.parametrize("template", HOSTILE)
def test_shell_values_stay_data(template: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    value = template.format(marker=marker)
    out = shell_tool.run_shell('echo "$INPUT_TEXT"; cat', {"text": value}, base_env={"PATH": "/usr/bin:/bin"})
    assert out["stdout"] == value + "\n" + json.dumps({"text": value})
    assert not marker.exists()


def test_shell_failure_carries_exit_code_and_stderr() -> None:
    with pytest.raises(shell_tool.ShellToolError, match="exited with code 3: boom") as caught:
        shell_tool.run_shell("echo boom >&2; exit 3", {}, base_env={"PATH": "/usr/bin:/bin"}, ref="t")
    assert caught.value.exit_code == 3
    with pytest.raises(shell_tool.ShellToolError, match="killed after 0.3s"):
        shell_tool.run_shell("sleep 5", {}, base_env={"PATH": "/usr/bin:/bin"}, timeout_seconds=0.3)


def test_worker_runs_shell_without_airflow_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "sqlite:////secret.db")
    tool = Tool(name="s", version="1.0.0", language="shell",
                code='printf \'{"db": "%s", "x": %s, "pwd": "%s"}\' "${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-}" "$INPUT_X" "$PWD"')  # fmt: skip
    out = execute_tool(tool, {"x": 2}, {})
    assert out["db"] == "" and out["x"] == 2 and "canvas-shell-s-" in out["pwd"]


@pytest.mark.parametrize(
    "statement", ["ATTACH DATABASE '{other}' AS o", "PRAGMA journal_mode = OFF", "VACUUM INTO '{other}.copy'"]
)
def test_rolled_back_run_reaches_no_other_database_file(sqlite_conn: Path, statement: str) -> None:
    other = sqlite_conn.with_name("other.db")
    sqlite3.connect(other).close()
    with pytest.raises(Exception, match="not authorized|cannot VACUUM"):  # as a fixture
        sql_tool.run_rolled_back(sql("SELECT 1 AS one"), "canvas_shop", {}, [statement.format(other=other)])
    with pytest.raises(Exception, match="not authorized|cannot VACUUM"):  # as the tool's query
        sql_tool.run_rolled_back(sql(statement.format(other=other)), "canvas_shop", {})
    assert not Path(f"{other}.copy").exists()
