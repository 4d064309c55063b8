"""Tool code run from the API server cannot write into the DAGs folder or the plugins folder (a
file there is code that Airflow's DAG processor, scheduler or API server would then run)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.security.sandbox_probe import via_api, via_runner


@pytest.fixture
def targets(dags_folder: Path, airflow_home: Path) -> list[Path]:
    from airflow.configuration import conf

    plugins = Path(conf.get("core", "plugins_folder"))
    plugins.mkdir(parents=True, exist_ok=True)  # exists on the host: only the sandbox can stop a write
    name = f"canvas_sandbox_probe_{uuid.uuid4().hex}.py"
    paths = [dags_folder / name, plugins / name]
    yield paths
    for path in paths:
        path.unlink(missing_ok=True)


def _writer(paths: list[Path]) -> str:
    return f"""
wrote = []
for path in {[str(p) for p in paths]!r}:
    try:
        with open(path, "w") as fh:
            fh.write("print('planted by a tool')\\n")
        wrote.append(path)
    except OSError:
        pass
return wrote
"""


def test_node_test_as_op_cannot_plant_dag_or_plugin_files(client, auth, targets: list[Path]) -> None:  # noqa: F811
    report = via_api(client, auth("Op"), _writer(targets))
    assert [p for p in targets if p.exists()] == []
    assert report["ok"] and report["output"] == [], report


def test_runner_cannot_plant_dag_or_plugin_files(targets: list[Path]) -> None:
    result = via_runner(_writer(targets))
    assert [p for p in targets if p.exists()] == []
    assert result.ok and result.output == [], result
