"""Test kinds (tools/tool_tests.py, sandbox_child): each case reports kind, passed, duration_ms,
actual and error; unit cases run offline even for a networked tool, integration cases get their
fixture files (and the network only when the tool declares it), performance cases fail over their
budget and block publishing only when required; a case on a connection runs only through a gate
that allows it. Also the language rules (tools/languages.py) and their validation codes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.languages import language_problems
from airflow_canvas.tools.publish import PublishError, check_publish
from airflow_canvas.tools.tool_tests import blocks_publish, run_tests
from airflow_canvas.validation.context import Resources
from airflow_canvas.validation.engine import validate_workflow

KEYS = {"index", "name", "kind", "passed", "failures", "output", "actual", "error", "duration",
        "duration_ms", "time_budget_ms", "required"}  # fmt: skip


def tool(**fields: Any) -> Tool:
    return Tool.model_validate({"name": "t", "version": "1.0.0", **fields})


def test_each_kind_reports_its_result() -> None:
    t = tool(
        code="import os\ndef run(n):\n    total = sum(range(n))\n"
        "    return {'total': total, 'note': open('data/note.txt').read() if os.path.exists('data/note.txt') else None}\n",
        tests=[
            {"name": "unit", "input": {"n": 4}, "expected": {"total": 6, "note": None}},
            {"name": "files", "kind": "integration", "files": {"data/note.txt": "hi"}, "input": {"n": 1},
             "assertions": ["output['note'] == 'hi'"]},
            {"name": "fast", "kind": "performance", "time_budget_ms": 60000, "input": {"n": 10}},
            {"name": "slow", "kind": "performance", "time_budget_ms": 1, "input": {"n": 30_000_000}},
            {"name": "raises", "input": {"n": "x"}},
        ],
    )  # fmt: skip
    result = run_tests(t)
    assert result.error is None, result.error
    cases = {c["name"]: c for c in result.tests or []}
    assert [c["index"] for c in result.tests or []] == [0, 1, 2, 3, 4]
    assert all(set(c) >= KEYS for c in cases.values())
    assert cases["unit"]["passed"] and cases["unit"]["actual"] == {"total": 6, "note": None}
    assert cases["files"]["passed"] and cases["files"]["kind"] == "integration"
    assert cases["fast"]["passed"] and cases["fast"]["duration_ms"] < 60000
    slow = cases["slow"]
    assert (
        not slow["passed"]
        and slow["duration_ms"] > 1
        and "over its time budget of 1 ms" in slow["failures"][0]
    )
    assert not blocks_publish(slow) and blocks_publish({**slow, "required": True})
    raised = cases["raises"]
    assert not raised["passed"] and raised["actual"] is None and raised["error"]["type"] == "TypeError"


def test_kinds_filter() -> None:
    t = tool(
        code="def run():\n    return 1\n",
        tests=[{"input": {}}, {"kind": "performance", "time_budget_ms": 9999}],
    )
    assert [c["kind"] for c in run_tests(t, kinds=["performance"]).tests or []] == ["performance"]


@pytest.fixture
def listener() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    threading.Thread(target=lambda: [server.accept()[0].close() for _ in range(4)], daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def test_unit_cases_stay_offline_integration_cases_get_the_network(listener: int) -> None:
    code = (
        "import socket\ndef run(port):\n    try:\n        socket.create_connection(('127.0.0.1', port), 2).close()\n"
        "        return 'reached'\n    except OSError:\n        return 'offline'\n"
    )
    cases = [{"input": {"port": listener}, "expected": "offline"},
             {"kind": "integration", "input": {"port": listener}, "expected": "reached"}]  # fmt: skip
    result = run_tests(tool(code=code, network=True, tests=cases))
    assert [c["actual"] for c in result.tests or []] == ["offline", "reached"], result.tests
    offline = run_tests(tool(code=code, network=False, tests=cases))  # no network: integration is offline too
    assert [c["actual"] for c in offline.tests or []] == ["offline", "offline"]


SQL = {
    "language": "sql",
    "connection_type": "sqlite",
    "code": "SELECT count(*) AS n FROM t",
    "tests": [
        {"input": {}, "fixtures": ["CREATE TABLE t (x)", "INSERT INTO t VALUES (1)"], "expected": [{"n": 1}]},
        {
            "kind": "integration",
            "connection": "somewhere",
            "input": {},
            "assertions": ["output == [{'n': 1}]"],
        },
    ],
}


def test_connection_cases_need_a_gate_that_allows_them() -> None:
    t = tool(**SQL)
    no_gate = run_tests(t).tests or []
    assert no_gate[0]["passed"] and not no_gate[1]["passed"]
    assert no_gate[1]["error"]["type"] == "ConnectionRefused" and no_gate[1]["connection"] == "somewhere"
    asked: list[str] = []
    refused = run_tests(t, connection_gate=lambda c: asked.append(c) or "not yours").tests or []
    assert asked == ["somewhere"] and "not yours" in refused[1]["error"]["message"]
    with pytest.raises(PublishError, match="not yours"):
        check_publish(t, [], run_tests=lambda x: run_tests(x, connection_gate=lambda c: "not yours"))


def test_language_problems() -> None:
    assert language_problems(tool(code="def run():\n    return 1\n")) == []
    codes = {(p.code, p.field) for p in language_problems(tool(**{**SQL, "connection_type": None}))}
    assert codes == {("E_TOOL_SQL_CONNECTION_TYPE", "connection_type")}
    warn = language_problems(tool(**{**SQL, "code": "select :a", "input_schema": {"properties": {"b": {}}}}))
    assert [(p.code, p.severity) for p in warn] == [("W_TOOL_SQL_PARAMETER", "warning")]
    shell = tool(language="shell", code="echo", dependencies=["x"], connection_type="sqlite",
                 tests=[{"kind": "performance"}, {"fixtures": ["x"], "connection": "c"}])  # fmt: skip
    found = {(p.code, p.field) for p in language_problems(shell, bash_available=False)}
    assert found == {
        ("E_TOOL_DEPENDENCIES", "dependencies"),
        ("E_TOOL_SQL_CONNECTION_TYPE", "connection_type"),
        ("E_TOOL_SHELL_BASH", "language"),
        ("E_TOOL_TEST_FIELD", "tests.0.time_budget_ms"),
        ("E_TOOL_TEST_FIELD", "tests.1.fixtures"),
        ("E_TOOL_TEST_FIELD", "tests.1.connection"),
    }


def test_fixture_file_names_are_relative() -> None:
    for bad in ("../x", "/etc/passwd", "a/../../b", "a\\b", "."):
        with pytest.raises(ValueError, match="relative path"):
            tool(tests=[{"files": {bad: ""}}])


def _workflow(**node: Any) -> dict[str, Any]:
    return {"id": "wf", "tools": [{"name": "orders", "version": "1.0.0", **SQL}],
            "nodes": [{"id": "q", "type": "tool", "tool": "orders@1.0.0", **node}]}  # fmt: skip


def test_validation_of_sql_tool_nodes() -> None:
    codes = [p.code for p in validate_workflow(parse_workflow(_workflow()))]
    assert "E_TOOL_SQL_CONN_ID" in codes
    wf = parse_workflow(_workflow(parameters={"conn_id": "pg"}))
    problems = validate_workflow(wf, resources=Resources(connections={"pg": "postgres", "lite": "sqlite"}))
    typed = [p for p in problems if p.code == "W_CONNECTION_TYPE"]
    assert len(typed) == 1 and "needs type sqlite" in typed[0].message and "lite" in (typed[0].hint or "")
    ok = parse_workflow(_workflow(parameters={"conn_id": "lite"}))
    assert [p for p in validate_workflow(ok, resources=Resources(connections={"lite": "sqlite"}))] == []
    bad = _workflow(parameters={"conn_id": "lite"})
    bad["tools"][0]["entry_point"] = "main"
    found = [p for p in validate_workflow(parse_workflow(bad)) if p.code == "E_TOOL_ENTRY_POINT"]
    assert found and found[0].pointer == "/tools/0/entry_point" and found[0].node_id == "q"


def test_studio_check_reports_language_rules() -> None:
    from airflow_canvas.tools.check import check_tool

    found = check_tool({"name": "a", "version": "1.0.0", "language": "sql", "code": "select 1"})
    assert [(d.where, d.severity) for d in found] == [("connection_type", "error")]
    shell = check_tool({"name": "a", "version": "1.0.0", "language": "shell", "code": "echo {"})
    assert shell == []  # shell code is not parsed as Python


def test_sql_node_test_without_fixtures_says_where_it_ran() -> None:
    from airflow_canvas.tools.runner import run_in_sandbox

    result = run_in_sandbox(tool(**{**SQL, "code": "SELECT * FROM missing", "tests": []}), {})
    assert result.error is not None and "empty in-memory SQLite database" in str(result.error)


def test_eject_refuses_sql_and_shell_tools() -> None:
    from airflow_canvas.exporters import ExportError
    from airflow_canvas.exporters.eject import eject_workflow

    wf = parse_workflow(_workflow(parameters={"conn_id": "lite"}))
    with pytest.raises(
        ExportError, match="runs the sql tool orders@1.0.0; an ejected DAG can only run Python tools"
    ):
        eject_workflow(wf)


def test_changing_a_sql_tools_connection_type_needs_a_major_bump() -> None:
    from airflow_canvas.tools.breaking_changes import required_bump

    old = tool(**SQL)
    assert required_bump(old, tool(**{**SQL, "version": "1.0.1", "code": "SELECT 2 AS n"})) == "patch"
    new = tool(**{**SQL, "version": "1.1.0", "connection_type": "postgres"})
    assert required_bump(old, new) == "major"
