"""The sandboxed runner: limits are enforced, failures are classified, the caller stays in control."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.runner import (
    RunLimits,
    ToolExecutionError,
    ToolMemoryError,
    ToolTimeoutError,
    run_in_sandbox,
    run_on_worker,
)


def _tool(code: str, **kwargs) -> Tool:
    return Tool(name="t", version="1.0.0", code=code, **kwargs)


def test_runs_code_and_captures_output_streams_and_logs() -> None:
    code = (
        "import logging, sys, os\n"
        "def run(a, b=1):\n"
        "    print('to stdout')\n"
        "    print('to stderr', file=sys.stderr)\n"
        "    logging.getLogger('mytool').warning('a log line')\n"
        "    return {'sum': a + b, 'pid': os.getpid()}\n"
    )
    result = run_in_sandbox(_tool(code, parameters={"b": 10}), {"a": 5})
    assert result.ok, result.error
    assert result.output["sum"] == 15
    assert result.output["pid"] != os.getpid()  # really another process
    assert "to stdout" in result.stdout and "to stderr" in result.stderr
    assert {"level": "WARNING", "logger": "mytool", "message": "a log line"} in result.logs


def test_infinite_loop_is_killed_at_the_time_limit() -> None:
    started = time.monotonic()
    result = run_in_sandbox(
        _tool("def run():\n    while True:\n        pass\n"), limits=RunLimits(timeout_seconds=2)
    )
    elapsed = time.monotonic() - started
    assert isinstance(result.error, ToolTimeoutError)
    assert result.error.kind == "timeout" and "2s" in str(result.error)
    assert elapsed < 10


def _processes_with(token: str) -> list[int]:
    """Host pids whose command line contains ``token``."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and token in Path(f"/proc/{entry}/cmdline").read_bytes().decode(
                errors="replace"
            ):
                found.append(int(entry))
        except OSError:
            continue
    return found


def test_child_processes_die_with_the_tool() -> None:
    # The sandbox shows the tool no host path, so the grandchild is found by a token in its command line.
    token = f"canvas-grandchild-{uuid.uuid4().hex}"
    code = (
        "import subprocess, sys\n"
        "def run():\n"
        f"    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', {token!r}])\n"
        "    while True:\n        pass\n"
    )
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(len(_wait_for(token))))
    thread.start()
    result = run_in_sandbox(_tool(code), limits=RunLimits(timeout_seconds=3))
    thread.join()
    assert isinstance(result.error, ToolTimeoutError)
    assert seen == [1], "the grandchild never started: the check below would prove nothing"
    assert _processes_with(token) == [], "the grandchild survived the kill"


def _wait_for(token: str, seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := _processes_with(token):
            return found
        time.sleep(0.05)
    return []


def test_memory_bomb_is_stopped_and_reported() -> None:
    code = (
        "def run():\n    blocks = []\n    while True:\n        blocks.append(bytearray(50 * 1024 * 1024))\n"
    )
    result = run_in_sandbox(_tool(code), limits=RunLimits(timeout_seconds=30, memory_mb=300))
    assert isinstance(result.error, ToolMemoryError), result.error
    assert "300 MB" in str(result.error)


def test_exception_carries_the_tools_traceback() -> None:
    code = "def helper(x):\n    return 1 / x\n\ndef run(x):\n    return helper(x)\n"
    result = run_in_sandbox(_tool(code), {"x": 0})
    with pytest.raises(ToolExecutionError, match="ZeroDivisionError") as info:
        result.raise_for_error()
    assert "helper" in info.value.traceback and "<tool t@1.0.0>" in info.value.traceback


def test_non_json_output_is_an_error() -> None:
    result = run_in_sandbox(_tool("def run():\n    return object()\n"))
    assert isinstance(result.error, ToolExecutionError)
    assert "JSON serializable" in str(result.error)


def test_missing_entry_point_is_reported() -> None:
    result = run_in_sandbox(_tool("def main():\n    return 1\n"))
    assert isinstance(result.error, ToolExecutionError)
    assert "entry point 'run' is not a function" in str(result.error)


def test_tests_mode_reports_each_case() -> None:
    tool = Tool.model_validate(
        {
            "name": "double",
            "version": "1.0.0",
            "code": "def run(x):\n    return {'y': x * 2}\n",
            "output_schema": {"type": "object", "properties": {"y": {"type": "integer"}}, "required": ["y"]},
            "tests": [
                {"name": "ok", "input": {"x": 2}, "expected": {"y": 4}},
                {"name": "wrong", "input": {"x": 2}, "expected": {"y": 5}},
                {
                    "name": "assert",
                    "input": {"x": 3},
                    "assertions": ["output['y'] == 6", "output['y'] > 100"],
                },
                {"name": "raises", "input": {}},
            ],
        }
    )
    result = run_in_sandbox(tool, mode="tests").raise_for_error()
    by_name = {t["name"]: t for t in result.tests}
    assert by_name["ok"]["passed"]
    assert not by_name["wrong"]["passed"] and "expected" in by_name["wrong"]["failures"][0]
    assert by_name["assert"]["failures"] == ["assertion \"output['y'] > 100\" is false"]
    assert "TypeError" in by_name["raises"]["failures"][0]


def test_caller_stays_responsive_while_a_tool_spins() -> None:
    import threading

    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (
            run_in_sandbox(_tool("def run():\n    while True: pass\n"), limits=RunLimits(3)),
            done.set(),
        )
    )
    thread.start()
    ticks = 0
    started = time.monotonic()
    while not done.is_set() and time.monotonic() - started < 10:
        time.sleep(0.05)
        ticks += 1
    thread.join()
    assert done.is_set() and ticks > 20


def test_huge_output_is_cut_to_its_tail() -> None:
    code = "import sys\ndef run():\n    sys.stdout.write('x' * 3_000_000 + 'END')\n    return 1\n"
    result = run_in_sandbox(_tool(code)).raise_for_error()
    assert result.output == 1
    assert result.stdout.endswith("END") and len(result.stdout) < 1_100_000
    assert result.stdout.startswith("[... ")


def _set_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql://u:pw@db/airflow")
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD", "cat /secret")
    monkeypatch.setenv("AIRFLOW__CORE__FERNET_KEY", "fernet")
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", "redis://broker")
    monkeypatch.setenv("CANVAS_HARMLESS_SETTING", "kept")


_LIST_ENV = (
    "import os\ndef run():\n    return sorted(k for k in os.environ if 'AIRFLOW' in k or 'CANVAS' in k)\n"
)


def test_sandboxed_child_gets_no_environment_of_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    # Was: the child saw every variable but a few known Airflow secrets. Now the sandbox starts from
    # an empty environment: no server setting of any name reaches user code.
    _set_secrets(monkeypatch)
    result = run_in_sandbox(_tool(_LIST_ENV), {})
    assert result.ok, result.error
    assert result.output == []


def test_worker_child_sees_no_metadata_db_or_signing_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker's venv tool is a trusted Airflow task: it keeps the worker's environment, minus the
    # settings that reach the metadata DB or sign tokens, which no task needs.
    _set_secrets(monkeypatch)
    result = run_on_worker(_tool(_LIST_ENV), {})
    assert result.ok, result.error
    leaked = [k for k in result.output if "SQL_ALCHEMY" in k or "FERNET" in k or "BROKER" in k or "JWT" in k]
    assert leaked == []
    assert "CANVAS_HARMLESS_SETTING" in result.output
