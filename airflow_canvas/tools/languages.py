"""What each tool language needs, checked before anything runs: one list of problems, each with a
stable code and the field it concerns, used by validation (inline tools, ``checks_tools.py``) and
by the tools API (a draft that breaks these rules is not saved).

Codes (docs/validation-codes.md): ``E_TOOL_CODE_EMPTY``, ``E_TOOL_ENTRY_POINT``,
``E_TOOL_DEPENDENCIES``, ``E_TOOL_SQL_CONNECTION_TYPE``, ``E_TOOL_SQL_SCHEMA``,
``E_TOOL_SQL_PARAMETER``, ``W_TOOL_SQL_PARAMETER``, ``E_TOOL_SHELL_BASH``, ``E_TOOL_TEST_FIELD``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from airflow_canvas.spec.models import SQL_CONN_ID, Tool, ToolTest

DEFAULT_ENTRY_POINT = "run"
_Add = Callable[..., None]  # add(code, field, message, hint, severity="error")


@dataclass(frozen=True)
class LanguageProblem:
    code: str
    field: str  # dotted path in the tool: "code", "connection_type", "tests.0.time_budget_ms"
    message: str
    hint: str
    severity: Literal["error", "warning"] = "error"


def language_problems(tool: Tool, *, bash_available: bool | None = None) -> list[LanguageProblem]:
    """Every problem of ``tool`` that its language makes (none for a well-formed Python tool).
    ``bash_available``: whether this host has bash (looked up when None)."""
    found: list[LanguageProblem] = []
    ref = tool.ref

    def add(
        code: str, field: str, message: str, hint: str, severity: Literal["error", "warning"] = "error"
    ) -> None:
        found.append(LanguageProblem(code, field, f"Tool {ref}: {message}", hint, severity))

    if tool.language != "python":
        if not tool.code.strip():
            add("E_TOOL_CODE_EMPTY", "code", f"a {tool.language} tool needs code.",
                "Write the query (sql) or the bash script (shell) in `code`.")  # fmt: skip
        if tool.entry_point != DEFAULT_ENTRY_POINT:
            add("E_TOOL_ENTRY_POINT", "entry_point", f"entry_point is for Python tools, not {tool.language}.",
                "Remove entry_point: the whole `code` is what runs.")  # fmt: skip
        if tool.dependencies:
            add("E_TOOL_DEPENDENCIES", "dependencies", f"dependencies are for Python tools, not {tool.language}.",
                "Remove dependencies (pip requirements install into a Python venv).")  # fmt: skip
    if tool.language == "sql":
        _sql_problems(tool, add)
    elif tool.connection_type:
        add("E_TOOL_SQL_CONNECTION_TYPE", "connection_type", "connection_type is for SQL tools only.",
            "Remove connection_type, or set language to sql.")  # fmt: skip
    if tool.language == "shell":
        from airflow_canvas.tools.shell_tool import find_bash

        if not (bash_available if bash_available is not None else find_bash() is not None):
            add("E_TOOL_SHELL_BASH", "language", "shell tools run with bash, which is not installed here.",
                "Install bash (Debian: apt-get install bash) on the API server and the workers.")  # fmt: skip
    for i, case in enumerate(tool.tests):
        _test_problems(tool, i, case, add)
    return found


def _sql_problems(tool: Tool, add: _Add) -> None:
    if not tool.connection_type:
        add("E_TOOL_SQL_CONNECTION_TYPE", "connection_type",
            "a SQL tool needs connection_type: the Airflow connection type its query is written for.",
            "Set connection_type, e.g. sqlite or postgres; nodes then pick a connection of that type.")  # fmt: skip
    schema = tool.input_schema
    if schema and (
        schema.get("type", "object") != "object" or not isinstance(schema.get("properties", {}), dict)
    ):
        add("E_TOOL_SQL_SCHEMA", "input_schema",
            "a SQL tool's input schema must be an object schema: its properties are the query's parameters.",
            'Use {"type": "object", "properties": {...}}.')  # fmt: skip
        return
    if not tool.code.strip():
        return
    from airflow_canvas.tools.sql_tool import bind_names

    try:
        names = bind_names(tool.code)
    except Exception as exc:  # noqa: BLE001 - what SQLAlchemy cannot read as text() is the author's
        add("E_TOOL_SQL_PARAMETER", "code", f"the query's parameters cannot be read: {exc}",
            "Write parameters as :name; a literal colon as \\:.")  # fmt: skip
        return
    if SQL_CONN_ID in names:
        add("E_TOOL_SQL_PARAMETER", "code", f":{SQL_CONN_ID} names the connection and cannot be a query parameter.",
            "Rename the parameter.")  # fmt: skip
    declared = schema.get("properties") or {}
    undeclared = [n for n in names if n != SQL_CONN_ID and n not in declared and n not in tool.parameters]
    if undeclared and schema.get("properties"):
        add("W_TOOL_SQL_PARAMETER", "input_schema",
            f"the query uses {', '.join(':' + n for n in undeclared)}, which the input schema does not declare.",
            "Declare each :name as a property of the input schema (its type documents the value).", "warning")  # fmt: skip


def _test_problems(tool: Tool, i: int, case: ToolTest, add: _Add) -> None:
    where = f"tests.{i}"
    name = repr(case.name or f"test {i + 1}")
    if case.time_budget_ms is not None and case.kind != "performance":
        add("E_TOOL_TEST_FIELD", f"{where}.time_budget_ms", f"test {name}: time_budget_ms is for performance tests.",
            "Set kind to performance, or remove time_budget_ms.")  # fmt: skip
    if case.kind == "performance" and case.time_budget_ms is None:
        add("E_TOOL_TEST_FIELD", f"{where}.time_budget_ms", f"performance test {name} needs time_budget_ms.",
            "Set time_budget_ms: the most milliseconds one run may take.")  # fmt: skip
    if case.required and case.kind != "performance":
        add("E_TOOL_TEST_FIELD", f"{where}.required", f"test {name}: required is for performance tests "
            "(unit and integration tests always block publishing).", "Remove required.")  # fmt: skip
    if case.connection and (tool.language != "sql" or case.kind != "integration"):
        add("E_TOOL_TEST_FIELD", f"{where}.connection",
            f"test {name}: a connection is for integration tests of SQL tools.",
            "Set kind to integration (SQL tools), or remove connection.")  # fmt: skip
    if case.fixtures and tool.language != "sql":
        add("E_TOOL_TEST_FIELD", f"{where}.fixtures", f"test {name}: fixtures are SQL setup statements, for SQL tools.",
            "Use files for fixture files of Python and shell tools.")  # fmt: skip
    if case.files and tool.language == "sql":
        add("E_TOOL_TEST_FIELD", f"{where}.files", f"test {name}: a SQL tool's test reads no files.",
            "Put the test data in fixtures (SQL statements).")  # fmt: skip
