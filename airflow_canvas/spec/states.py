"""Run states and their priority: the one definition the server, the co-pilot and the UI share.

Airflow sums up a TaskGroup's state from its tasks' states by a fixed order (the grid view's
agg_state over ``airflow.api_fastapi.common.parameters.state_priority``): the first state present
wins, so one failed task makes the group failed. ``None`` is "no state yet". The same order decides
a collapsed group's state on the canvas (``ui/src/state/status.ts`` keeps a copy with ``None``
spelled ``"idle"``; ``tests/unit/test_state_priority.py`` fails when the copies differ) and, within
the active and the finished states, a mapped node's state (:func:`mapped_state`).

No Airflow import here: this module sits at the bottom with the spec; a unit test compares the order
with Airflow's own list.
"""

from __future__ import annotations

from collections.abc import Iterable

STATE_PRIORITY: tuple[str | None, ...] = (
    "failed",
    "upstream_failed",
    "up_for_retry",
    "up_for_reschedule",
    "running",
    "restarting",
    "deferred",
    "awaiting_input",
    "queued",
    "scheduled",
    None,
    "success",
    "skipped",
    "removed",
)

# States in which a mapped task instance still has work ahead: while any instance is in one, the
# mapped node is shown as running (or queued/scheduled when nothing has started yet).
ACTIVE_STATES: frozenset[str] = frozenset(
    {"running", "queued", "scheduled", "up_for_retry", "up_for_reschedule", "deferred", "restarting"}
)
_NOT_STARTED = frozenset({"queued", "scheduled"})
# Finished without success: the first of these present names a finished mapped node.
_FINISHED_UNSUCCESSFUL = frozenset({"failed", "upstream_failed", "skipped", "removed"})


def aggregate_state(states: Iterable[str | None]) -> str | None:
    """A group's state from its members' states, as Airflow's grid sums up a TaskGroup."""
    present = {s if s in STATE_PRIORITY else None for s in states}
    return next((s for s in STATE_PRIORITY if s in present), None)


def mapped_state(states: list[str | None]) -> str | None:
    """One state for a mapped node's task instances: the most telling one wins.

    Unlike a group, a mapped node still at work is not "failed" because one instance failed (the
    others are still going): a running instance makes it "running"; else a queued or scheduled one
    names it; else any other active instance (retrying, rescheduled, deferred, restarting) makes it
    "running". Then the unsuccessful finished states in priority order; "success" only when all
    instances succeeded.
    """
    present = set(states)
    if "running" in present:
        return "running"
    waiting = next((s for s in STATE_PRIORITY if s in present and s in _NOT_STARTED), None)
    if waiting is not None:
        return waiting
    if present & ACTIVE_STATES:
        return "running"
    finished = next((s for s in STATE_PRIORITY if s in present and s in _FINISHED_UNSUCCESSFUL), None)
    if finished is not None:
        return finished
    if states and all(s == "success" for s in states):
        return "success"
    return states[0] if states else None
