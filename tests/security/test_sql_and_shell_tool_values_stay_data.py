"""SQL and shell tools take values as data, never as code: in the sandbox (tool tests) a value
holding ``$(...)``, ``;`` or backticks reaches a shell tool only through INPUT_* and stdin and runs
nothing; a SQL injection attempt is one bound value; a shell tool sees no server secret and cannot
read AIRFLOW_HOME; and a SQL tool's test on a connection never runs without the caller's gate."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.tool_tests import run_tests

HOSTILE = ["$(id)", "`id`", "x; id", "x && id", "x' ; id ; '", '"; id; "', "$(cat /etc/passwd)", "\n id"]


def _tool(**fields: object) -> Tool:
    return Tool.model_validate({"name": "probe", "version": "1.0.0", **fields})


def test_shell_metacharacters_stay_data_in_the_sandbox() -> None:
    # The value goes back hex-encoded (od), so what bash received is compared byte for byte.
    code = (
        'printf \'{"env": "%s", "stdin": %s}\' '
        '"$(printf \'%s\' "$INPUT_V" | od -An -tx1 | tr -d \' \\n\')" "$(cat)"'
    )
    tool = _tool(
        language="shell", code=code, tests=[{"name": value, "input": {"v": value}} for value in HOSTILE]
    )
    result = run_tests(tool)
    assert result.error is None, result.error
    for value, case in zip(HOSTILE, result.tests or [], strict=True):
        assert case["error"] is None, case
        assert bytes.fromhex(case["actual"]["env"]).decode() == value
        assert case["actual"]["stdin"] == {"v": value}
        assert "uid=" not in json.dumps(case["actual"])


def test_shell_tool_sees_no_server_secret_or_airflow_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    home = Path(__import__("os").environ.get("AIRFLOW_HOME", str(tmp_path)))
    tool = _tool(language="shell", code=f'env; cat "{home}/airflow.cfg" 2>&1; true',
                 tests=[{"input": {}}])  # fmt: skip
    case = (run_tests(tool).tests or [])[0]
    out = case["actual"]["stdout"]
    assert secret not in out and "AIRFLOW_HOME" not in out and "sql_alchemy_conn" not in out


def test_sql_injection_is_one_bound_value() -> None:
    fixtures = [
        "CREATE TABLE users (name TEXT, secret TEXT)",
        "INSERT INTO users VALUES ('ada', 'a'), ('bob', 'b')",
    ]
    attempts = ["ada' OR '1'='1", "ada'; DROP TABLE users; --", "x' UNION SELECT secret, name FROM users --"]
    tool = _tool(language="sql", connection_type="sqlite", code="SELECT name FROM users WHERE name = :name",
                 tests=[{"name": a, "input": {"name": a}, "fixtures": fixtures, "expected": []} for a in attempts]
                 + [{"name": "still there", "input": {"name": "bob"}, "fixtures": fixtures,
                     "expected": [{"name": "bob"}]}])  # fmt: skip
    result = run_tests(tool)
    assert result.error is None and all(c["passed"] for c in result.tests or []), result.tests


def test_connection_case_without_a_gate_never_connects(monkeypatch: pytest.MonkeyPatch) -> None:
    import airflow_canvas.tools.sql_tool as sql_tool

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was opened without the gate's leave")

    monkeypatch.setattr(sql_tool, "run_rolled_back", forbidden)
    tool = _tool(language="sql", connection_type="sqlite", code="SELECT 1 AS one",
                 tests=[{"kind": "integration", "connection": "warehouse", "input": {}}])  # fmt: skip
    for gate in (None, lambda conn_id: f"{conn_id} is not yours"):
        case = (run_tests(tool, connection_gate=gate).tests or [])[0]
        assert case["passed"] is False and case["error"]["type"] == "ConnectionRefused"
