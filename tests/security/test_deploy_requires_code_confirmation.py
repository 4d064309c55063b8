"""A deploy that changes executable code is refused until the deployer confirms exactly that code:
the refusal (428) and GET .../deploy/preview list the code changes since the version deployed to
that environment (all code for a first deploy) with a ``confirm_code``; a confirmation given for
other code (someone saved new code since) is refused (409) and writes nothing; a made-up code is
refused; the audit row names who confirmed and the hash. A deploy that changes no code needs no
confirmation. The CLI (a shell on the server: trusted) deploys without one and is recorded as such."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
PY = "result = {'n': len(inputs)}"


@pytest.fixture()
def staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "staging"
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS", json.dumps({"staging": str(folder)}))
    return folder


def python_spec(workflow_id: str, code: str = PY) -> dict[str, Any]:
    spec = chain_spec(workflow_id)
    spec["nodes"][1]["process"] = {"language": "python", "expression": code}
    return spec


def deploy(client: TestClient, auth: Headers, workflow_id: str, **body: Any) -> Any:
    return client.post(
        f"{API}/workflows/{workflow_id}/deploy", json={"environment": "staging", **body}, headers=auth("Op")
    )


def audit_rows(event: str, workflow_id: str) -> list[dict[str, Any]]:
    from airflow.models.log import Log
    from airflow.utils.session import create_session
    from sqlalchemy import select

    # By the workflow id in extra: the row's dag_id stays NULL until Airflow knows the DAG (audit.py).
    with create_session() as s:
        rows = s.scalars(select(Log).where(Log.event == event).order_by(Log.id)).all()
        found = [{"owner": r.owner, "extra": json.loads(r.extra or "{}")} for r in rows]
    return [row for row in found if row["extra"].get("workflow_id") == workflow_id]


def test_deploy_lists_code_and_needs_a_matching_confirmation(
    client: TestClient, auth: Headers, staging: Path
) -> None:
    wid = "confirm_code_wf"
    assert (
        client.post(f"{API}/workflows", json={"spec": python_spec(wid)}, headers=auth("Op")).status_code
        == 201
    )
    target = staging / f"{wid}.py"

    # No confirmation: 428 with the code that would go live (a first deploy: all of it).
    r = deploy(client, auth, wid)
    assert r.status_code == 428, r.text
    refusal = r.json()
    assert refusal["deployed_version"] is None and refusal["version"] == 1
    [change] = refusal["code_changes"]
    assert change["node_id"] == "p1" and change["pointer"] == "/nodes/1/process/expression"
    assert change["change"] == "added" and change["before"] is None and change["after"] == PY
    assert not target.exists()

    preview = client.get(
        f"{API}/workflows/{wid}/deploy/preview", params={"environment": "staging"}, headers=auth("Op")
    ).json()
    assert preview["confirm_code"] == refusal["confirm_code"] and preview["requires_confirmation"]
    assert client.get(f"{API}/workflows/{wid}/deploy/preview", headers=auth("User")).status_code == 403

    # A made-up confirmation (including anything that looks like the CLI's) approves nothing.
    for fake in ("cli", "0" * 64, ""):
        r = deploy(client, auth, wid, confirm_code=fake)
        assert r.status_code == 409, (fake, r.text)
        assert r.json()["confirm_code"] == refusal["confirm_code"]
    assert not target.exists()

    # Someone saves other code after the review: the old confirmation no longer matches.
    r = client.put(
        f"{API}/workflows/{wid}",
        json={"spec": python_spec(wid, "import os\nresult = dict(os.environ)"), "base_version": 1},
        headers=auth("Op"),
    )
    assert r.status_code == 200, r.text
    r = deploy(client, auth, wid, confirm_code=refusal["confirm_code"])
    assert r.status_code == 409, r.text
    assert "os.environ" in r.json()["code_changes"][0]["after"]
    assert not target.exists()
    # The same confirmation still approves the version it was given for.
    r = deploy(client, auth, wid, version=1, confirm_code=refusal["confirm_code"])
    assert r.status_code == 201, r.text
    assert target.is_file()
    row = audit_rows("canvas.workflow.deploy", wid)[-1]
    assert row["owner"] == "t_op"
    assert row["extra"]["code_confirmed_by"] == "t_op"
    assert row["extra"]["confirm_code"] == refusal["confirm_code"] and row["extra"]["code_changes"] == 1

    # Deploying v2 over v1 shows what changed since v1: before and after.
    r = deploy(client, auth, wid)
    assert r.status_code == 428, r.text
    [change] = r.json()["code_changes"]
    assert r.json()["deployed_version"] == 1
    assert change["change"] == "altered" and change["before"] == PY and "os.environ" in change["after"]
    assert deploy(client, auth, wid, confirm_code=r.json()["confirm_code"]).status_code == 201

    # Nothing about the code changes: no confirmation needed.
    spec = copy.deepcopy(client.get(f"{API}/workflows/{wid}", headers=auth("Op")).json()["spec"])
    spec["description"] = "Only the description changed"
    r = client.put(f"{API}/workflows/{wid}", json={"spec": spec, "base_version": 2}, headers=auth("Op"))
    assert r.status_code == 200, r.text
    r = deploy(client, auth, wid)
    assert r.status_code == 201, r.text
    assert "confirm_code" not in audit_rows("canvas.workflow.deploy", wid)[-1]["extra"]


def test_cli_deploy_is_trusted_and_recorded_as_cli(tmp_path: Path, staging: Path, airflow_db: Any) -> None:
    from airflow_canvas.cli import main

    wid = "confirm_cli_wf"
    spec_file = tmp_path / f"{wid}.json"
    spec_file.write_text(json.dumps(python_spec(wid)))
    assert main(["save", str(spec_file), "--deploy", "staging", "--author", "ops_shell"]) == 0
    assert (staging / f"{wid}.py").is_file()
    extra = audit_rows("canvas.workflow.deploy", wid)[-1]["extra"]
    assert extra["source"] == "cli" and extra["code_confirmation"] == "cli" and extra["code_changes"] == 1
