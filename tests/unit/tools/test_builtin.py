"""Built-in tools against real local services: a loopback HTTP server, SQLite, the filesystem."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.builtin import BUILTIN_TOOLS
from airflow_canvas.tools.loader import load_entry_point
from airflow_canvas.tools.registry import resolve_tool
from airflow_canvas.tools.runner import run_in_sandbox, run_on_worker, run_tool_tests
from tests.fakes.http_server import LoopbackHTTPServer

SENT: list[dict[str, Any]] = []


class RecordingNotifier:
    """Stands in for an installed notifier class (send_notification accepts an import path)."""

    def __init__(self, **kwargs: Any):
        self.kwargs = kwargs

    def notify(self, context: dict) -> None:
        SENT.append(self.kwargs)


def call(name: str, **inputs: Any) -> Any:
    tool = resolve_tool(f"{name}@^1")
    jsonschema.validate(inputs, tool.input_schema)
    output = load_entry_point(tool)(**inputs)
    jsonschema.validate(output, tool.output_schema)
    return output


def test_every_builtin_is_resolvable_and_well_formed() -> None:
    names = {t.name for t in BUILTIN_TOOLS}
    assert {"http_request", "sql_query", "json_transform", "text_template", "file_read", "file_write",
            "send_notification"} <= names  # fmt: skip
    for tool in BUILTIN_TOOLS:
        assert resolve_tool(f"{tool.name}@^1") == tool
        assert callable(load_entry_point(tool))
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
        jsonschema.Draft202012Validator.check_schema(tool.output_schema)
        assert tool.description and not tool.code and not tool.dependencies


def test_http_request_through_an_airflow_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    with LoopbackHTTPServer({"/api/items": (200, {"items": [1, 2]}), "/api/fail": (500, {"e": 1})}) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_CANVAS_TEST_HTTP", json.dumps({"conn_type": "http", "host": server.url})
        )
        out = call("http_request", conn_id="canvas_test_http", endpoint="/api/items", params={"q": "x"})
        assert out["status_code"] == 200 and out["json"] == {"items": [1, 2]}
        assert server.requests[0]["query"] == {"q": ["x"]}
        posted = call(
            "http_request", conn_id="canvas_test_http", endpoint="/api/items", method="POST", json={"a": 1}
        )
        assert posted["ok"] and json.loads(server.requests[1]["body"]) == {"a": 1}
        soft = call("http_request", conn_id="canvas_test_http", endpoint="/api/fail", raise_for_status=False)
        assert soft["status_code"] == 500 and not soft["ok"]
        with pytest.raises(Exception, match="500"):
            call("http_request", conn_id="canvas_test_http", endpoint="/api/fail")
        # On a worker (a trusted Airflow task) the venv runner's child gets the connection through
        # the environment, like any task.
        tool, inputs = (
            resolve_tool("http_request@1.0.0"),
            {"conn_id": "canvas_test_http", "endpoint": "/api/items"},
        )
        assert run_on_worker(tool, inputs).raise_for_error().output["json"] == {"items": [1, 2]}
        # In the API server's sandbox (a node test) it does not: connections are secrets, and the
        # sandbox starts from an empty environment with no metadata DB to look them up in.
        before = len(server.requests)
        result = run_in_sandbox(tool, inputs)
        assert result.error is not None and "canvas_test_http" in str(result.error), result
        assert len(server.requests) == before


def test_sql_query_through_a_db_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "data.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table t (id integer, name text)")
        conn.executemany("insert into t values (?, ?)", [(1, "a"), (2, "b"), (3, "c")])
    monkeypatch.setenv("AIRFLOW_CONN_CANVAS_TEST_DB", json.dumps({"conn_type": "sqlite", "host": str(db)}))
    out = call("sql_query", conn_id="canvas_test_db", sql="select id, name from t where id >= ? order by id",
               parameters=[2])  # fmt: skip
    assert out == {"columns": ["id", "name"], "rows": [{"id": 2, "name": "b"}, {"id": 3, "name": "c"}],
                   "rowcount": 2, "truncated": False}  # fmt: skip
    assert call("sql_query", conn_id="canvas_test_db", sql="select * from t", max_rows=2)["truncated"]
    assert call("sql_query", conn_id="canvas_test_db", sql="delete from t where id = 1")["rowcount"] == 1


def test_transform_and_template() -> None:
    assert call("json_transform", data={"a": [{"b": 1}, {"b": 2}]}, expression="a[].b") == {"result": [1, 2]}
    assert call("text_template", template="{{ n }} items", variables={"n": 3}) == {"text": "3 items"}
    with pytest.raises(Exception, match="undefined"):
        call("text_template", template="{{ missing }}")
    with pytest.raises(Exception, match="unsafe|not safely|access"):
        call("text_template", template="{{ ''.__class__.__mro__[1].__subclasses__() }}")


def test_file_write_then_read(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "note.txt"
    assert call("file_write", path=str(target), content="héllo")["size"] == 6
    out = call("file_read", path=f"file://{target}")
    assert out["content"] == "héllo" and out["size"] == 6
    with pytest.raises(ValueError, match="max_bytes"):
        call("file_read", path=str(target), max_bytes=2)


def test_send_notification_through_a_notifier_class() -> None:
    SENT.clear()
    out = call("send_notification", notifier=f"{__name__}.RecordingNotifier", to=["a@example.com"], subject="S",
               message="M")  # fmt: skip
    assert out == {"sent": True, "notifier": f"{__name__}.RecordingNotifier"}
    assert SENT == [{"to": ["a@example.com"], "subject": "S", "message": "M"}]


def test_builtin_tool_tests_pass_in_the_sandbox() -> None:
    with_tests: list[Tool] = [t for t in BUILTIN_TOOLS if t.tests]
    assert with_tests
    for tool in with_tests:
        result = run_tool_tests(tool).raise_for_error()
        assert all(case["passed"] for case in result.tests), result.tests


def test_send_notification_through_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.policies_sinks import SmtpSink

    with SmtpSink() as sink:
        conn = f"smtp://127.0.0.1:{sink.port}?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=20"
        monkeypatch.setenv("AIRFLOW_CONN_CANVAS_TEST_SMTP", conn + "&from_email=canvas%40example.com")
        out = call("send_notification", notifier="smtp", conn_id="canvas_test_smtp", to=["ops@example.com"],
                   subject="Report ready", message="<b>All good</b>")  # fmt: skip
        assert out == {"sent": True, "notifier": "smtp"}
        [(_, recipients, message)] = sink.messages
    assert recipients == ["ops@example.com"] and message["Subject"] == "Report ready"
    assert "All good" in sink.bodies()[0]
