"""A spec cannot buy itself more time than ``[airflow_canvas] sandbox_max_seconds``: the review's
node asked for 100000 s and ran for 65 s. The probe sleeps 10 s, then returns; capped at 2 s it
must be stopped long before."""

from __future__ import annotations

import time

import pytest

from airflow_canvas.tools.runner import RunLimits, ToolTimeoutError
from tests.security.sandbox_probe import via_api, via_runner

SLEEPER = "import time\ntime.sleep(10)\nreturn 'slept'"


@pytest.fixture(autouse=True)
def two_second_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX_MAX_SECONDS", "2")


def test_node_test_as_op_with_a_100000_s_timeout_is_cut_at_the_cap(client, auth) -> None:  # noqa: F811
    started = time.monotonic()
    report = via_api(client, auth("Op"), SLEEPER, timeout_seconds=100000)
    elapsed = time.monotonic() - started
    assert report["output"] != "slept" and report["error"]["kind"] == "timeout", report
    assert "sandbox_max_seconds" in report["error"]["message"]
    assert elapsed < 8


def test_runner_caps_a_100000_s_limit() -> None:
    started = time.monotonic()
    result = via_runner(SLEEPER, limits=RunLimits(timeout_seconds=100000))
    assert isinstance(result.error, ToolTimeoutError), (result.error, result.output)
    assert "after 2s" in str(result.error) and "100000s were asked for" in str(result.error)
    assert time.monotonic() - started < 8
