"""Shell tools (``Tool.language == "shell"``): ``code`` is a bash script.

The contract, the same in the sandbox (tests, node tests: ``sandbox_child`` runs it inside
bubblewrap) and on a worker (ToolOperator, ``execute.py``: a plain subprocess, as for any
BashOperator):

* the script is passed to ``bash -c`` unchanged; argument values never become part of its text;
* each argument whose name is a shell identifier arrives as ``INPUT_<NAME>`` (upper-cased; text as
  is, anything else as JSON), and all arguments arrive as one JSON object on stdin, so a value
  holding ``$(...)``, ``;`` or backticks stays data unless the script itself evals it;
* stdout is the output: parsed as JSON when it is JSON, else ``{"stdout": ..., "exit_code": 0}``;
* a non-zero exit is an error (``ShellToolError``) carrying the exit code and the tail of stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from typing import Any

STDERR_TAIL = 2000  # characters of stderr an error message carries
MAX_OUTPUT_BYTES = 16 * 1024 * 1024  # stdout read back; more is an error, not a silent cut
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ShellToolError(RuntimeError):
    def __init__(self, message: str, *, exit_code: int | None = None, stderr: str = ""):
        self.exit_code = exit_code
        self.stderr = stderr
        super().__init__(message)


def find_bash() -> str | None:
    """The bash a shell tool runs with, or None where there is none."""
    found = shutil.which("bash")
    if found:
        return found
    return "/bin/bash" if os.access("/bin/bash", os.X_OK) else None


def input_env(arguments: Mapping[str, Any]) -> dict[str, str]:
    """``INPUT_<NAME>`` for each argument whose name can be an environment variable name."""
    env = {}
    for name, value in arguments.items():
        if not _ENV_NAME.fullmatch(name):
            continue  # still on stdin
        text = value if isinstance(value, str) else json.dumps(value)
        env[f"INPUT_{name.upper()}"] = text.replace("\x00", "")  # the one byte an env value cannot hold
    return env


def parse_output(stdout: str, exit_code: int = 0) -> Any:
    text = stdout.strip()
    if text:
        with contextlib.suppress(ValueError):
            return json.loads(text)
    return {"stdout": stdout, "exit_code": exit_code}


def run_shell(
    code: str,
    arguments: Mapping[str, Any],
    *,
    base_env: Mapping[str, str],
    cwd: str | None = None,
    timeout_seconds: float | None = None,
    ref: str = "shell tool",
) -> Any:
    """Run the script once on ``arguments``; its output (see the module docstring)."""
    bash = find_bash()
    if bash is None:
        raise ShellToolError(f"{ref}: bash is not installed here, and shell tools run with bash")
    env = {**base_env, **input_env(arguments)}
    stdin = json.dumps(dict(arguments))
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryFile() as fin,
    ):
        fin.write(stdin.encode("utf-8"))
        fin.seek(0)
        # "--" ends bash's options; $0 is a fixed name, so nothing of the call reaches argv either.
        proc = subprocess.Popen(
            [bash, "--noprofile", "--norc", "-c", code, "canvas-tool"],
            stdin=fin, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True,
        )  # fmt: skip
        timed_out = False
        try:
            proc.wait(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # what the script left running in the background too
        proc.wait()
        size = out.seek(0, 2)
        if size > MAX_OUTPUT_BYTES:
            raise ShellToolError(f"{ref} wrote {size} bytes to stdout; at most {MAX_OUTPUT_BYTES} are read")
        out.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
        err_size = err.seek(0, 2)
        err.seek(max(0, err_size - 4 * STDERR_TAIL))
        stderr = err.read().decode("utf-8", errors="replace")[-STDERR_TAIL:]
    if timed_out:
        raise ShellToolError(f"{ref} was killed after {timeout_seconds:g}s (time limit)", stderr=stderr)
    if proc.returncode != 0:
        tail = stderr.strip() or "(no stderr)"
        raise ShellToolError(
            f"{ref} exited with code {proc.returncode}: {tail}", exit_code=proc.returncode, stderr=stderr
        )
    return parse_output(stdout, proc.returncode)
