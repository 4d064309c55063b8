"""Whole-run limits for the sandbox: memory and process count over *every* process of one run.

``RLIMIT_AS`` bounds one process; a run that forks gets one allowance per process. The run's limits
therefore go on a cgroup made for that run, which the launcher joins before it execs bubblewrap,
so everything the tool starts is inside it:

* cgroup v2: a child of ``[airflow_canvas] sandbox_cgroup`` (a delegated cgroup, e.g. a systemd
  ``Delegate=yes`` slice) or of the server's own cgroup when that already delegates ``memory`` and
  ``pids`` to its children; ``memory.max``, ``memory.swap.max = 0``, ``memory.oom.group = 1`` (an
  OOM kills the whole run), ``pids.max``.
* cgroup v1 (hybrid hosts): children of the server's own ``memory`` and ``pids`` cgroups;
  ``memory.limit_in_bytes`` (and ``memsw``, so swap is no way around it), ``pids.max``.
  Nested under the server's cgroup, so whatever limits the server has still apply.

Where no cgroup can be made (read-only ``/sys/fs/cgroup``, v2 without delegation), a watcher in the
caller polls the run's processes every ``WATCH_INTERVAL`` seconds and kills the whole run when their
summed resident memory or their number passes the cap: the cap holds up to what a run can allocate
or fork in one interval (each process is still bounded by ``RLIMIT_AS``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

WATCH_INTERVAL = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")
_GROUP_PREFIX = "airflow-canvas-sandbox"


@dataclass
class Caps:
    memory_bytes: int
    max_processes: int


@dataclass
class RunCgroup:
    """The cgroup directories of one run (one per v1 hierarchy, or one v2 directory)."""

    version: int
    dirs: list[Path] = field(default_factory=list)

    @property
    def join_files(self) -> list[str]:
        """Files the launcher writes its own pid into before it execs bubblewrap."""
        return [str(d / "cgroup.procs") for d in self.dirs]

    def describe(self) -> str:
        return f"cgroup v{self.version} ({', '.join(str(d) for d in self.dirs)})"

    def memory_exceeded(self) -> bool:
        """Whether the kernel OOM-killed a process of this run (it reached the memory cap)."""
        for d in self.dirs:
            for name in ("memory.events", "memory.oom_control"):  # v2, v1
                counts = _counters(d / name)
                if counts.get("oom_kill", 0) > 0 or counts.get("oom_group_kill", 0) > 0:
                    return True
        return False

    def kill(self) -> None:
        for d in self.dirs:
            if (d / "cgroup.kill").exists():
                with contextlib.suppress(OSError):
                    (d / "cgroup.kill").write_text("1")
            for pid in _pids_in(d):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        for d in self.dirs:
            for _ in range(50):  # the kernel frees a cgroup only after its last process is reaped
                try:
                    d.rmdir()
                    break
                except OSError as exc:
                    if exc.errno == errno.ENOENT:
                        break
                    self.kill()
                    time.sleep(0.02)


def _read_int(path: Path) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def _counters(path: Path) -> dict[str, int]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    out = {}
    for line in lines:
        key, _, value = line.partition(" ")
        with contextlib.suppress(ValueError):
            out[key] = int(value)
    return out


def _pids_in(d: Path) -> list[int]:
    try:
        return [int(p) for p in (d / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _own_cgroups() -> dict[str, str]:
    """Controller (``""`` for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    out: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                out[name] = path
    return out


def _mounts() -> dict[str, Path]:
    """Controller (``""`` for the v2 hierarchy) -> mount point, from /proc/self/mountinfo."""
    out: dict[str, Path] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            fstype, _, super_opts = (right.split(" ") + ["", "", ""])[:3]
            mount_point = Path(left.split(" ")[4])
            if fstype == "cgroup2":
                out.setdefault("", mount_point)
            elif fstype == "cgroup":
                for opt in super_opts.split(","):
                    if opt in ("memory", "pids"):
                        out.setdefault(opt, mount_point)
    return out


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _sweep(parent: Path) -> None:
    """Remove run cgroups left by a server that died mid-run (a kill skips ``finally``): empty ones
    whose creating process is gone."""
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            parts = entry.name.split("-")
            if not entry.name.startswith(_GROUP_PREFIX + "-") or not parts[-2].isdigit():
                continue
            try:
                os.kill(int(parts[-2]), 0)
            except ProcessLookupError:
                with contextlib.suppress(OSError):  # still has processes: not ours to judge
                    entry.rmdir()
            except PermissionError:
                continue


def _make_child(parent: Path) -> Path:
    _sweep(parent)
    child = parent / f"{_GROUP_PREFIX}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    child.mkdir()
    return child


def _v2(parent: Path, caps: Caps) -> RunCgroup:
    enabled = (parent / "cgroup.subtree_control").read_text().split()
    missing = [c for c in ("memory", "pids") if c not in enabled]
    if missing:
        # Allowed only where the parent holds no processes itself (a delegated, empty cgroup).
        _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in missing))
    run = RunCgroup(2, [_make_child(parent)])
    d = run.dirs[0]
    try:
        _write(d / "memory.max", str(caps.memory_bytes))
        with contextlib.suppress(FileNotFoundError):  # no swap accounting: nothing to close
            _write(d / "memory.swap.max", "0")
        _write(d / "memory.oom.group", "1")
        _write(d / "pids.max", str(caps.max_processes))
    except OSError:
        run.remove()
        raise
    return run


def _v1(memory_parent: Path, pids_parent: Path, caps: Caps) -> RunCgroup:
    run = RunCgroup(1)
    try:
        mem = _make_child(memory_parent)
        run.dirs.append(mem)
        _write(mem / "memory.limit_in_bytes", str(caps.memory_bytes))
        if (mem / "memory.memsw.limit_in_bytes").exists():
            _write(mem / "memory.memsw.limit_in_bytes", str(caps.memory_bytes))
        pids = _make_child(pids_parent)
        run.dirs.append(pids)
        _write(pids / "pids.max", str(caps.max_processes))
    except OSError:
        run.remove()
        raise
    return run


def create_run_cgroup(caps: Caps, delegated: str = "") -> tuple[RunCgroup | None, str]:
    """A cgroup for one run with ``caps``, or None and why not (the caller falls back to watching)."""
    mounts, own = _mounts(), _own_cgroups()
    try:
        if delegated:
            return _v2(Path(delegated), caps), ""
        if "memory" in mounts and "pids" in mounts and "memory" in own and "pids" in own:
            memory_parent = mounts["memory"] / own["memory"].lstrip("/")
            pids_parent = mounts["pids"] / own["pids"].lstrip("/")
            return _v1(memory_parent, pids_parent, caps), ""
        if "" in mounts and "" in own:
            parent = mounts[""] / own[""].lstrip("/")
            if {"memory", "pids"} <= set((parent / "cgroup.controllers").read_text().split()):
                return _v2(parent, caps), ""
            return None, f"the cgroup v2 hierarchy at {parent} does not offer memory and pids"
        return None, "no cgroup hierarchy with memory and pids is mounted"
    except OSError as exc:
        return None, f"cannot create a cgroup ({exc.strerror or exc}: {exc.filename or ''})"


@contextlib.contextmanager
def run_cgroup(caps: Caps, delegated: str = "") -> Iterator[tuple[RunCgroup | None, str]]:
    group, why = create_run_cgroup(caps, delegated)
    try:
        yield group, why
    finally:
        if group is not None:
            group.kill()
            group.remove()


# --- the fallback: watch the run's processes from the caller ----------------------------------


def _pid_ns(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, ValueError):
                out += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return out


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class ProcessWatch:
    """Finds every process of one run and measures them (used when no cgroup could be made).

    With bubblewrap the run is everything in its PID namespace (a process that calls setsid or
    double-forks stays in it); without it, the descendants of the launched process."""

    def __init__(self, root_pid: int, caps: Caps, *, pid_namespace: bool) -> None:
        self.root_pid = root_pid
        self.caps = caps
        self.pid_namespace = pid_namespace
        self._ns: str | None = None
        self.exceeded = ""  # "memory" or "processes" once a cap was passed

    def _namespace_pids(self) -> list[int]:
        if self._ns is None:
            for child in _children(self.root_pid):
                ns = _pid_ns(child)
                if ns and ns != _pid_ns(self.root_pid):
                    self._ns = ns
            if self._ns is None:
                return []
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and _pid_ns(int(entry)) == self._ns:
                pids.append(int(entry))
        return pids

    def _descendant_pids(self) -> list[int]:
        seen, todo = [], [self.root_pid]
        while todo:
            pid = todo.pop()
            seen.append(pid)
            todo += [c for c in _children(pid) if c not in seen]
        return seen

    def pids(self) -> list[int]:
        return self._namespace_pids() if self.pid_namespace else self._descendant_pids()

    def check(self) -> bool:
        """Measure once; True when the run passed a cap (``exceeded`` says which)."""
        pids = self.pids()
        if len(pids) > self.caps.max_processes:
            self.exceeded = "processes"
        elif sum(_rss(p) for p in pids) > self.caps.memory_bytes:
            self.exceeded = "memory"
        return bool(self.exceeded)

    def kill(self) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
