"""Deploy a workflow into the test dags folder (the compiler engineer's example-run helper) and run
it for real with ``airflow dags test`` (tasks in real task-runner subprocesses) with extra
environment (connections, [metrics] settings) for that run only, which example_runs.run_dag has no
way to pass. `dags test` prints the task logs
to its own output rather than to log files, so tests read the logs from the result."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.integration import example_runs


def deploy(spec: dict[str, Any], dags_folder: Path) -> str:
    return example_runs.deploy(spec, dags_folder).stem


def run_dag(
    dag_id: str, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("airflow")
    return subprocess.run(
        [str(exe), "dags", "test", dag_id],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def task_instances(dag_id: str) -> list[tuple[str, int, str | None, int]]:
    """(task_id, map_index, state, try_number) of every task instance of the DAG's runs."""
    from airflow import settings
    from airflow.models.taskinstance import TaskInstance
    from sqlalchemy import select

    with settings.Session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state, TaskInstance.try_number)
            .where(TaskInstance.dag_id == dag_id)
            .order_by(TaskInstance.task_id, TaskInstance.map_index)
        ).all()
    return [(r.task_id, r.map_index, None if r.state is None else str(r.state), r.try_number) for r in rows]
