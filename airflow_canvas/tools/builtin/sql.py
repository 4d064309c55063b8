"""sql_query: run SQL through any Airflow DB connection (common-sql's DbApiHook via the
connection's own hook), returning rows as objects keyed by column name."""

from __future__ import annotations

from contextlib import closing
from typing import Any

INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "conn_id": {
            "type": "string",
            "description": "Airflow connection id of a SQL database.",
            "x-airflow-connection": [],
        },
        "sql": {"type": "string", "minLength": 1},
        "parameters": {"type": ["array", "object"], "description": "Bound parameters (never formatted in)."},
        "max_rows": {"type": "integer", "minimum": 1, "default": 1000},
    },
    "required": ["conn_id", "sql"],
    "additionalProperties": False,
}
OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object"}},
        "rowcount": {"type": "integer"},
        "truncated": {"type": "boolean"},
    },
    "required": ["columns", "rows", "rowcount", "truncated"],
}


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)  # dates, decimals, UUIDs: JSON has no type for them


def run(
    conn_id: str, sql: str, parameters: list[Any] | dict[str, Any] | None = None, max_rows: int = 1000
) -> dict:
    from airflow.providers.common.sql.hooks.sql import DbApiHook
    from airflow.sdk import BaseHook

    hook = BaseHook.get_connection(conn_id).get_hook()
    if not isinstance(hook, DbApiHook):
        raise TypeError(f"Connection {conn_id!r} is not a SQL database connection ({type(hook).__name__})")
    with closing(hook.get_conn()) as conn, closing(conn.cursor()) as cursor:
        cursor.execute(sql, parameters or ())
        if cursor.description is None:  # INSERT/UPDATE/DDL
            conn.commit()
            return {"columns": [], "rows": [], "rowcount": max(cursor.rowcount, 0), "truncated": False}
        columns = [d[0] for d in cursor.description]
        fetched = cursor.fetchmany(max_rows + 1)
    rows = [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in fetched[:max_rows]]
    return {"columns": columns, "rows": rows, "rowcount": len(rows), "truncated": len(fetched) > max_rows}
