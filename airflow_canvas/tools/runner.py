"""Run tool code in a sandboxed subprocess: a wall-clock limit, an address-space limit, captured
stdout/stderr/logs, JSON in and out. The caller (the API server, a worker) never executes the tool
in its own process, so an infinite loop or a memory bomb costs it nothing but a wait bounded by
the time limit; the child runs in its own session and the whole group is killed on timeout.

Tools with pip dependencies run with the cached venv's interpreter (see venvs.py), the others with
the current interpreter.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.venvs import Venv, ensure_venv

DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MEMORY_MB = 1024
MAX_STREAM_BYTES = 1024 * 1024  # the tail of stdout/stderr kept per run
# Settings that reach the metadata DB, the broker, or let a process mint tokens and decrypt
# connections: tool code never needs them, and the API server runs node tests with this env too.
_DROPPED_ENV_PARTS = (
    "SQL_ALCHEMY_CONN",
    "FERNET_KEY",
    "SECRET_KEY",
    "JWT_SECRET",
    "BROKER_URL",
    "RESULT_BACKEND",
)


@dataclass(frozen=True)
class RunLimits:
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    memory_mb: int | None = DEFAULT_MEMORY_MB  # None: no limit


class ToolRunError(RuntimeError):
    """A sandboxed run did not produce a result. ``kind`` is stable for the API and the UI."""

    kind = "error"

    def __init__(self, message: str, *, tool: str = "", traceback: str = "", stderr: str = ""):
        self.tool = tool
        self.traceback = traceback
        self.stderr = stderr
        super().__init__(message)

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": str(self), "tool": self.tool, "traceback": self.traceback}


class ToolTimeoutError(ToolRunError):
    kind = "timeout"


class ToolMemoryError(ToolRunError):
    kind = "memory"


class ToolExecutionError(ToolRunError):
    """The tool raised; ``traceback`` is the tool's own."""

    kind = "exception"


class ToolCrashError(ToolRunError):
    """The child died without reporting (a signal, a hard exit, a broken interpreter)."""

    kind = "crash"


@dataclass
class RunResult:
    tool: str
    output: Any = None
    tests: list[dict[str, Any]] | None = None
    error: ToolRunError | None = None
    stdout: str = ""
    stderr: str = ""
    logs: list[dict[str, Any]] = field(default_factory=list)
    duration: float = 0.0
    venv: Venv | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def raise_for_error(self) -> RunResult:
        if self.error is not None:
            raise self.error
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "output": self.output,
            "tests": self.tests,
            "error": self.error.to_dict() if self.error else None,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "logs": self.logs,
            "duration": self.duration,
            "venv": str(self.venv.path) if self.venv else None,
        }


def _is_secret_setting(key: str) -> bool:
    if not key.startswith("AIRFLOW__"):
        return False
    # *_CMD and *_SECRET variants name commands/backends that yield the same secrets.
    return any(part in key for part in _DROPPED_ENV_PARTS) or key.endswith(("_CMD", "_SECRET"))


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not _is_secret_setting(k)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def interpreter_for(tool: Tool) -> tuple[str, Venv | None]:
    if tool.dependencies:
        venv = ensure_venv(tool.dependencies)
        return str(venv.python), venv
    return sys.executable, None


def run_in_sandbox(
    tool: Tool,
    inputs: Mapping[str, Any] | None = None,
    *,
    parameters: Mapping[str, Any] | None = None,
    mode: str = "call",
    limits: RunLimits | None = None,
) -> RunResult:
    """Run ``tool`` once on ``inputs`` (mode "call") or run its tests (mode "tests")."""
    limits = limits or RunLimits()
    started = time.monotonic()
    python, venv = interpreter_for(tool)
    with tempfile.TemporaryDirectory(prefix="canvas-tool-") as tmp:
        request, result_path = Path(tmp) / "request.json", Path(tmp) / "result.json"
        payload = {"tool": tool.model_dump(mode="json"), "mode": mode, "inputs": dict(inputs or {}),
                   "parameters": dict(parameters or {})}  # fmt: skip
        request.write_text(json.dumps(payload), encoding="utf-8")
        out_path, err_path = Path(tmp) / "stdout.txt", Path(tmp) / "stderr.txt"
        # Streams go to files, not pipes: a chatty tool cannot fill the caller's memory (only the
        # tail is read back) and a grandchild holding a pipe open cannot stall the wait.
        with open(out_path, "wb") as out_fh, open(err_path, "wb") as err_fh:
            proc = subprocess.Popen(
                # The child limits its own memory first thing: a preexec_fn is not safe in a threaded
                # caller such as the API server, and the hard limit it sets cannot be raised again.
                [
                    python,
                    "-m",
                    "airflow_canvas.tools.sandbox_child",
                    str(request),
                    str(result_path),
                    str(limits.memory_mb or 0),
                ],  # fmt: skip
                stdin=subprocess.DEVNULL,
                stdout=out_fh,
                stderr=err_fh,
                cwd=tmp,
                env=_child_env(),
                start_new_session=True,  # its own process group: killpg reaches anything it spawned
            )
            timed_out = False
            try:
                proc.wait(timeout=limits.timeout_seconds)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(proc)
                proc.wait()
            _kill_group(proc)  # reap grandchildren the tool may have left behind
        stdout, stderr = _tail(out_path), _tail(err_path)
        report = _read_report(result_path)
    result = RunResult(tool=tool.ref, stdout=stdout, stderr=stderr, venv=venv)
    result.duration = time.monotonic() - started
    result.logs = list(report.get("logs") or []) if report else []
    result.error = _classify(tool, limits, timed_out, proc.returncode, report, stderr)
    if result.error is None and report is not None:
        result.output = report.get("output")
        result.tests = report.get("tests")
    return result


def _tail(path: Path) -> str:
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(max(0, size - MAX_STREAM_BYTES))
        data = fh.read()
    text = data.decode("utf-8", errors="replace")
    return f"[... {size - MAX_STREAM_BYTES} bytes cut ...]\n{text}" if size > MAX_STREAM_BYTES else text


def _read_report(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _classify(
    tool: Tool,
    limits: RunLimits,
    timed_out: bool,
    returncode: int | None,
    report: dict[str, Any] | None,
    stderr: str,
) -> ToolRunError | None:
    ref = tool.ref
    if timed_out:
        return ToolTimeoutError(
            f"Tool {ref} was killed after {limits.timeout_seconds:g}s (time limit)", tool=ref, stderr=stderr
        )
    error = (report or {}).get("error") if report else None
    if report is not None and report.get("ok"):
        return None
    if (error and error.get("type") == "MemoryError") or (not report and "MemoryError" in stderr):
        return ToolMemoryError(
            f"Tool {ref} ran out of memory (limit {limits.memory_mb} MB) and was stopped",
            tool=ref,
            stderr=stderr,
        )
    if error:
        return ToolExecutionError(
            f"Tool {ref} raised {error.get('type')}: {error.get('message')}",
            tool=ref,
            traceback=error.get("traceback", ""),
            stderr=stderr,
        )
    if returncode is not None and returncode < 0:
        name = signal.Signals(-returncode).name
        kind = ToolMemoryError if -returncode == signal.SIGKILL and limits.memory_mb else ToolCrashError
        return kind(f"Tool {ref} was killed by {name}", tool=ref, stderr=stderr)
    return ToolCrashError(
        f"Tool {ref} exited with code {returncode} without a result: {stderr.strip()[-500:]}",
        tool=ref,
        stderr=stderr,
    )


def run_tool_tests(tool: Tool, limits: RunLimits | None = None) -> RunResult:
    """Run every test case of ``tool`` in one sandboxed process."""
    return run_in_sandbox(tool, mode="tests", limits=limits)
