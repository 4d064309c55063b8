"""The sandbox for code that the API server's machine runs on a user's behalf: tool tests, node
tests, an agent node's tool calls in a node test, the deploy-time import check of a DAG file and
the pip install of a tool's requirements. One place builds the bubblewrap command line.

What a sandboxed run sees (``bwrap`` as built by ``sandbox_view.bwrap_command``):

* read-only: ``/usr`` (and the ``/bin``, ``/lib*``, ``/sbin`` links into it), a handful of files
  from ``/etc`` that Python and TLS need (never ``/etc/shadow``, ``/etc/ssl/private``), a
  generated ``/etc/passwd``, the Python installation and virtualenv of the server, the
  ``airflow_canvas`` package directory (not the rest of its checkout) and the tool's own venv;
* a private ``/tmp`` (tmpfs of ``sandbox_tmp_mb``), which is also ``HOME``;
* not: ``AIRFLOW_HOME``, ``airflow.cfg``, the metadata DB, the DAG and plugin folders, the deploy
  folders, the logs. Those that lie inside a bound directory are covered by an empty tmpfs;
* its own user (``nobody``), PID, IPC, UTS, cgroup and network namespaces: no network at all
  unless the tool declares ``network: true`` (then the host's network, loopback included);
  ``--die-with-parent`` and the PID namespace end every process of the run with it;
* an environment of PATH, HOME, TMPDIR, LANG and the PYTHON* settings it needs, nothing else;
* a wall-clock limit capped by ``sandbox_max_seconds`` and a memory cap for all its processes
  together (``sandbox_limits``).

Where bubblewrap cannot run, runs are refused (:class:`SandboxUnavailable`) unless an admin sets
``[airflow_canvas] sandbox = unsafe-subprocess``: then the same command runs as a plain
subprocess with the minimal environment and the same time/memory/process caps, but it can read
whatever the server's user can read and reach the network.

Airflow workers are not sandboxed here: a ToolOperator is DAG code, which Airflow trusts (see
``execute.py``).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from airflow_canvas.tools.sandbox_limits import WATCH_INTERVAL, Caps, ProcessWatch, RunCgroup, run_cgroup
from airflow_canvas.tools.sandbox_view import MB, bwrap_command, minimal_env

log = logging.getLogger(__name__)

SECTION = "airflow_canvas"
BUBBLEWRAP = "bubblewrap"
UNSAFE_SUBPROCESS = "unsafe-subprocess"
MODES = (BUBBLEWRAP, UNSAFE_SUBPROCESS)
JOIN_FAILED = 121  # exit code of the launcher when it could not join the run's cgroup


class SandboxError(RuntimeError):
    """The sandbox is misconfigured."""


class SandboxUnavailable(SandboxError):
    """Bubblewrap cannot run here: nothing is run (fail closed)."""


@dataclass(frozen=True)
class SandboxConfig:
    mode: str = BUBBLEWRAP
    bwrap: str = "bwrap"
    max_seconds: float = 60.0
    memory_mb: int = 1024
    max_processes: int = 64
    tmp_mb: int = 256
    cgroup: str = ""  # a delegated cgroup v2 directory to create run cgroups in

    def cap_seconds(self, requested: float | None) -> float:
        return min(requested or self.max_seconds, self.max_seconds)

    def cap_memory(self, requested: int | None) -> int:
        return min(requested or self.memory_mb, self.memory_mb)


def load_config() -> SandboxConfig:
    """``[airflow_canvas] sandbox*`` from airflow.cfg or ``AIRFLOW__AIRFLOW_CANVAS__SANDBOX*``."""
    try:
        from airflow.configuration import conf
    except ImportError:  # pragma: no cover - Airflow is a dependency; defaults keep the fail-safe mode
        return SandboxConfig()
    d = SandboxConfig()

    def number(key: str, default: float, kind: type = float) -> Any:
        raw = conf.get(SECTION, key, fallback="") or str(default)
        try:
            value = kind(raw)
        except ValueError:
            raise SandboxError(f"[{SECTION}] {key} must be a number, not {raw!r}") from None
        if value <= 0:
            raise SandboxError(f"[{SECTION}] {key} must be greater than 0, not {raw!r}")
        return value

    mode = (conf.get(SECTION, "sandbox", fallback="") or d.mode).strip().lower()
    if mode not in MODES:
        raise SandboxError(f"[{SECTION}] sandbox must be one of {', '.join(MODES)}, not {mode!r}")
    return SandboxConfig(
        mode=mode,
        bwrap=(conf.get(SECTION, "sandbox_bwrap", fallback="") or d.bwrap).strip(),
        max_seconds=number("sandbox_max_seconds", d.max_seconds),
        memory_mb=number("sandbox_memory_mb", d.memory_mb, int),
        max_processes=number("sandbox_max_processes", d.max_processes, int),
        tmp_mb=number("sandbox_tmp_mb", d.tmp_mb, int),
        cgroup=(conf.get(SECTION, "sandbox_cgroup", fallback="") or "").strip(),
    )


def _unavailable(reason: str) -> SandboxUnavailable:
    return SandboxUnavailable(
        f"Refusing to run code: the bubblewrap sandbox cannot run here ({reason}). Install bubblewrap "
        f"(Debian: apt-get install bubblewrap; `make sandbox`) or point [{SECTION}] sandbox_bwrap "
        f"(AIRFLOW__AIRFLOW_CANVAS__SANDBOX_BWRAP) at it. Only where everyone who may run code here "
        f"may also read this server's files, database and network, set [{SECTION}] sandbox = "
        f"{UNSAFE_SUBPROCESS} (AIRFLOW__AIRFLOW_CANVAS__SANDBOX)."
    )


@dataclass
class SandboxRun:
    """One command to run sandboxed. Host paths keep their place inside; ``{tmp}`` in an ``env``
    value stands for the run's private tmp directory."""

    argv: Sequence[str]
    timeout_seconds: float
    memory_mb: int | None = None  # for all processes of the run together; capped by the config
    python: str = sys.executable  # whose installation must be visible
    readonly: Sequence[Path] = ()
    writable: Sequence[Path] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    network: bool = False
    cap_time: bool = True  # False only for venv builds, which have their own (longer) timeout
    stdin: Any = subprocess.DEVNULL
    stdout: IO[Any] | int | None = None
    stderr: IO[Any] | int | None = None
    pass_fds: Sequence[int] = ()


@dataclass
class Outcome:
    returncode: int | None
    seconds: float
    timeout_seconds: float
    memory_mb: int
    timed_out: bool = False
    memory_exceeded: bool = False
    processes_exceeded: bool = False
    limits: str = ""  # how the whole-run caps were enforced
    setup_error: str = ""  # bubblewrap (or joining the cgroup) failed: the command never ran

    @property
    def killed_by(self) -> signal.Signals | None:
        """The signal that ended the command (bubblewrap reports it as 128 + signal)."""
        code = self.returncode
        with contextlib.suppress(ValueError):
            if code is not None and code < 0:
                return signal.Signals(-code)
            if code is not None and 128 < code < 128 + 65:
                return signal.Signals(code - 128)
        return None


# --- is bubblewrap usable -------------------------------------------------------------------


def find_bwrap(cfg: SandboxConfig) -> str:
    found = shutil.which(cfg.bwrap)
    if not found:
        raise _unavailable(f"{cfg.bwrap!r} was not found")
    return found


# (binary, mtime) pairs that ran a dry run: failures are not remembered, so a fix takes effect at once.
_PROBED: set[tuple[str, float]] = set()


MIN_BWRAP_VERSION = (0, 8)  # --disable-userns, --size for the tmpfs


def _version(bwrap: str) -> tuple[int, ...]:
    try:
        out = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10).stdout
        return tuple(int(part) for part in out.split()[-1].split("."))
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return ()


def _probe(bwrap: str, cfg: SandboxConfig) -> None:
    key = (bwrap, os.stat(bwrap).st_mtime)
    if key in _PROBED:
        return
    version = _version(bwrap)
    if version < MIN_BWRAP_VERSION:
        found = ".".join(map(str, version)) or "an unknown version"
        raise _unavailable(f"{bwrap} is {found}; bubblewrap 0.8 or later is needed")
    with tempfile.TemporaryDirectory(prefix="canvas-sandbox-probe-") as scratch:
        cmd = bwrap_command(bwrap, SandboxRun([sys.executable, "-S", "-c", "pass"], 30), cfg, Path(scratch))
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=_launcher_env())
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise _unavailable(f"{bwrap} did not start: {exc}") from None
    if proc.returncode != 0:
        raise _unavailable(f"{bwrap} failed: {(proc.stderr or proc.stdout).strip()[-500:]}")
    _PROBED.add(key)


def require(cfg: SandboxConfig | None = None) -> SandboxConfig:
    """The config, after checking that its sandbox can run (raises SandboxUnavailable)."""
    cfg = cfg or load_config()
    if cfg.mode == BUBBLEWRAP:
        _probe(find_bwrap(cfg), cfg)
    else:
        _warn_unsafe()
    return cfg


@functools.lru_cache(maxsize=1)
def _warn_unsafe() -> None:
    log.warning(
        "[%s] sandbox = %s: user code runs as a plain subprocess of the API server, which can read "
        "its files and database and reach its network.",
        SECTION,
        UNSAFE_SUBPROCESS,
    )


# --- running --------------------------------------------------------------------------------


def _launcher_env() -> dict[str, str]:
    # bubblewrap clears the environment for the command anyway; it gets no secret of ours either.
    return {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}


def _join_cgroup(group: RunCgroup | None) -> list[str]:
    """A shell that moves itself into the run's cgroup(s), then execs the command: everything the
    command starts is inside from its first instruction."""
    if group is None:
        return []
    script = f'while [ "$1" != -- ]; do echo $$ > "$1" || exit {JOIN_FAILED}; shift; done; shift; exec "$@"'
    return ["/bin/sh", "-c", script, "canvas-sandbox", *group.join_files, "--"]


def run(spec: SandboxRun, cfg: SandboxConfig | None = None) -> Outcome:
    """Run ``spec`` in the configured sandbox and wait for it (raises SandboxUnavailable)."""
    cfg = require(cfg)
    timeout = cfg.cap_seconds(spec.timeout_seconds) if spec.cap_time else spec.timeout_seconds
    memory_mb = cfg.cap_memory(spec.memory_mb)
    caps = Caps(memory_mb * MB, cfg.max_processes)
    bubblewrap = cfg.mode == BUBBLEWRAP
    with tempfile.TemporaryDirectory(prefix="canvas-sandbox-") as scratch_dir:
        scratch = Path(scratch_dir)
        if bubblewrap:
            argv, env, cwd = bwrap_command(find_bwrap(cfg), spec, cfg, scratch), _launcher_env(), scratch
        else:
            tmp = scratch / "tmp"
            tmp.mkdir()
            argv, env, cwd = list(spec.argv), minimal_env(spec, str(tmp)), tmp
        with run_cgroup(caps, cfg.cgroup) as (group, why):
            outcome = _launch(_join_cgroup(group) + argv, spec, env, cwd, timeout, caps, group, bubblewrap)
            outcome.memory_mb = memory_mb
            outcome.limits = group.describe() if group else f"watching the run's processes ({why})"
        if bubblewrap and outcome.returncode == 1 and not outcome.timed_out:
            outcome.setup_error = _bwrap_error(spec)
    return outcome


def _bwrap_error(spec: SandboxRun) -> str:
    """bubblewrap's own complaint (``bwrap: ...``) when it failed before starting the command."""
    err = spec.stderr
    if err is None or isinstance(err, int) or not hasattr(err, "name"):
        return ""
    with contextlib.suppress(OSError):
        text = Path(err.name).read_text(errors="replace").strip()
        if text.startswith("bwrap:"):
            return text.splitlines()[0]
    return ""


def _launch(
    argv: list[str],
    spec: SandboxRun,
    env: dict[str, str],
    cwd: Path,
    timeout: float,
    caps: Caps,
    group: RunCgroup | None,
    bubblewrap: bool,
) -> Outcome:
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, stdin=spec.stdin, stdout=spec.stdout, stderr=spec.stderr, pass_fds=tuple(spec.pass_fds),
        env=env, cwd=cwd, start_new_session=True,
    )  # fmt: skip
    watch = None if group else ProcessWatch(proc.pid, caps, pid_namespace=bubblewrap)
    outcome = Outcome(None, 0.0, timeout, caps.memory_bytes // MB)
    try:
        while True:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=WATCH_INTERVAL)
                break
            if time.monotonic() - started >= timeout:
                outcome.timed_out = True
            elif group is not None and group.memory_exceeded():
                outcome.memory_exceeded = True
            elif watch is not None and watch.check():
                outcome.memory_exceeded = watch.exceeded == "memory"
                outcome.processes_exceeded = watch.exceeded == "processes"
            else:
                continue
            break
    finally:
        _kill(proc, group, watch)
    outcome.returncode = proc.returncode
    outcome.seconds = time.monotonic() - started
    if group is not None and group.memory_exceeded():
        outcome.memory_exceeded = True
    if group is not None and outcome.returncode == JOIN_FAILED:
        outcome.setup_error = "the launcher could not join the run's cgroup"
    return outcome


def _kill(proc: subprocess.Popen[Any], group: RunCgroup | None, watch: ProcessWatch | None) -> None:
    """End everything the run started: bubblewrap (its PID namespace dies with it), the launcher's
    process group, the cgroup's or the watched processes."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    if watch is not None:
        watch.kill()
    if group is not None:
        group.kill()
    proc.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # anything left in the launcher's group (unsafe mode)


def run_python(
    code: str,
    args: Iterable[str] = (),
    *,
    timeout_seconds: float,
    stdin_text: str = "",
    env: Mapping[str, str] | None = None,
    memory_mb: int | None = None,
    cfg: SandboxConfig | None = None,
) -> tuple[Outcome, str, str]:
    """Run ``python -c code args`` sandboxed; returns the outcome, stdout and stderr (tails)."""
    with tempfile.TemporaryDirectory(prefix="canvas-sandbox-io-") as io_dir:
        io = Path(io_dir)
        (io / "stdin").write_text(stdin_text, encoding="utf-8")
        with (
            open(io / "stdin", "rb") as fin,
            open(io / "out", "wb+") as fout,
            open(io / "err", "wb+") as ferr,
        ):
            spec = SandboxRun(
                [sys.executable, "-c", code, *args], timeout_seconds, memory_mb, env=dict(env or {}),
                stdin=fin, stdout=fout, stderr=ferr,
            )  # fmt: skip
            outcome = run(spec, cfg)
        out = (io / "out").read_bytes()[-1_000_000:].decode("utf-8", errors="replace")
        err = (io / "err").read_bytes()[-1_000_000:].decode("utf-8", errors="replace")
    return outcome, out, err
