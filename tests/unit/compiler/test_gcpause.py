"""compiler/gcpause.py: compiles running at the same time (API server threads) share one pause of
the garbage collector, which comes back on only when the last of them ends, and only if it was on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from airflow_canvas.compiler.gcpause import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_overlapping_compiles_keep_the_collector_paused_until_the_last_ends() -> None:
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first compile ends while the second still runs
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_collector_back_on_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("compile failed")
    assert gc.isenabled()
