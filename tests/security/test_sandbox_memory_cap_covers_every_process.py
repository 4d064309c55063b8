"""The memory cap holds for a run as a whole: the review's tool forked children that together used
1.7 GB against a 1 GB limit, because the limit was ``RLIMIT_AS`` per process. Here four children of
200 MB each (800 MB, every one far below the per-process limit) run against a 400 MB cap."""

from __future__ import annotations

import pytest

from airflow_canvas.tools.runner import RunLimits, ToolMemoryError
from tests.security.sandbox_probe import via_api, via_runner

FORK_BOMB = """
import os, time
children = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (200 * 1024 * 1024)  # written, so resident
        time.sleep(2)
        os._exit(0 if len(block) else 1)
    children.append(pid)
finished = [os.waitpid(pid, 0)[1] == 0 for pid in children]
return {"children_finished": sum(finished)}
"""


def test_node_test_as_op_is_stopped_at_the_configured_cap(
    client, auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX_MEMORY_MB", "400")
    report = via_api(client, auth("Op"), FORK_BOMB)
    assert not report["ok"], f"the run used 800 MB under a 400 MB cap: {report['output']}"
    assert report["error"]["kind"] == "memory" and "400 MB" in report["error"]["message"], report["error"]


def test_runner_stops_the_whole_run_at_its_cap() -> None:
    result = via_runner(FORK_BOMB, limits=RunLimits(timeout_seconds=30, memory_mb=400))
    assert isinstance(result.error, ToolMemoryError), (result.error, result.output)
    assert "400 MB" in str(result.error)
