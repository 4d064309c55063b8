"""Nothing a tool starts outlives its run: the review left ``setsid`` and double-forked children
running after a node test returned (they escaped the old runner's process-group kill)."""

from __future__ import annotations

import uuid

from tests.security.sandbox_probe import kill_all, processes_with, via_api, via_runner


def _detacher(token: str) -> str:
    # A child that calls setsid and forks the real sleeper (a double fork), which reports "up"
    # through a pipe; the tool returns as soon as the sleeper runs. The token marks the sleeper's
    # command line so the host can find it.
    sleeper = "import sys, time; print('up', flush=True); time.sleep(120)"
    return f"""
import os, subprocess, sys
read_end, write_end = os.pipe()
if os.fork() == 0:
    os.setsid()
    subprocess.Popen([sys.executable, "-c", {sleeper!r}, {token!r}], stdout=write_end, start_new_session=True)
    os._exit(0)
os.close(write_end)
os.wait()
with os.fdopen(read_end) as fh:
    return fh.readline().strip()
"""


def _assert_gone(token: str) -> None:
    survivors = processes_with(token)  # at once: the run is over when the call returns
    kill_all(survivors)
    assert survivors == [], f"detached children outlived the run: {survivors}"


def test_node_test_as_op_leaves_no_detached_child(client, auth) -> None:  # noqa: F811
    token = f"canvas-detached-{uuid.uuid4().hex}"
    report = via_api(client, auth("Op"), _detacher(token))
    assert report["ok"] and report["output"] == "up", report  # the sleeper did start
    _assert_gone(token)


def test_runner_leaves_no_detached_child() -> None:
    token = f"canvas-detached-{uuid.uuid4().hex}"
    result = via_runner(_detacher(token))
    assert result.ok and result.output == "up", result
    _assert_gone(token)
