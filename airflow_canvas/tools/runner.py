"""Run tool code in a child process: JSON in and out, captured stdout/stderr/logs, a wall-clock
limit, an address-space limit. The caller never executes the tool in its own process, so an
infinite loop or a memory bomb costs it nothing but a wait bounded by the time limit.

Two callers, two trust levels, kept apart on purpose:

* :func:`run_in_sandbox` is for code a *user* asks the API server's machine to run (tool tests,
  node tests, an agent's tool calls in a node test). It is untrusted: it runs in the bubblewrap
  sandbox of ``sandbox.py`` (no server files, secrets or network; caps from ``[airflow_canvas]``
  config that a spec cannot raise). Without a usable sandbox nothing runs.
* :func:`run_on_worker` is for an Airflow task (ToolOperator, AgentOperator) on a worker, where
  Airflow already trusts DAG code: a plain subprocess whose only jobs are the tool's cached venv and
  keeping a runaway tool from taking the task down.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools import sandbox
from airflow_canvas.tools.venvs import Venv, ensure_venv

DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MEMORY_MB = 1024
MAX_STREAM_BYTES = 1024 * 1024  # the tail of stdout/stderr kept per run
MAX_FILE_MB = 64  # RLIMIT_FSIZE in the sandbox: stdout, stderr and the result are host files
# Settings that reach the metadata DB, the broker, or let a process mint tokens and decrypt
# connections: a tool task on a worker never needs them (sandboxed runs get no environment at all).
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


class ToolSandboxError(ToolRunError):
    """Nothing ran: the sandbox is unavailable or misconfigured (the message says which setting)."""

    kind = "sandbox"


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


def worker_env() -> dict[str, str]:
    """The environment of a tool process on a worker: the worker's, without Airflow's secrets."""
    env = {k: v for k, v in os.environ.items() if not _is_secret_setting(k)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def interpreter_for(tool: Tool, *, sandboxed: bool = False) -> tuple[str, Venv | None]:
    if tool.dependencies:
        venv = ensure_venv(tool.dependencies, sandboxed=sandboxed)
        return str(venv.python), venv
    return sys.executable, None


@dataclass
class _Run:
    """What one launch of the child reported back, whoever launched it."""

    returncode: int | None
    timed_out: bool = False
    memory_exceeded: bool = False
    processes_exceeded: bool = False
    signal: signal.Signals | None = None
    setup_error: str = ""


_Launch = Callable[[list[str], tuple[int, int], BinaryIO, BinaryIO], _Run]


def run_in_sandbox(
    tool: Tool,
    inputs: Mapping[str, Any] | None = None,
    *,
    parameters: Mapping[str, Any] | None = None,
    mode: str = "call",
    limits: RunLimits | None = None,
    cases: list[int] | None = None,
    network: bool | None = None,
) -> RunResult:
    """Run ``tool`` once on ``inputs`` (mode "call") or run its tests (mode "tests"; only the
    test ``cases`` by index when given; ``network`` False keeps even a networked tool offline) as untrusted
    code: what the API server's machine runs for a user (tool tests, node tests). It runs in the
    bubblewrap sandbox (sandbox.py), its time and memory capped by ``[airflow_canvas]
    sandbox_max_seconds`` and ``sandbox_memory_mb`` whatever the spec asks; where the sandbox
    cannot run, nothing runs and the result's error (kind "sandbox") says why."""
    requested = limits or RunLimits()
    try:
        cfg = sandbox.require()
    except sandbox.SandboxError as exc:
        return RunResult(tool=tool.ref, error=ToolSandboxError(str(exc), tool=tool.ref))
    limits = RunLimits(cfg.cap_seconds(requested.timeout_seconds), cfg.cap_memory(requested.memory_mb))
    note = ""
    if requested.timeout_seconds > limits.timeout_seconds:
        note = (
            f"; {requested.timeout_seconds:g}s were asked for, [{sandbox.SECTION}] sandbox_max_seconds "
            f"caps sandboxed runs at {limits.timeout_seconds:g}s"
        )
    python, venv = interpreter_for(tool, sandboxed=True)

    def launch(argv: list[str], fds: tuple[int, int], out: BinaryIO, err: BinaryIO) -> _Run:
        spec = sandbox.SandboxRun(
            argv, limits.timeout_seconds, limits.memory_mb, python=python,
            readonly=[venv.path] if venv else [], network=tool.network and network is not False,
            stdout=out, stderr=err, pass_fds=fds,
        )  # fmt: skip
        try:
            o = sandbox.run(spec, cfg)
        except sandbox.SandboxError as exc:
            return _Run(None, setup_error=str(exc))
        return _Run(
            o.returncode, o.timed_out, o.memory_exceeded, o.processes_exceeded, o.killed_by, o.setup_error
        )

    return _run(
        tool, inputs, parameters, mode, limits, python, venv, launch, sandboxed=True, note=note, cases=cases
    )


def run_on_worker(
    tool: Tool,
    inputs: Mapping[str, Any] | None = None,
    *,
    parameters: Mapping[str, Any] | None = None,
    limits: RunLimits | None = None,
) -> RunResult:
    """Run ``tool`` for an Airflow task (ToolOperator, AgentOperator) on a worker. A task is DAG
    code, which Airflow trusts: it runs with the worker's files and network like any operator. The
    subprocess only gives a tool with pip dependencies its own venv, and the limits (time,
    ``RLIMIT_AS``) protect the task from a runaway tool; it is *not* the API server's sandbox."""
    limits = limits or RunLimits()
    python, venv = interpreter_for(tool)

    def launch(argv: list[str], fds: tuple[int, int], out: BinaryIO, err: BinaryIO) -> _Run:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, pass_fds=fds, env=worker_env(),
            start_new_session=True,  # its own process group: killpg reaches anything it spawned
        )  # fmt: skip
        timed_out = False
        try:
            proc.wait(timeout=limits.timeout_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill_group(proc)  # the tool's group, also grandchildren it left behind
        proc.wait()
        code = proc.returncode
        return _Run(code, timed_out, signal=signal.Signals(-code) if code is not None and code < 0 else None)

    return _run(tool, inputs, parameters, "call", limits, python, venv, launch, sandboxed=False)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _run(
    tool: Tool,
    inputs: Mapping[str, Any] | None,
    parameters: Mapping[str, Any] | None,
    mode: str,
    limits: RunLimits,
    python: str,
    venv: Venv | None,
    launch: _Launch,
    *,
    sandboxed: bool,
    note: str = "",
    cases: list[int] | None = None,
) -> RunResult:
    started = time.monotonic()
    payload = {"tool": tool.model_dump(mode="json"), "mode": mode, "inputs": dict(inputs or {}),
               "parameters": dict(parameters or {}), "cases": cases}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="canvas-tool-") as tmp:
        request, result_path = Path(tmp) / "request.json", Path(tmp) / "result.json"
        request.write_text(json.dumps(payload), encoding="utf-8")
        out_path, err_path = Path(tmp) / "stdout.txt", Path(tmp) / "stderr.txt"
        # Request and result travel through inherited file descriptors, so the child needs no path
        # on the host. Streams go to files, not pipes: a chatty tool cannot fill the caller's memory
        # (only the tail is read back) and a grandchild holding a pipe open cannot stall the wait.
        with (
            open(request, "rb") as req_fh, open(result_path, "wb") as res_fh,
            open(out_path, "wb") as out_fh, open(err_path, "wb") as err_fh,
        ):  # fmt: skip
            fds = (req_fh.fileno(), res_fh.fileno())
            # The child limits its own memory first thing: a preexec_fn is not safe in a threaded
            # caller such as the API server, and the hard limit it sets cannot be raised again.
            argv = [python, "-m", "airflow_canvas.tools.sandbox_child", f"fd:{fds[0]}", f"fd:{fds[1]}",
                    str(limits.memory_mb or 0), str(MAX_FILE_MB if sandboxed else 0)]  # fmt: skip
            launched = launch(argv, fds, out_fh, err_fh)
        stdout, stderr = _tail(out_path), _tail(err_path)
        report = _read_report(result_path)
    result = RunResult(tool=tool.ref, stdout=stdout, stderr=stderr, venv=venv)
    result.duration = time.monotonic() - started
    result.logs = list(report.get("logs") or []) if report else []
    result.error = _classify(tool, limits, launched, report, stderr, note)
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
    tool: Tool, limits: RunLimits, run: _Run, report: dict[str, Any] | None, stderr: str, note: str = ""
) -> ToolRunError | None:
    ref = tool.ref
    if run.setup_error:
        return ToolSandboxError(f"Tool {ref} was not run: {run.setup_error}", tool=ref, stderr=stderr)
    if run.timed_out:
        return ToolTimeoutError(
            f"Tool {ref} was killed after {limits.timeout_seconds:g}s (time limit{note})",
            tool=ref,
            stderr=stderr,
        )
    if run.memory_exceeded:
        return ToolMemoryError(
            f"Tool {ref} was stopped at the memory cap ({limits.memory_mb} MB for all its processes together)",
            tool=ref,
            stderr=stderr,
        )
    if run.processes_exceeded:
        return ToolCrashError(
            f"Tool {ref} was stopped: it started too many processes", tool=ref, stderr=stderr
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
    if run.signal is not None:
        kind = ToolMemoryError if run.signal == signal.SIGKILL and limits.memory_mb else ToolCrashError
        return kind(f"Tool {ref} was killed by {run.signal.name}", tool=ref, stderr=stderr)
    return ToolCrashError(
        f"Tool {ref} exited with code {run.returncode} without a result: {stderr.strip()[-500:]}",
        tool=ref,
        stderr=stderr,
    )


def run_tool_tests(
    tool: Tool,
    limits: RunLimits | None = None,
    *,
    cases: list[int] | None = None,
    network: bool | None = None,
) -> RunResult:
    """Run the test cases of ``tool`` (all, or the ``cases`` by index) in one sandboxed process.
    Each result carries kind, passed, failures, duration_ms, actual (the output) and error.
    ``tool_tests.run_tests`` is what routes each kind where it runs."""
    return run_in_sandbox(tool, mode="tests", limits=limits, cases=cases, network=network)
