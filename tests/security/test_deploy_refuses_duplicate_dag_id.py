"""Deploying a workflow whose dag_id another file already defines is refused with a 409 naming that
file, and nothing is written: not when Airflow already has the DAG from another file (DagModel's
fileloc), not when another file in the deploy folder defines it (Airflow may not have parsed it
yet). Otherwise Airflow would hold two DAGs with one id, the last one parsed winning. Redeploying
the workflow's own file, and deploying it to a second environment, stay fine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import airflow_cli
from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]


def hand_written(dag_id: str) -> str:
    return (
        '"""Written by hand."""\n'
        "from datetime import datetime\n\n"
        "from airflow.providers.standard.operators.empty import EmptyOperator\n"
        "from airflow.sdk import DAG\n\n"
        f'with DAG(dag_id="{dag_id}", schedule=None, start_date=datetime(2024, 1, 1)):\n'
        '    EmptyOperator(task_id="nothing")\n'
    )


@pytest.fixture()
def staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "staging"
    folder.mkdir()
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS", json.dumps({"staging": str(folder)}))
    return folder


def create(client: TestClient, auth: Headers, workflow_id: str, n: int = 3) -> None:
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(workflow_id, n)}, headers=auth("Op"))
    assert r.status_code == 201, r.text


def deploy(client: TestClient, auth: Headers, workflow_id: str, environment: str) -> object:
    return client.post(
        f"{API}/workflows/{workflow_id}/deploy", json={"environment": environment}, headers=auth("Op")
    )


def test_refuses_a_dag_id_defined_by_another_file(
    client: TestClient, auth: Headers, staging: Path, dags_folder: Path
) -> None:
    # Another file in the deploy folder, not parsed by Airflow yet.
    (staging / "legacy_reports.py").write_text(hand_written("dup_in_folder"))
    create(client, auth, "dup_in_folder")
    r = deploy(client, auth, "dup_in_folder", "staging")
    assert r.status_code == 409, r.text
    assert (
        r.json()["file"] == str(staging / "legacy_reports.py") and "legacy_reports.py" in r.json()["detail"]
    )
    assert not (staging / "dup_in_folder.py").exists()
    history = client.get(f"{API}/workflows/dup_in_folder/deployments", headers=auth("Op")).json()
    assert [d["state"] for d in history["items"]] == ["failed"]

    # Airflow knows the DAG from a hand-written file in its dags folder; our own deploy of another
    # workflow to dev is parsed in the same pass.
    create(client, auth, "dup_own")
    assert deploy(client, auth, "dup_own", "dev").status_code == 201
    hand = dags_folder / "hand_written_dup.py"
    hand.write_text(hand_written("dup_registered"))
    try:
        airflow_cli("dags", "reserialize")
        from airflow.models.dag import DagModel
        from airflow.utils.session import create_session

        with create_session() as s:
            assert Path(s.get(DagModel, "dup_registered").fileloc) == hand
            assert Path(s.get(DagModel, "dup_own").fileloc) == dags_folder / "dup_own.py"
        create(client, auth, "dup_registered")
        r = deploy(client, auth, "dup_registered", "staging")
        assert r.status_code == 409, r.text
        assert r.json()["file"] == str(hand) and r.json()["dag_id"] == "dup_registered"
        assert not (staging / "dup_registered.py").exists()
    finally:
        hand.unlink()

    # Our own file: a redeploy of a new version, and a second environment, are fine.
    r = client.put(
        f"{API}/workflows/dup_own",
        json={"spec": chain_spec("dup_own", 4), "base_version": 1},
        headers=auth("Op"),
    )
    assert r.status_code == 200, r.text
    assert deploy(client, auth, "dup_own", "dev").status_code == 201
    assert deploy(client, auth, "dup_own", "staging").status_code == 201


def test_what_counts_as_defining_the_dag_id_in_a_file() -> None:
    from airflow_canvas.service.deployments import _defines_dag_id

    assert _defines_dag_id(hand_written("x1"), "x1")
    assert _defines_dag_id("with DAG('x1', schedule=None):\n    pass", "x1")
    assert _defines_dag_id("@dag(dag_id = 'x1')\ndef f(): ...", "x1")
    assert not _defines_dag_id(hand_written("x10"), "x1")
    assert not _defines_dag_id("ExternalTaskSensor(external_dag_id='x1')", "x1")
    assert not _defines_dag_id('TriggerDagRunOperator(trigger_dag_id="x1")', "x1")
