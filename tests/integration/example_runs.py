"""Helpers to deploy workflows into the test dags folder and run them for real with
`airflow dags test`, then read what happened from the metadata DB. Shared by the example-run
tests (and by anyone else who needs a real run of a generated DAG)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airflow_canvas.compiler.deploy import deploy_workflow
from airflow_canvas.spec.load import load_workflow_file, parse_workflow
from airflow_canvas.spec.models import Workflow
from tests.conftest import REPO, airflow_cli

EXAMPLES = REPO / "examples"
AGENT_EXAMPLES = {"research_assistant"}  # need an LLM endpoint: compiled and imported only


def example_workflows() -> dict[str, Workflow]:
    return {p.stem: load_workflow_file(p) for p in sorted(EXAMPLES.glob("*.json"))}


def deploy(wf: Workflow | dict[str, Any], dags_folder: Path, *, import_check: bool = False) -> Path:
    workflow = wf if isinstance(wf, Workflow) else parse_workflow(wf)
    return deploy_workflow(workflow, dags_folder, import_check=import_check).path


@dataclass
class RunResult:
    dag_id: str
    run_id: str
    state: str
    tasks: dict[str, dict[str, Any]]  # task_id -> {state, try_number, map_index -> ...}
    log: str

    def output(self, task_id: str, map_index: int = -1) -> Any:
        return xcom_value(self.dag_id, self.run_id, task_id, map_index=map_index)

    def state_of(self, task_id: str) -> str | None:
        return self.tasks.get(task_id, {}).get("state")


def run_dag(dag_id: str, conf: dict[str, Any] | None = None, *, timeout: float = 300) -> RunResult:
    """One real DAG run (`airflow dags test`), then its states as the metadata DB records them."""
    args = ["dags", "test", dag_id]
    if conf:
        args += ["-c", json.dumps(conf)]
    proc = airflow_cli(*args, check=False, timeout=timeout)
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        run = session.query(DagRun).filter(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).first()
        if run is None:
            raise AssertionError(
                f"no run of {dag_id} was recorded:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        tis = session.query(TaskInstance).filter(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id
        )
        tasks: dict[str, dict[str, Any]] = {}
        for ti in tis:
            entry = tasks.setdefault(ti.task_id, {"instances": {}})
            entry["instances"][ti.map_index] = {"state": str(ti.state), "try_number": ti.try_number}
            if ti.map_index in (-1, 0):
                entry["state"] = str(ti.state)
                entry["try_number"] = ti.try_number
        return RunResult(dag_id, run.run_id, str(run.state), tasks, proc.stdout + proc.stderr)


def xcom_value(
    dag_id: str, run_id: str, task_id: str, *, key: str = "return_value", map_index: int = -1
) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter_by(dag_id=dag_id, run_id=run_id, task_id=task_id, key=key, map_index=map_index)
            .one_or_none()
        )
        return None if row is None else XComModel.deserialize_value(row)
