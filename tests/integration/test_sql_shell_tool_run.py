"""A real DAG run of a generated file with a SQL tool (a SQLite connection from AIRFLOW_CONN_*,
run through the connection's hook) feeding a shell tool (bash, inputs in INPUT_* and on stdin):
the file imports in a DagBag, ``airflow dags test`` runs it, the XComs hold the rows and the
shell tool's JSON output; a customer name holding SQL and shell syntax stays data on the way."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.tool_run import deploy, states, xcoms
from tests.integration.tools.sql_shell_specs import workflow

pytestmark = pytest.mark.slow
HOSTILE = "ada'; DROP TABLE orders; -- $(touch /tmp/canvas-pwned) `id`"


def _database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE orders (id INTEGER, customer TEXT, amount NUMERIC, placed DATE)")
        db.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?)",
            [(1, "ada", 12.5, "2026-01-02"), (2, "bob", 3, "2026-01-03"), (3, HOSTILE, 7, "2026-01-04")],
        )


def _run(dag_id: str, db: Path, conf: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AIRFLOW_CONN_CANVAS_ORDERS_DB": json.dumps({"conn_type": "sqlite", "host": str(db)}),
    }
    airflow = Path(sys.executable).with_name("airflow")
    return subprocess.run(
        [str(airflow), "dags", "test", dag_id, "-c", json.dumps(conf)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def deployed(airflow_db: Path, dags_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("orders") / "orders.db"
    _database(db)
    dag_id = deploy(workflow("canvas_sql_shell_run", "canvas_orders_db"), dags_folder)
    return {"dag_id": dag_id, "db": db, "dags_folder": dags_folder}


def test_generated_file_imports_in_a_dagbag(deployed: dict[str, Any]) -> None:
    from airflow.dag_processing.dagbag import DagBag

    path = deployed["dags_folder"] / f"{deployed['dag_id']}.py"
    text = path.read_text()
    assert "SELECT" not in text and "INPUT_" not in text  # the tools' code is bundled, not in the file
    bag = DagBag(dag_folder=str(path), safe_mode=False)
    assert bag.import_errors == {}
    dag = bag.get_dag(deployed["dag_id"])
    assert {t.task_id for t in dag.tasks} == {"start", "orders", "summary"}


@pytest.mark.parametrize("customer, orders", [("ada", [1]), (HOSTILE, [3])])
def test_run_binds_values_and_passes_them_as_data(
    deployed: dict[str, Any], customer: str, orders: list
) -> None:
    dag_id = deployed["dag_id"]
    result = _run(dag_id, deployed["db"], {"customer": customer})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert states(dag_id) == {"start": "success", "orders": "success", "summary": "success"}
    x = xcoms(dag_id)
    rows = x[("orders", "return_value")]
    assert [r["id"] for r in rows] == orders
    assert x[("summary", "return_value")] == {"customer": customer, "orders": len(orders)}
    assert not Path("/tmp/canvas-pwned").exists()
    with sqlite3.connect(deployed["db"]) as db:  # the injection attempt dropped nothing
        assert db.execute("SELECT count(*) FROM orders").fetchone() == (3,)
