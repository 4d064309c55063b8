"""Shared by the test_sandbox_* files: run a probe tool's code the two ways the API server runs user
code, through the real route as an Op (``POST /nodes/test``, a tool node with an inline tool) and
through the runner directly, and look at the host afterwards."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.runner import RunLimits, RunResult, run_in_sandbox

API = "/airflow-canvas/api"


def probe_tool(code: str, *, network: bool = False, name: str = "probe") -> dict[str, Any]:
    """An inline tool whose ``run()`` is ``code`` (a function body returning a JSON value)."""
    body = "\n".join("    " + line for line in code.strip("\n").splitlines())
    tool = {"name": name, "version": "1.0.0", "code": f"def run():\n{body}\n"}
    return {**tool, "network": True} if network else tool  # the key is left out where it is the default


def via_api(
    client: Any,
    headers: dict[str, str],
    code: str,
    *,
    timeout_seconds: float | None = None,
    network: bool = False,
) -> dict[str, Any]:
    """The node-test report for a tool node running ``code``, asked for by the caller of ``headers``."""
    node: dict[str, Any] = {"id": "probe", "type": "tool", "tool": "probe@1.0.0"}
    if timeout_seconds is not None:
        node["execution"] = {"timeout_seconds": timeout_seconds}
    spec = {"id": "sandbox_probe", "tools": [probe_tool(code, network=network)], "nodes": [node]}
    r = client.post(
        f"{API}/nodes/test", json={"spec": spec, "node_id": "probe", "input": {}}, headers=headers
    )
    assert r.status_code == 200, r.text
    return r.json()


def via_runner(code: str, *, limits: RunLimits | None = None, network: bool = False) -> RunResult:
    return run_in_sandbox(Tool.model_validate(probe_tool(code, network=network)), {}, limits=limits)


def processes_with(token: str) -> list[int]:
    """Host pids whose command line contains ``token``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if token in Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry))
        except OSError:
            continue
    return found


def kill_all(pids: list[int]) -> None:
    """Clean up after a failing run (on the old code the probes survive)."""
    for pid in pids:
        with suppress(OSError):
            os.kill(pid, 9)


class LoopbackServer:
    """A TCP server on 127.0.0.1 that records whatever anyone sends it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(1024))
                except OSError:
                    self.received.append(b"<connected>")

    @contextmanager
    def running(self) -> Iterator[LoopbackServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()
            self.sock.close()


def wait_until(predicate: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())
