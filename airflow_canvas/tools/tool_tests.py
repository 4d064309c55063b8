"""Where each kind of tool test runs, and one result for all of them.

* unit and performance cases: in the sandbox, offline (even a tool that declares ``network``), in
  one sandboxed process;
* integration cases: in the sandbox against their ``fixtures``/``files``, with the network only
  when the tool declares ``network``; in a second sandboxed process, so unit cases stay offline;
* integration cases of a SQL tool that name a ``connection``: the sandbox cannot reach a database
  (nor hold its secret), so they run here, on the API server, through the connection's hook, in a
  transaction that is always rolled back (``sql_tool.run_rolled_back``). Only with a
  ``connection_gate`` from the caller, which says whether the user may use that connection; without
  one (or when it refuses) the case fails with the reason and nothing runs. Errors are reported
  with the connection's secrets blanked out and without a traceback.

Each case's result: ``index, name, kind, passed, failures, duration_ms, actual (= output), error``
(an object with type and message, or null), ``time_budget_ms`` and ``required``, in the order
the tool lists its tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from airflow_canvas.spec.models import SQL_CONN_ID, Tool, ToolTest
from airflow_canvas.tools.runner import RunLimits, RunResult, run_tool_tests

# conn_id -> None when the user may use the connection, else the reason they may not.
ConnectionGate = Callable[[str], str | None]


def on_connection(tool: Tool, case: ToolTest) -> bool:
    return tool.language == "sql" and case.kind == "integration" and bool(case.connection)


def blocks_publish(case: dict[str, Any]) -> bool:
    """Whether a failed case stops a publish: every failure but an optional performance budget."""
    return not case.get("passed") and (case.get("kind") != "performance" or bool(case.get("required")))


def run_tests(
    tool: Tool,
    limits: RunLimits | None = None,
    *,
    connection_gate: ConnectionGate | None = None,
    kinds: Iterable[str] | None = None,
) -> RunResult:
    """Run the tool's test cases (of ``kinds``, all when None) each where its kind runs."""
    wanted = set(kinds) if kinds is not None else None
    offline: list[int] = []
    networked: list[int] = []
    connected: list[int] = []
    for index, case in enumerate(tool.tests):
        if wanted is not None and case.kind not in wanted:
            continue
        if on_connection(tool, case):
            connected.append(index)
        elif case.kind == "integration":
            networked.append(index)
        else:
            offline.append(index)
    combined = RunResult(tool=tool.ref, tests=[])
    started = time.monotonic()
    for cases, network in ((offline, False), (networked, True)):
        if not cases:
            continue
        result = run_tool_tests(tool, limits, cases=cases, network=network)
        combined.stdout += result.stdout
        combined.stderr += result.stderr
        combined.logs += result.logs
        combined.venv = combined.venv or result.venv
        if result.error is not None:
            combined.error = combined.error or result.error
            continue
        combined.tests = [*(combined.tests or []), *(result.tests or [])]
    timeout = (limits or RunLimits()).timeout_seconds
    for index in connected:
        assert combined.tests is not None
        combined.tests.append(_connection_case(tool, index, connection_gate, timeout))
    combined.duration = time.monotonic() - started
    if combined.error is not None:
        combined.tests = None
    else:
        combined.tests = sorted(combined.tests or [], key=lambda t: t["index"])
    return combined


def _connection_case(
    tool: Tool, index: int, gate: ConnectionGate | None, timeout_seconds: float
) -> dict[str, Any]:
    from airflow_canvas.runtime.core import schema_problems
    from airflow_canvas.tools.sql_tool import run_rolled_back

    case = tool.tests[index]
    conn_id = case.connection or ""
    result: dict[str, Any] = {
        "index": index, "name": case.name or f"test {index + 1}", "kind": case.kind, "passed": False,
        "failures": [], "output": None, "actual": None, "error": None, "duration": 0.0, "duration_ms": 0.0,
        "time_budget_ms": case.time_budget_ms, "required": case.required, "connection": conn_id,
    }  # fmt: skip
    refused = "tests on a connection run only through the API" if gate is None else gate(conn_id)
    if refused:
        result["error"] = {"type": "ConnectionRefused", "message": refused}
        result["failures"].append(f"not run on connection {conn_id!r}: {refused}")
        return result
    result["failures"] += [f"input {p}" for p in schema_problems(case.input, tool.input_schema)]
    started = time.perf_counter()
    try:
        output = run_rolled_back(tool, conn_id, case.input, case.fixtures, timeout_seconds=timeout_seconds)
    except Exception as exc:  # noqa: BLE001 - the case's failure, reported like a sandboxed one
        message = _redacted(str(exc), conn_id)
        result["error"] = {"type": type(exc).__name__, "message": message}
        result["failures"].append(f"raised {type(exc).__name__}: {message}")
    else:
        result["output"] = result["actual"] = output
        result["failures"] += [f"output {p}" for p in schema_problems(output, tool.output_schema)]
        if case.expected is not None and output != case.expected:
            result["failures"].append(f"expected {case.expected!r}, got {output!r}")
        if case.assertions:
            result["failures"] += _sandboxed_assertions(tool, index, output, timeout_seconds)
    result["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    result["duration"] = result["duration_ms"] / 1000
    result["passed"] = not result["failures"]
    return result


def run_sql_on_connection(
    tool: Tool, arguments: dict[str, Any], gate: ConnectionGate, timeout_seconds: float
) -> Any:
    """A SQL tool node's test on its ``conn_id`` (node_test.py): only when the gate allows it, in a
    transaction that is rolled back, its error without the connection's secrets."""
    from airflow_canvas.tools.sql_tool import SqlToolError, run_rolled_back

    conn_id = str(arguments.get(SQL_CONN_ID) or "")
    refused = gate(conn_id)
    if refused:
        raise SqlToolError(f"not run on connection {conn_id!r}: {refused}")
    try:
        return run_rolled_back(tool, conn_id, arguments, timeout_seconds=timeout_seconds)
    except Exception as exc:  # noqa: BLE001 - reported like a sandboxed run's failure, redacted
        raise SqlToolError(f"{type(exc).__name__}: {_redacted(str(exc), conn_id)}") from None


def _sandboxed_assertions(tool: Tool, index: int, output: Any, timeout_seconds: float) -> list[str]:
    """The case's assertions are user code: evaluated in the sandbox, like every other case's,
    on the output the connection returned."""
    from airflow_canvas.tools.runner import run_in_sandbox

    run = run_in_sandbox(
        tool, {"output": output}, mode="assertions", cases=[index], network=False,
        limits=RunLimits(timeout_seconds=min(timeout_seconds, 30.0)),
    )  # fmt: skip
    if run.error is not None:
        return [f"assertions could not run: {run.error}"]
    return list(run.output or [])


def _redacted(message: str, conn_id: str) -> str:
    """The message without the connection's password, extra values or URI."""
    try:
        from airflow_canvas.tools.sql_tool import get_connection

        conn = get_connection(conn_id, on_server=True)
        secrets = [conn.password or "", conn.get_uri()]
        extra = conn.extra_dejson if isinstance(conn.extra_dejson, dict) else {}
        secrets += [str(v) for v in extra.values() if isinstance(v, str) and len(v) >= 4]
    except Exception:  # noqa: BLE001 - nothing known to blank out; the message stays short
        return message[:500]
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        message = message.replace(secret, "***")
    return message[:500]
