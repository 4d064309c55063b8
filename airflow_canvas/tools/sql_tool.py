"""SQL tools (``Tool.language == "sql"``): one parameterised query, run through a connection's hook.

The one way to pass values: named bind parameters in the query (``WHERE id = :customer_id``). The
query is a SQLAlchemy ``text()`` construct, so SQLAlchemy binds each value with the paramstyle of
the connection's driver (``?``, ``%(name)s``, ``:name`` ...): a value is never formatted into the
SQL text, whatever it contains. Only the names the query uses are bound (the ``conn_id`` argument
never is); a name the query uses but no argument supplies is an error. A literal colon that is not
a parameter is written ``\\:`` (SQLAlchemy's escape).

Where a query runs:

* on an Airflow worker (ToolOperator, ``execute.py``): ``BaseHook.get_connection(conn_id).get_hook()``
  must be a DbApiHook of the tool's ``connection_type``; the query runs in a transaction that is
  committed (a tool may insert or update);
* in the sandbox (tool tests, node tests): a fresh in-memory SQLite database, built from the test's
  ``fixtures`` statements; nothing outside the sandbox is reachable;
* for an integration test that names a ``connection`` (on the API server, only for a user who may
  read that connection, see ``tool_tests.py``): fixtures and query in one transaction that is
  always rolled back.

The result is the rows as a list of objects keyed by column name, made JSON-safe (``json_safe``).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from airflow_canvas.spec.models import SQL_CONN_ID, Tool


class SqlToolError(ValueError):
    """The query could not run as written (a missing argument, a connection of the wrong kind)."""


def json_safe(value: Any) -> Any:
    """A database value as JSON: integral decimals as integers, other decimals as floats, dates and
    times as ISO 8601 text, durations as seconds, bytes as UTF-8 text (base64 when not UTF-8)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return str(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    return str(value)


def bind_names(sql: str) -> list[str]:
    """The named parameters the query uses, in order (SQLAlchemy's reading of ``:name``)."""
    from sqlalchemy import text

    return list(text(sql).compile().params)


def bound_values(sql: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The values for the query's parameters, from the tool call's arguments."""
    names = bind_names(sql)
    if SQL_CONN_ID in names:
        raise SqlToolError(f"the query may not use :{SQL_CONN_ID}; it names the connection, not a value")
    missing = [n for n in names if n not in arguments]
    if missing:
        raise SqlToolError(
            f"the query uses {', '.join(':' + n for n in missing)} but the call has no argument "
            f"{', '.join(repr(n) for n in missing)}"
        )
    return {n: arguments[n] for n in names}


def execute(connection: Any, sql: str, arguments: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run the query on a SQLAlchemy connection with bound values; the rows as JSON objects."""
    from sqlalchemy import text

    result = connection.execute(text(sql), bound_values(sql, arguments))
    if not result.returns_rows:  # INSERT/UPDATE/DDL
        return []
    columns = list(result.keys())
    return [{c: json_safe(v) for c, v in zip(columns, row, strict=True)} for row in result]


def run_fixtures(connection: Any, fixtures: Iterable[str]) -> None:
    """A test's setup statements, each run as written (test data the tool's author wrote)."""
    for index, statement in enumerate(fixtures):
        try:
            connection.exec_driver_sql(statement)
        except Exception as exc:
            raise SqlToolError(f"fixture {index + 1} failed: {exc}") from exc


def run_in_memory(sql: str, arguments: Mapping[str, Any], fixtures: Iterable[str] = ()) -> list[dict]:
    """The query on a fresh in-memory SQLite database built from ``fixtures`` (sandboxed runs)."""
    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    try:
        with engine.begin() as connection:
            run_fixtures(connection, fixtures)
            return execute(connection, sql, arguments)
    finally:
        engine.dispose()


def get_connection(conn_id: str, *, on_server: bool = False) -> Any:
    """The Airflow connection: a task asks the Task SDK (its supervisor, env variables, secrets
    backends); the API server, which has no supervisor, asks its secrets backends and the metadata
    DB through the core model."""
    if on_server:
        from airflow.models.connection import Connection

        return Connection.get_connection_from_secrets(conn_id)
    from airflow.sdk import BaseHook

    return BaseHook.get_connection(conn_id)


def _db_hook(conn_id: str, connection_type: str | None, *, on_server: bool = False) -> Any:
    from airflow.providers.common.sql.hooks.sql import DbApiHook

    conn = get_connection(conn_id, on_server=on_server)
    if connection_type and conn.conn_type != connection_type:
        raise SqlToolError(
            f"connection {conn_id!r} is of type {conn.conn_type!r}; the tool's query is written for "
            f"{connection_type!r}"
        )
    hook = conn.get_hook()
    if on_server:
        # A hook looks its connection up again through the Task SDK, which only a task can reach;
        # on the server it gets the one just read (an instance attribute shadows the classmethod).
        hook.get_connection = lambda _conn_id: conn
    if not isinstance(hook, DbApiHook):
        raise SqlToolError(f"connection {conn_id!r} is not a SQL database connection ({type(hook).__name__})")
    return hook


def conn_id_of(tool: Tool, arguments: Mapping[str, Any]) -> str:
    conn_id = arguments.get(SQL_CONN_ID)
    if not isinstance(conn_id, str) or not conn_id:
        raise SqlToolError(
            f"SQL tool {tool.ref} needs the argument {SQL_CONN_ID!r} (an Airflow connection id)"
        )
    return conn_id


def run_on_connection(tool: Tool, arguments: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A worker's run: the ``conn_id`` argument's hook, one committed transaction."""
    hook = _db_hook(conn_id_of(tool, arguments), tool.connection_type)
    engine = hook.get_sqlalchemy_engine()
    try:
        with engine.begin() as connection:
            return execute(connection, tool.code, arguments)
    finally:
        engine.dispose()


def run_rolled_back(
    tool: Tool,
    conn_id: str,
    arguments: Mapping[str, Any],
    fixtures: Iterable[str] = (),
    *,
    timeout_seconds: float | None = None,
) -> list[dict[str, Any]]:
    """An integration test on a real connection, run by the API server: fixtures and query in one
    transaction that is rolled back whatever happens, so a test leaves the database as it found
    it. The run stops at ``timeout_seconds`` on SQLite (a progress handler) and PostgreSQL
    (``statement_timeout``); other drivers rely on their own timeouts. On SQLite, ATTACH and
    PRAGMA are refused: the test reaches the connection's database file and no other."""
    hook = _db_hook(conn_id, tool.connection_type, on_server=True)
    engine = hook.get_sqlalchemy_engine()
    if engine.dialect.name == "sqlite":
        _transactional_sqlite(engine, timeout_seconds)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                if engine.dialect.name == "postgresql" and timeout_seconds:
                    ms = int(timeout_seconds * 1000)  # an int written by us: no value of the test's
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")
                run_fixtures(connection, fixtures)
                return execute(connection, tool.code, {**arguments, SQL_CONN_ID: conn_id})
            finally:
                transaction.rollback()
    finally:
        engine.dispose()


def _server_authorizer(action: int, *_args: Any) -> int:
    import sqlite3

    denied = (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH, sqlite3.SQLITE_PRAGMA)
    return sqlite3.SQLITE_DENY if action in denied else sqlite3.SQLITE_OK


def _transactional_sqlite(engine: Any, timeout_seconds: float | None) -> None:
    """SQLAlchemy's recipe for SQLite transactions that hold DDL too (pysqlite's own handling
    would commit a CREATE TABLE at once), plus a deadline that interrupts a long statement."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(driver_connection: Any, _record: Any) -> None:
        driver_connection.isolation_level = None
        # The test runs in the API server's process: it may use the connection's database file,
        # not open others (ATTACH) or change how SQLite works (PRAGMA; VACUUM INTO cannot run in
        # the transaction).
        driver_connection.set_authorizer(_server_authorizer)
        if timeout_seconds:
            deadline = time.monotonic() + timeout_seconds
            driver_connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")
