"""`airflow-canvas save`: spec files become canvas versions (and deployments), with audit rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _canvas(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("airflow-canvas")
    return subprocess.run(
        [str(exe), *args], env=os.environ.copy(), capture_output=True, text=True, timeout=300
    )


def test_save_creates_versions_skips_unchanged_and_deploys(
    airflow_db: Path, dags_folder: Path, tmp_path: Path
) -> None:
    from airflow.models.log import Log
    from airflow.utils.session import create_session

    from airflow_canvas.store import repository as repo

    spec = json.loads((REPO / "examples" / "nightly_report.json").read_text())
    spec["id"] = "cli_saved_report"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(spec))

    first = _canvas("save", str(path), "-m", "first", "--author", "ada", "--deploy", "dev")
    assert first.returncode == 0, first.stderr
    assert "created as cli_saved_report version 1" in first.stdout
    assert (dags_folder / "cli_saved_report.py").exists()

    again = _canvas("save", str(path))
    assert "unchanged as cli_saved_report version 1" in again.stdout

    spec["description"] = "Changed by hand"
    path.write_text(json.dumps(spec))
    changed = _canvas("save", str(path), "-m", "second", "--author", "ada")
    assert "saved as cli_saved_report version 2" in changed.stdout

    with create_session() as session:
        versions = repo.list_versions(session, "cli_saved_report")
        # Rows carry dag_id only once Airflow has the DAG (service/audit.py): match the workflow id in extra.
        events = [
            row.event
            for row in session.query(Log).filter(Log.event.like("canvas.%")).order_by(Log.id)
            if json.loads(row.extra or "{}").get("workflow_id") == "cli_saved_report"
        ]
        deployments = repo.current_deployments(session, "cli_saved_report")
    assert len(versions[0] if isinstance(versions, tuple) else versions) == 2
    assert events == ["canvas.workflow.create", "canvas.workflow.deploy", "canvas.workflow.save"]
    assert deployments["dev"].version_number == 1


def test_save_refuses_an_invalid_file_and_stores_nothing(airflow_db: Path, tmp_path: Path) -> None:
    from airflow.utils.session import create_session

    from airflow_canvas.store import repository as repo
    from airflow_canvas.store.errors import NotFound

    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "id": "cli_bad",
                "nodes": [{"id": "a", "type": "process"}],
                "edges": [{"source": "a", "target": "ghost"}],
            }
        )
    )
    result = _canvas("save", str(bad))
    assert result.returncode == 1
    assert "ghost" in result.stderr
    with create_session() as session:
        try:
            repo.get_workflow(session, "cli_bad")
        except NotFound:
            pass
        else:
            raise AssertionError("an invalid spec was stored")
