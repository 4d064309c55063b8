"""The bubblewrap sandbox's own pieces: its command line, the covering of server paths inside visible
directories, the config and its checks, the whole-run caps with and without cgroups, cleanup."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from airflow_canvas.tools import sandbox, sandbox_limits, sandbox_view
from airflow_canvas.tools.sandbox import SandboxConfig, SandboxError, SandboxRun

FORK_BOMB = """
import os, time
children = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (150 * 1024 * 1024)
        time.sleep(3)
        os._exit(0)
    children.append(pid)
print(sum(os.waitpid(p, 0)[1] == 0 for p in children))
"""


def _args_after(cmd: list[str], flag: str) -> list[tuple[str, ...]]:
    return [tuple(cmd[i + 1 : i + 3]) for i, arg in enumerate(cmd) if arg == flag]


def test_command_line_isolates_and_binds_only_what_python_needs(tmp_path: Path) -> None:
    cmd = sandbox_view.bwrap_command(
        "bwrap", SandboxRun(["python", "-c", "pass"], 5), SandboxConfig(), tmp_path
    )
    for flag in ("--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in cmd
    assert "--share-net" not in cmd
    bound = {src for src, _ in _args_after(cmd, "--ro-bind") + _args_after(cmd, "--ro-bind-try")}
    assert "/etc/shadow" not in bound and "/etc" not in bound and "/etc/ssl/private" not in bound
    assert str(sandbox_view.package_dir()) in bound and sys.base_prefix in bound
    assert not [p for p in bound if p == str(sandbox_view.package_dir().parent)]  # not the whole checkout
    assert ("PATH", "/usr/local/bin:/usr/bin:/bin") in _args_after(cmd, "--setenv")
    networked = sandbox_view.bwrap_command(
        "bwrap", SandboxRun(["x"], 5, network=True), SandboxConfig(), tmp_path
    )
    assert "--share-net" in networked and ("/etc/resolv.conf", "/etc/resolv.conf") in _args_after(
        networked, "--ro-bind-try"
    )


def test_server_paths_inside_a_visible_directory_are_covered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    visible, home = tmp_path / "visible", tmp_path / "visible" / "airflow_home"
    (home / "dags").mkdir(parents=True)
    (home / "airflow.cfg").write_text("[core]\nsecret = 1\n")
    (visible / "shared.txt").write_text("fine")
    monkeypatch.setenv("AIRFLOW_HOME", str(home))
    code = (
        "import os, sys\n"
        "print(open(sys.argv[1]).read())\n"
        "print(os.path.exists(sys.argv[2]), os.listdir(sys.argv[3]))\n"
    )
    outcome, out, err = _run_python(
        code, [str(visible / "shared.txt"), str(home / "airflow.cfg"), str(home)], readonly=[visible]
    )
    assert outcome.returncode == 0, err
    assert out.split("\n")[:2] == ["fine", "False []"]


def _run_python(code: str, args: list[str], **kwargs) -> tuple[sandbox.Outcome, str, str]:
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile() as err:
        spec = SandboxRun([sys.executable, "-c", code, *args], 30, stdout=out, stderr=err, **kwargs)
        outcome = sandbox.run(spec)
        out.seek(0)
        return outcome, out.read().decode(), Path(err.name).read_text()


def test_config_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX_MAX_SECONDS", "5")
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX_MEMORY_MB", "300")
    cfg = sandbox.load_config()
    assert (cfg.mode, cfg.max_seconds, cfg.memory_mb) == ("bubblewrap", 5.0, 300)
    assert cfg.cap_seconds(100000) == 5 and cfg.cap_seconds(1) == 1 and cfg.cap_memory(None) == 300
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX_MEMORY_MB", "lots")
    with pytest.raises(SandboxError, match=r"\[airflow_canvas\] sandbox_memory_mb must be a number"):
        sandbox.load_config()


def test_whole_run_memory_cap_holds_without_cgroups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no cgroup can be made, the watcher sums the run's resident memory and kills it."""
    monkeypatch.setattr(
        sandbox_limits, "create_run_cgroup", lambda caps, delegated="": (None, "disabled here")
    )
    outcome, out, _ = sandbox.run_python(FORK_BOMB, timeout_seconds=30, memory_mb=300)
    assert outcome.memory_exceeded and out.strip() != "4", (outcome, out)
    assert outcome.limits == "watching the run's processes (disabled here)"


def test_process_cap_holds_with_and_without_cgroups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX_MAX_PROCESSES", "10")
    spawn = (
        "import os, time\nstarted = 0\n"
        "for _ in range(40):\n"
        "    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
        "    if pid == 0:\n        time.sleep(5)\n        os._exit(0)\n"
        "    started += 1\n"
        "print(started, flush=True)\ntime.sleep(1)\n"
    )
    outcome, out, _ = sandbox.run_python(spawn, timeout_seconds=30)
    if outcome.limits.startswith("cgroup"):  # the kernel refuses the 11th fork
        assert outcome.returncode == 0 and int(out) < 10, (outcome, out)
    monkeypatch.setattr(
        sandbox_limits, "create_run_cgroup", lambda caps, delegated="": (None, "disabled here")
    )
    outcome, out, _ = sandbox.run_python(spawn, timeout_seconds=30)
    assert outcome.processes_exceeded, (outcome, out)


def test_run_cgroups_are_removed_afterwards() -> None:
    outcome, _, _ = sandbox.run_python("pass", timeout_seconds=30)
    if not outcome.limits.startswith("cgroup"):
        pytest.skip(f"no cgroups here: {outcome.limits}")
    dirs = outcome.limits[outcome.limits.index("(") + 1 : -1].split(", ")
    assert dirs and not [d for d in dirs if os.path.exists(d)]


def test_bubblewrap_setup_failure_is_reported_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    # A read-only path that does not exist makes bubblewrap fail before it starts the command.
    spec_code = f"open({str(marker)!r}, 'w')"
    outcome, _, err = _run_python(spec_code, [], readonly=[tmp_path / "missing"])
    assert outcome.setup_error.startswith("bwrap:"), (outcome, err)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ('echo "bubblewrap 0.6.1"', "is 0.6.1; bubblewrap 0.8 or later is needed"),
        (
            '[ "$1" = --version ] && echo "bubblewrap 0.8.0" && exit 0\n'
            'echo "bwrap: No permissions to create new namespace" >&2; exit 1',
            "failed: bwrap: No permissions to create new namespace",
        ),
    ],
)
def test_a_bubblewrap_that_cannot_sandbox_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, reason: str
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX_BWRAP", str(fake))
    with pytest.raises(sandbox.SandboxUnavailable, match="Refusing to run code") as info:
        sandbox.run_python("pass", timeout_seconds=5)
    assert reason in str(info.value) and "sandbox = unsafe-subprocess" in str(info.value)
