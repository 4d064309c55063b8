"""Admission of co-pilot turns: per-user and overall caps, Retry-After, leaked slots expiring."""

from __future__ import annotations

import pytest

from airflow_canvas.plugin.config import CopilotLimits
from airflow_canvas.plugin.copilot_capacity import LEAK_GRACE, ChatsBusy, ChatSlots

LIMITS = CopilotLimits(
    turn_timeout=10, max_chats=3, max_chats_per_user=2, max_reply_chars=1000, max_conversation_chars=10000
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_caps_per_user_and_overall_with_retry_after() -> None:
    clock = Clock()
    slots = ChatSlots(clock)
    first = slots.acquire("ann", LIMITS)
    clock.now += 4
    slots.acquire("ann", LIMITS)
    with pytest.raises(ChatsBusy) as busy:
        slots.acquire("ann", LIMITS)
    assert "copilot_max_chats_per_user = 2" in busy.value.detail
    assert busy.value.retry_after == 6  # the first turn's deadline is 6 s away
    slots.acquire("bob", LIMITS)
    with pytest.raises(ChatsBusy) as busy:
        slots.acquire("cy", LIMITS)
    assert "copilot_max_chats = 3" in busy.value.detail
    first.release()
    first.release()  # idempotent
    slots.acquire("cy", LIMITS)
    assert slots.running() == 3 and slots.running("ann") == 1


def test_a_slot_never_released_stops_counting_after_its_deadline() -> None:
    clock = Clock()
    slots = ChatSlots(clock)
    slots.acquire("ann", LIMITS)
    slots.acquire("ann", LIMITS)
    clock.now += LIMITS.turn_timeout + LEAK_GRACE + 0.1
    slots.acquire("ann", LIMITS)
    assert slots.running("ann") == 1
