"""Tool code run from the API server sees none of the server's environment: the review found
non-Airflow secrets (and any setting not on a short deny list) in a node test's ``os.environ``."""

from __future__ import annotations

import uuid

import pytest

from tests.security.sandbox_probe import via_api, via_runner

DUMP_ENV = "import os\nreturn dict(os.environ)"


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    value = f"s3cr3t-{uuid.uuid4().hex}"
    monkeypatch.setenv("OPENAI_API_KEY", value)  # not an AIRFLOW__ setting: the old deny list missed it
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", f"postgresql://etl:{value}@db/warehouse")
    return value


def _assert_clean(env: dict[str, str], secret: str) -> None:
    assert not any(secret in v for v in env.values()), "a server secret reached the tool"
    assert "OPENAI_API_KEY" not in env and "AIRFLOW_HOME" not in env
    assert not [k for k in env if k.startswith("AIRFLOW")], env


def test_node_test_as_op_sees_no_server_secret(client, auth, secret: str) -> None:  # noqa: F811
    report = via_api(client, auth("Op"), DUMP_ENV)
    assert report["ok"], report["error"]
    _assert_clean(report["output"], secret)


def test_runner_child_sees_no_server_secret(secret: str) -> None:
    result = via_runner(DUMP_ENV)
    assert result.ok, result.error
    _assert_clean(result.output, secret)
