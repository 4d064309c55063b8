"""Pause Python's cyclic garbage collector while one compile runs.

A compile builds tens of thousands of small, acyclic, mostly long-lived objects (IR records,
expressions, lines). Each time enough of them pile up, the collector runs, and its oldest
generation walks every object alive, the whole parsed spec included: at 5000 nodes those passes
made compile time grow faster than the spec (x7 from 1000 to 5000 nodes, x4 without them).
Nothing a compile creates is cyclic, so reference counting frees all of it without the collector;
it is switched back on at the end (only if it was on, so nested or concurrent compiles are safe).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
