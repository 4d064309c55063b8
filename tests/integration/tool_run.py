"""Deploy a workflow with the real deploy path and run it once with ``airflow dags test``; read the
XComs and task states back from the metadata DB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from airflow_canvas.compiler.deploy import deploy_workflow
from airflow_canvas.spec.load import parse_workflow


def deploy(spec: dict[str, Any], dags_folder: Path) -> str:
    return deploy_workflow(parse_workflow(spec), dags_folder).dag_id


def run_dag(dag_id: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("airflow")
    return subprocess.run(
        [str(exe), "dags", "test", dag_id],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def xcoms(dag_id: str) -> dict[tuple[str, str], Any]:
    """(task_id, key) -> value for the DAG's latest run."""
    from airflow import settings
    from airflow.models.dagrun import DagRun
    from airflow.models.xcom import XComModel
    from sqlalchemy import select

    with settings.Session() as session:
        run_id = session.scalar(
            select(DagRun.run_id).where(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).limit(1)
        )
        rows = session.execute(
            select(XComModel.task_id, XComModel.key, XComModel.value).where(
                XComModel.dag_id == dag_id, XComModel.run_id == run_id
            )
        ).all()
    return {(r.task_id, r.key): _decode(r.value) for r in rows}


def _decode(value: Any) -> Any:
    if isinstance(value, (bytes, str)):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def states(dag_id: str) -> dict[str, str | None]:
    from airflow import settings
    from airflow.models.taskinstance import TaskInstance
    from sqlalchemy import select

    with settings.Session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.state).where(TaskInstance.dag_id == dag_id)
        ).all()
    return {r.task_id: None if r.state is None else str(r.state) for r in rows}
