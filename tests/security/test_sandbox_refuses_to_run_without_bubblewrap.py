"""Where bubblewrap cannot run, no user code runs (fail closed), and the refusal says which setting
to change; only an admin's explicit ``[airflow_canvas] sandbox = unsafe-subprocess`` runs it as a
plain subprocess. The probe writes a marker file on the host, which only an unsandboxed run can."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from airflow_canvas.compiler.deploy import DeployError, check_import
from tests.security.sandbox_probe import via_api, via_runner

MISSING_BWRAP = "/nonexistent/canvas/bwrap"


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / f"ran-{uuid.uuid4().hex}"


@pytest.fixture
def no_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX_BWRAP", MISSING_BWRAP)


def _marking(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('ran')\nreturn 'ran'"


def _assert_refusal(message: str) -> None:
    assert "Refusing to run code" in message and MISSING_BWRAP in message
    assert "sandbox_bwrap" in message and "sandbox = unsafe-subprocess" in message


def test_node_test_as_op_is_refused_without_bubblewrap(client, auth, no_bubblewrap, marker: Path) -> None:
    report = via_api(client, auth("Op"), _marking(marker))
    assert not report["ok"] and report["error"]["kind"] == "sandbox", report
    _assert_refusal(report["error"]["message"])
    assert not marker.exists(), "the code ran although the sandbox was unavailable"


def test_tool_tests_route_as_op_is_refused_without_bubblewrap(
    client, auth, no_bubblewrap, marker: Path
) -> None:
    name = f"probe_{uuid.uuid4().hex[:8]}"
    tool = {
        "name": name,
        "version": "1.0.0",
        "code": f"def run():\n    open({str(marker)!r}, 'w').write('ran')\n    return 1\n",
        "tests": [{"input": {}, "expected": 1}],
    }
    assert (
        client.post("/airflow-canvas/api/tools", json={"tool": tool}, headers=auth("Op")).status_code == 201
    )
    r = client.post(f"/airflow-canvas/api/tools/{name}/versions/1.0.0/test", headers=auth("Op"))
    assert r.status_code == 200 and r.json()["passed"] is False, r.text
    _assert_refusal(r.json()["error"]["message"])
    assert not marker.exists()


def test_runner_is_refused_without_bubblewrap(no_bubblewrap, marker: Path) -> None:
    result = via_runner(_marking(marker))
    assert result.error is not None and result.error.kind == "sandbox"
    _assert_refusal(str(result.error))
    assert not marker.exists()


def test_deploy_import_check_is_refused_without_bubblewrap(no_bubblewrap, marker: Path) -> None:
    source = f"open({str(marker)!r}, 'w').write('ran')\n"
    with pytest.raises(DeployError) as info:
        check_import(source, "probe")
    _assert_refusal(str(info.value))
    assert not marker.exists()


def test_unsafe_subprocess_mode_runs_when_an_admin_sets_it(
    client,  # noqa: F811
    auth,  # noqa: F811
    no_bubblewrap,
    marker: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX", "unsafe-subprocess")
    result = via_runner(_marking(marker))
    assert result.ok and result.output == "ran", result
    assert marker.read_text() == "ran"  # a plain subprocess: it can write the host's files
    marker.unlink()
    report = via_api(client, auth("Op"), _marking(marker))
    assert report["ok"] and marker.exists(), report


def test_an_unknown_sandbox_mode_is_refused(monkeypatch: pytest.MonkeyPatch, marker: Path) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__SANDBOX", "none")
    result = via_runner(_marking(marker))
    assert result.error is not None and result.error.kind == "sandbox"
    assert "[airflow_canvas] sandbox must be one of bubblewrap, unsafe-subprocess" in str(result.error)
    assert not marker.exists()
