"""Tool code run from the API server has no network unless the tool declares ``network: true``: the
review reached the API server on loopback from a node test. The test's own loopback server records
every byte anyone sends it."""

from __future__ import annotations

import uuid

from tests.security.sandbox_probe import LoopbackServer, via_api, via_runner, wait_until


def _caller(port: int, token: str) -> str:
    return f"""
import socket
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=3) as s:
        s.sendall({token.encode()!r})
    return "connected"
except OSError as exc:
    return repr(exc)
"""


def test_node_test_as_op_cannot_reach_loopback(client, auth) -> None:  # noqa: F811
    token = f"canvas-{uuid.uuid4().hex}"
    with LoopbackServer().running() as server:
        report = via_api(client, auth("Op"), _caller(server.port, token))
        assert report["ok"], report["error"]
        assert report["output"] != "connected" and server.received == []


def test_runner_cannot_reach_loopback_unless_the_tool_declares_network() -> None:
    token = f"canvas-{uuid.uuid4().hex}"
    with LoopbackServer().running() as server:
        result = via_runner(_caller(server.port, token))
        assert result.ok, result.error
        assert result.output != "connected" and server.received == []
        # The same probe with network: true does connect: the server would have seen the one above.
        declared = via_runner(_caller(server.port, token), network=True)
        assert declared.ok and declared.output == "connected", declared
        assert wait_until(lambda: server.received == [token.encode()])
