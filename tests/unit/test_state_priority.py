"""State priority is defined once (airflow_canvas/spec/states.py): Airflow's order, and the UI's copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from airflow_canvas.spec.states import STATE_PRIORITY, aggregate_state, mapped_state

STATUS_TS = Path(__file__).resolve().parents[2] / "ui" / "src" / "state" / "status.ts"


def ui_state_priority(source: str) -> list[str]:
    """The entries of `export const STATE_PRIORITY: RunState[] = [...]` in status.ts."""
    match = re.search(r"export const STATE_PRIORITY\s*:\s*RunState\[\]\s*=\s*\[(.*?)\];", source, re.S)
    assert match, "ui/src/state/status.ts no longer defines `export const STATE_PRIORITY: RunState[] = [...]`"
    body = re.sub(r"//[^\n]*", "", match.group(1))
    entries = [e.strip() for e in body.split(",") if e.strip()]
    assert all(re.fullmatch(r'"[a-z_]+"', e) for e in entries), f"not a list of string literals: {entries}"
    return [e.strip('"') for e in entries]


def test_order_is_airflows() -> None:
    from airflow.api_fastapi.common.parameters import state_priority

    assert list(STATE_PRIORITY) == [s.value if s is not None else None for s in state_priority]


def test_ui_order_is_the_servers() -> None:
    if not STATUS_TS.is_file():
        pytest.skip("no ui/ sources in this installation")
    expected = ["idle" if s is None else s for s in STATE_PRIORITY]
    assert ui_state_priority(STATUS_TS.read_text()) == expected, (
        "ui/src/state/status.ts STATE_PRIORITY differs from airflow_canvas/spec/states.py "
        f"(None is spelled 'idle'): expected {expected}"
    )


def test_a_reordered_ui_copy_is_caught() -> None:
    source = 'export const STATE_PRIORITY: RunState[] = [\n  "running", // note\n  "failed",\n];'
    assert ui_state_priority(source) == ["running", "failed"]
    assert ui_state_priority(source) != ["idle" if s is None else s for s in STATE_PRIORITY]


def test_group_state() -> None:
    assert aggregate_state(["success", "failed", None]) == "failed"
    assert aggregate_state(["success", None]) is None
    assert aggregate_state(["success", "bogus"]) is None
    assert aggregate_state([]) is None


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        (["failed", "running", "success"], "running"),  # still at work: running, even with a failure
        (["deferred", "success"], "running"),
        (["queued", "scheduled"], "queued"),
        (["up_for_retry", "queued"], "queued"),  # a queued instance names it before a retrying one
        (["scheduled", "success"], "scheduled"),
        (["success", "skipped", "upstream_failed"], "upstream_failed"),
        (["skipped", "failed"], "failed"),
        (["success", "success"], "success"),
        (["success", None], "success"),  # the first instance's state when none of the above
        ([None, "success"], None),
        (["awaiting_input"], "awaiting_input"),
        ([], None),
    ],
)
def test_mapped_node_state(states: list[str | None], expected: str | None) -> None:
    assert mapped_state(states) == expected
