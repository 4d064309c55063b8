"""The API server's startup heap is frozen out of Python's garbage collections once Airflow's app
has started (plugin/app.py freeze_startup_heap; why: docs/benchmarks.md, API), and a setting turns
that off."""

from __future__ import annotations

import gc
from typing import Any
from unittest import mock

import pytest
from fastapi.testclient import TestClient

from airflow_canvas.plugin import app as canvas_app


def test_airflow_api_server_startup_runs_the_freeze(api_users: Any) -> None:
    from airflow.api_fastapi.app import create_app

    server = create_app()  # Airflow's API server app with the canvas app mounted
    with mock.patch.object(canvas_app, "freeze_startup_heap", return_value=True) as freeze:
        assert freeze.call_count == 0  # building the app is not starting it
        with TestClient(server):  # starts it as uvicorn does: Airflow's lifespan enters the canvas app's
            assert freeze.call_count == 1
    assert freeze.call_count == 1


def test_freeze_moves_the_heap_out_of_collections() -> None:
    thresholds = gc.get_threshold()
    gc.set_threshold(700, *thresholds[1:])  # Python's default
    before = gc.get_freeze_count()
    kept = [object() for _ in range(3)] + [[] for _ in range(1000)]  # tracked objects alive now
    assert canvas_app.freeze_startup_heap() is True
    assert gc.get_freeze_count() >= before + 1000
    sample = kept[3]
    assert not any(obj is sample for obj in gc.get_objects())  # no collection walks it again
    assert gc.get_threshold() == (canvas_app.YOUNG_GENERATION_THRESHOLD, *thresholds[1:])
    gc.set_threshold(50_000, *thresholds[1:])  # a deployment's own higher threshold is kept
    canvas_app.freeze_startup_heap()
    assert gc.get_threshold()[0] == 50_000
    gc.set_threshold(*thresholds)


def test_setting_turns_the_freeze_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__FREEZE_STARTUP_HEAP", "False")
    before = gc.get_freeze_count()
    _ = [[] for _ in range(1000)]
    thresholds = gc.get_threshold()
    assert canvas_app.freeze_startup_heap() is False
    assert gc.get_freeze_count() == before
    assert gc.get_threshold() == thresholds
