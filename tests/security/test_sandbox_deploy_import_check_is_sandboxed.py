"""The deploy-time import check runs the DAG file's module code, so it runs in the sandbox too: a
file whose import reads airflow.cfg, plants a file in the DAGs folder or calls the API on loopback
finds nothing to read, nowhere to write and no network, and still imports (Airflow works inside,
on a throwaway AIRFLOW_HOME)."""

from __future__ import annotations

import uuid
from pathlib import Path

from airflow_canvas.compiler.deploy import DeployError, check_import
from tests.security.sandbox_probe import LoopbackServer


def _hostile_dag(dag_id: str, cfg: Path, plant: Path, port: int, token: str) -> str:
    return f"""
import os, socket
from airflow.sdk import DAG

try:
    with open({str(cfg)!r}) as fh:
        raise RuntimeError("LEAKED airflow.cfg: " + fh.read(200))
except OSError:
    pass
try:
    with open({str(plant)!r}, "w") as fh:
        fh.write("planted")
except OSError:
    pass
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=3) as s:
        s.sendall({token.encode()!r})
except OSError:
    pass
if os.environ.get("AIRFLOW__CORE__FERNET_KEY") or os.environ.get("CANVAS_TEST_SECRET"):
    raise RuntimeError("LEAKED a secret from the environment")

with DAG(dag_id={dag_id!r}, schedule=None):
    pass
"""


def test_import_check_sees_no_config_dags_folder_secrets_or_network(
    airflow_db: Path, airflow_home: Path, dags_folder: Path, monkeypatch
) -> None:
    monkeypatch.setenv("CANVAS_TEST_SECRET", "s3cr3t")
    cfg = airflow_home / "airflow.cfg"
    assert cfg.is_file()  # written by `airflow db migrate` (the airflow_db fixture)
    plant = dags_folder / f"planted_{uuid.uuid4().hex}.py"
    token = f"canvas-{uuid.uuid4().hex}"
    with LoopbackServer().running() as server:
        try:
            check_import(_hostile_dag("hostile_probe", cfg, plant, server.port, token), "hostile_probe")
        except DeployError as exc:  # the import must work: only a leak would make it fail
            raise AssertionError(f"{exc}\n{exc.details}") from None
        finally:
            planted = plant.exists()
            plant.unlink(missing_ok=True)
        assert not planted, "the import check wrote into the DAGs folder"
        assert server.received == [], "the import check reached loopback"
