"""A slow co-pilot model cannot starve Airflow's API server (issue 13, finding 6).

A model endpoint that drips ``: keep-alive`` comments never trips the openai client's timeout,
which is per read. Before the fix every such chat held, for as long as the drip lasted, one of the
40 threads of AnyIO's default limiter, the pool that also runs Airflow's own sync routes; 42 of them
made ``/api/v2/version`` and ``POST /auth/token`` time out for everyone.

These tests run the real API app in a real uvicorn server on a loopback port (so the thread pool is
the real one) against a dripping fake model, with a deadline of a few seconds, and prove that:
a turn ends at the deadline with an error stating the real elapsed time, and its request to the model
is cancelled; chats beyond the per-user and the overall caps get 429 with Retry-After and never reach
the model; a waiting chat holds no thread of the shared pool; and Airflow's own routes answer
promptly while slow chats run and a flood of more chats arrives.

Time bounds leave seconds of slack for a loaded 2-core machine: the model drips for 25-40 s, so the
code as it was (turns held to the end of the drip) fails them by far."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import httpx
import pytest
import uvicorn

from tests.fakes.fixtures import openai_server  # noqa: F401
from tests.fakes.openai_server import ScriptedOpenAIServer, ScriptedReply
from tests.integration.api.conftest import API, PASSWORD, chain_spec

CP = f"{API}/copilot"
Headers = Callable[[str], dict[str, str]]
ENV = "AIRFLOW__AIRFLOW_CANVAS__"


@dataclass
class Live:
    url: str
    loop: asyncio.AbstractEventLoop

    def default_threads_in_use(self) -> int:
        """Tokens borrowed from AnyIO's default thread limiter in the server's event loop: the pool
        Airflow's sync routes (and sync dependencies) run on."""

        async def probe() -> int:
            return int(anyio.to_thread.current_default_thread_limiter().borrowed_tokens)

        return asyncio.run_coroutine_threadsafe(probe(), self.loop).result(timeout=5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live(api_app: Any, api_users: dict[str, str]) -> Iterator[Live]:
    """Airflow's API app (with the canvas plugin) served by uvicorn in a thread of this process."""
    import openai  # noqa: F401  (the server imports it once per process; the deadlines here are seconds)

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(api_app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2)
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Live(f"http://127.0.0.1:{port}", loop)
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def slow_model(monkeypatch: pytest.MonkeyPatch, openai_server: ScriptedOpenAIServer) -> ScriptedOpenAIServer:  # noqa: F811
    """The co-pilot's connection points at the fake model, with a 2 s per-read timeout and no
    retries, like the endpoint of the finding (its 10 s timeout never fired either)."""
    conn = {
        "conn_type": "openai",
        "host": openai_server.url + "/v1",
        "password": "k",
        "extra": {"model": "gpt-test", "max_retries": 0, "timeout": 2},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CP_SLOW_LLM", json.dumps(conn))
    monkeypatch.setenv(f"{ENV}COPILOT_CONN_ID", "cp_slow_llm")
    return openai_server


@dataclass
class Answer:
    status: int | None  # None: no answer in time (or the connection failed)
    seconds: float
    headers: dict[str, str]
    text: str = ""
    error: str = ""

    def events(self) -> list[dict[str, Any]]:
        out = []
        for block in self.text.strip().split("\n\n"):
            lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            event = json.loads(lines["data"])
            assert event["type"] == lines["event"]
            out.append(event)
        return out

    def detail(self) -> str:
        return str(json.loads(self.text).get("detail")) if self.text else ""


def call(method: str, url: str, timeout: float, **kwargs: Any) -> Answer:
    started = time.monotonic()
    try:
        r = httpx.request(method, url, timeout=timeout, **kwargs)
    except httpx.HTTPError as exc:
        return Answer(None, time.monotonic() - started, {}, error=f"{type(exc).__name__}: {exc}")
    return Answer(r.status_code, time.monotonic() - started, dict(r.headers), r.text)


def chat(
    live: Live, headers: dict[str, str], message: str = "add a node", timeout: float = 15, **extra: Any
) -> Answer:
    spec = chain_spec("cp_starve")
    body = {"message": message, "workflow_id": spec["id"], "context": {"workflow": spec}, **extra}
    return call("POST", f"{live.url}{CP}/chat", timeout, json=body, headers=headers)


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("stream", [True, False], ids=["sse", "json"])
def test_a_dripping_model_is_cut_at_the_turn_deadline(
    live: Live, auth: Headers, slow_model: ScriptedOpenAIServer, monkeypatch: pytest.MonkeyPatch, stream: bool
) -> None:
    deadline = 3.0
    monkeypatch.setenv(f"{ENV}COPILOT_TURN_TIMEOUT", str(deadline))
    slow_model.add_keepalive_drip(
        seconds=25, every=0.3
    )  # bytes every 0.3 s: the 2 s read timeout never fires

    answer = chat(live, auth("User"), stream=stream)

    assert answer.status == 200, (
        f"no answer after {answer.seconds:.1f} s: {answer.error or answer.text[:300]}"
    )
    if stream:
        events = answer.events()
        assert [e["type"] for e in events] == ["conversation", "error", "done"]
        message, reply = events[1]["message"], events[2]["reply"]
    else:
        reply = json.loads(answer.text)["reply"]
        message = reply["parts"][0]["markdown"]
    assert reply["error"] == "timeout" and reply["proposal"] is None
    assert answer.seconds < deadline + 5, f"the turn took {answer.seconds:.1f} s with a {deadline} s deadline"
    # The message states the real elapsed time (not the connection's 2 s per-read timeout).
    said = re.search(r"stopped this turn after (\d+\.\d) s: a turn may take at most 3 s", message)
    assert said, message
    assert deadline <= float(said[1]) <= answer.seconds + 0.05, (said[1], answer.seconds)
    # The request to the model was cancelled at the deadline, not left dripping on.
    (request,) = slow_model.chat_requests()
    wait_until(lambda: request.ended_at is not None, 5, "the model's stream to end")
    assert request.client_hung_up and request.ended_at is not None
    assert request.ended_at - request.received_at < deadline + 5


def test_b_chats_beyond_the_caps_get_429_and_airflow_keeps_answering(
    live: Live, auth: Headers, slow_model: ScriptedOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough that the flood below is refused while the four admitted turns still hold their
    # slots, also on a loaded machine (at 6 s, some flood requests were served after slots freed).
    deadline = 15.0
    monkeypatch.setenv(f"{ENV}COPILOT_TURN_TIMEOUT", str(deadline))
    monkeypatch.setenv(f"{ENV}COPILOT_MAX_CHATS", "4")
    monkeypatch.setenv(f"{ENV}COPILOT_MAX_CHATS_PER_USER", "2")
    # Every chat that reaches the model gets a 40 s keep-alive drip.
    slow_model.always(ScriptedReply(content="late", keepalive_every=0.3, keepalive_for=40))
    pool = ThreadPoolExecutor(max_workers=64)
    try:
        # Four slow turns, the overall cap: two for each of two users (each user's cap).
        admitted = [
            pool.submit(chat, live, auth(role), timeout=deadline + 15)
            for role in ("User", "User", "Op", "Op")
        ]
        wait_until(lambda: len(slow_model.chat_requests()) == 4, 15, "four chats to reach the model")
        time.sleep(0.3)  # they now wait on the model's drip
        threads_while_waiting = live.default_threads_in_use()

        third_of_user = chat(live, auth("User"), timeout=5)
        first_of_admin = chat(live, auth("Admin"), timeout=5)
        # A flood of more chats than the default limiter has threads, while Airflow's routes are asked.
        roles = itertools.islice(itertools.cycle(("User", "Op", "Admin")), 44)
        flood = [pool.submit(chat, live, auth(role), timeout=15) for role in roles]
        time.sleep(0.2)
        version = call("GET", f"{live.url}/api/v2/version", timeout=10)
        token = call(
            "POST", f"{live.url}/auth/token", timeout=10, json={"username": "t_viewer", "password": PASSWORD}
        )
        flooded = [f.result(timeout=30) for f in flood]
        turns = [f.result(timeout=deadline + 20) for f in admitted]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)

    # Airflow's own routes answered promptly during the slow chats and the flood.
    assert version.status == 200 and version.seconds < 3, version
    assert token.status in (200, 201) and token.seconds < 5, token
    # A chat waiting on the model holds no thread of the pool Airflow's sync routes share.
    assert threads_while_waiting == 0, f"{threads_while_waiting} default-pool threads held by waiting chats"

    # Beyond each user's cap and the overall cap: 429 with a clear message and a Retry-After.
    assert third_of_user.status == 429, third_of_user
    assert "copilot_max_chats_per_user = 2" in third_of_user.detail()
    assert first_of_admin.status == 429, first_of_admin
    assert "copilot_max_chats = 4" in first_of_admin.detail()
    for refused in (third_of_user, first_of_admin):
        assert 1 <= int(refused.headers["retry-after"]) <= deadline
    assert [a.status for a in flooded] == [429] * len(flooded)
    assert max(a.seconds for a in flooded) < 10
    assert len(slow_model.chat_requests()) == 4  # no refused chat reached the model

    # The admitted turns ended at their deadline, saying so; their slots are free again.
    for turn in turns:
        assert turn.status == 200 and turn.seconds < deadline + 6, turn
        assert [e["type"] for e in turn.events()][-2:] == ["error", "done"]
    after = chat(live, auth("User"), message="/help", timeout=10)
    assert after.status == 200, after
