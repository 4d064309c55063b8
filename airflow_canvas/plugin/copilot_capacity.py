"""What co-pilot chats may take from the API server they share with Airflow's own routes.

- **Admission**: at most ``copilot_max_chats`` turns at once in this process, and
  ``copilot_max_chats_per_user`` for one user; beyond that a chat gets 429 with a ``Retry-After``
  (when the oldest running turn reaches its deadline). A slot is released when its turn ends; one
  never released (a response whose stream was dropped before it started) stops counting shortly
  after its turn's deadline, so a leak cannot close the co-pilot for good.
- **Threads**: Airflow's sync routes (``/api/v2/version``, ``POST /auth/token``, ...) run on
  AnyIO's default thread limiter (40 threads). Chat routes are async and wait for the model on the
  event loop, holding no thread; their blocking work (DB reads and writes, building the context,
  checking patches) runs on the co-pilot's own limiter, sized like the admission cap, so chats can
  never take a thread Airflow's routes need.
"""

from __future__ import annotations

import functools
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar

from airflow_canvas.plugin.config import CopilotLimits

T = TypeVar("T")
LEAK_GRACE = 30.0  # seconds after its deadline that an unreleased slot still counts


class ChatsBusy(Exception):
    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


@dataclass
class _Slot:
    user: str
    deadline: float  # monotonic: the turn ends by then

    def live(self, now: float) -> bool:
        return now < self.deadline + LEAK_GRACE


class ChatSlot:
    """One admitted turn; ``release`` may be called any number of times."""

    def __init__(self, slots: ChatSlots, key: str, started: float):
        self._slots, self._key, self.started = slots, key, started

    def release(self) -> None:
        self._slots._release(self._key)


class ChatSlots:
    """Turns running in this process (each API server worker process counts its own)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()  # chats run on more than one event loop in tests
        self._slots: dict[str, _Slot] = {}

    def running(self, user: str | None = None) -> int:
        with self._lock:
            return len(self._live(user))

    def _live(self, user: str | None) -> list[_Slot]:
        now = self._clock()
        return [s for s in self._slots.values() if s.live(now) and (user is None or s.user == user)]

    def acquire(self, user: str, limits: CopilotLimits) -> ChatSlot:
        with self._lock:
            now = self._clock()
            self._slots = {k: s for k, s in self._slots.items() if s.live(now)}
            mine = self._live(user)
            if len(mine) >= limits.max_chats_per_user:
                wait = _retry_after(mine, now)
                raise ChatsBusy(
                    f"You already have {len(mine)} co-pilot turns running, the most one user may have "
                    f"([airflow_canvas] copilot_max_chats_per_user = {limits.max_chats_per_user}). Wait "
                    f"for one to finish (at most {wait} s) and try again.",
                    wait,
                )
            everyone = self._live(None)
            if len(everyone) >= limits.max_chats:
                wait = _retry_after(everyone, now)
                raise ChatsBusy(
                    f"The co-pilot is busy: {len(everyone)} turns are running, the most this API server "
                    f"allows ([airflow_canvas] copilot_max_chats = {limits.max_chats}). Try again in "
                    f"{wait} s.",
                    wait,
                )
            key = uuid.uuid4().hex
            self._slots[key] = _Slot(user, now + limits.turn_timeout)
            return ChatSlot(self, key, now)

    def _release(self, key: str) -> None:
        with self._lock:
            self._slots.pop(key, None)


def _retry_after(slots: list[_Slot], now: float) -> int:
    """Seconds until the first of these turns reaches its deadline (when a slot frees at the latest)."""
    return max(1, math.ceil(min(s.deadline for s in slots) - now))


SLOTS = ChatSlots()

_LIMITER: RunVar[anyio.CapacityLimiter] = RunVar("airflow_canvas_copilot_limiter")


def copilot_limiter(tokens: int) -> anyio.CapacityLimiter:
    """The co-pilot's thread limiter in the running event loop (AnyIO's default one is Airflow's)."""
    try:
        limiter = _LIMITER.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(tokens)
        _LIMITER.set(limiter)
    if limiter.total_tokens != tokens:
        limiter.total_tokens = tokens
    return limiter


def thread_runner(tokens: int) -> Callable[[Callable[[], Any]], Any]:
    """``run_sync`` for the co-pilot engines: blocking work on the co-pilot's own limiter. A step is
    never abandoned (a deadline that passes during one takes effect when it returns), so no co-pilot
    thread ever runs outside the limiter's count."""

    async def run(fn: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(fn, limiter=copilot_limiter(tokens))

    return run


async def run_blocking(tokens: int, fn: Callable[..., T], *args: Any) -> T:
    return await thread_runner(tokens)(functools.partial(fn, *args))
