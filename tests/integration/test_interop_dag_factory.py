"""Every dag-factory sample: import -> validate -> compile -> the DAG Airflow parses has the same
task ids, dependencies, groups, operators and schedule as the DAG dag-factory 1.1 builds itself."""

from __future__ import annotations

import os
import shutil
import sys
import types
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("AIRFLOW__DAG_FACTORY__ENABLE_TELEMETRY", "False")
os.environ.setdefault("SCARF_NO_ANALYTICS", "True")

from airflow_canvas.compiler import compile_workflow  # noqa: E402
from airflow_canvas.importers import import_file  # noqa: E402
from airflow_canvas.validation import validate_workflow  # noqa: E402

SAMPLES = Path("/work/shared/interop-samples/dag-factory")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "interop-samples" / "dag-factory"
SAMPLE_FILES = sorted(
    p.name for p in SAMPLES.glob("*.y*ml") if p.name not in ("defaults.yml", "invalid.yaml")
)


@pytest.fixture
def dag_factory_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What the samples expect from their environment, for both builders alike: a `sample` module
    with the PythonOperator callable, and $CONFIG_ROOT_DIR/datasets/example_config_datasets.yml."""
    (tmp_path / "sample.py").write_text("def read_params(**context):\n    return context['params']\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "example_config_datasets.yml").write_text(
        "datasets:\n"
        + "".join(
            f"  - name: dataset_custom_{i}\n    uri: s3://bucket-cjmm/raw/dataset_custom_{i}\n"
            for i in (1, 2, 3)
        )
    )
    monkeypatch.setenv("CONFIG_ROOT_DIR", str(tmp_path))
    # dag-factory 1.1 still imports `airflow.datasets` for `__type__: airflow.datasets.DatasetAlias`;
    # Airflow 3 calls it airflow.sdk.AssetAlias. The shim serves only dag-factory's side.
    from airflow.sdk import Asset, AssetAlias

    shim = types.ModuleType("airflow.datasets")
    shim.DatasetAlias, shim.Dataset = AssetAlias, Asset  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "airflow.datasets", shim)
    return tmp_path


def dag_factory_dags(path: Path) -> dict[str, Any]:
    """The DAGs dag-factory 1.1 builds from ``path``.

    On Airflow 3, dag-factory 1.1 hands a ``schedule: {datasets: ..., file: ...}`` mapping to DAG()
    unchanged, which Airflow rejects; on Airflow 2 it turns it into an asset condition with
    ``DagBuilder._build_datasets_schedule`` / ``process_file_with_datasets``. We apply exactly those
    dag-factory functions first, so the reference is still dag-factory's own reading of the file."""
    from dagfactory._yaml import load_yaml_file
    from dagfactory.dagbuilder import DagBuilder
    from dagfactory.dagfactory import _DagFactory
    from dagfactory.utils import parse_list_datasets

    config = load_yaml_file(str(path))
    for name, dag in config.items():
        schedule = dag.get("schedule") if isinstance(dag, dict) and name != "default" else None
        if isinstance(schedule, dict) and "datasets" in schedule:
            if "file" in schedule:
                conditions = parse_list_datasets(schedule["datasets"])
                dag["schedule"] = DagBuilder.process_file_with_datasets(schedule["file"], conditions)
            else:
                dag["schedule"] = DagBuilder._build_datasets_schedule(schedule)
    return _DagFactory(config_dict=config, defaults_config_path=str(path.parent)).build_dags()


def canvas_dag(source: str, dag_id: str, folder: Path) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    file = folder / f"{dag_id}.py"
    file.write_text(source)
    bag = DagBag(dag_folder=str(file), safe_mode=False)
    assert not bag.import_errors, bag.import_errors
    return bag.dags[dag_id]


def structure(dag: Any) -> dict[str, Any]:
    from airflow.serialization.encoders import encode_timetable

    groups = dag.task_group.get_task_group_dict()
    return {
        "tasks": {
            t.task_id: {
                "upstream": sorted(t.upstream_task_ids),
                "group": t.task_group.group_id if t.task_group is not None else None,
                "operator": f"{type(t).__module__}.{type(t).__name__}",
                # asset outlets trigger consumer DAGs (aliases don't map; the import reports them)
                "outlets": [o.uri for o in t.outlets if type(o).__name__ == "Asset"],
            }
            for t in dag.tasks
        },
        "groups": {gid: g.parent_group.group_id for gid, g in groups.items() if gid},
        "timetable": encode_timetable(dag.timetable),
        "catchup": dag.catchup,
        # dag-factory leaves start_date in default_args, the canvas sets the DAG's: compare the date
        "start_date": str(dag.start_date or dag.default_args.get("start_date"))[:10],
        "owner": dag.default_args.get("owner"),
    }


def refuses_a_file(result: Any) -> bool:
    """dag-factory reads a datasets `file:` on the machine that parses the DAG; an import never
    reads a path named in the file it is given (it may run in the API server for any user), so it
    refuses the key with an error and leaves the schedule or outlets that depend on it out."""
    refused = [i for i in result.report.items if i.path.endswith("/file") and i.severity == "error"]
    assert all("never reads files" in i.message for i in refused)
    return bool(refused)


def without_file_reads(shape: dict[str, Any]) -> dict[str, Any]:
    """A DAG's structure without what a datasets `file:` decides (schedule and outlets)."""
    tasks = {task_id: {**task, "outlets": None} for task_id, task in shape["tasks"].items()}
    return {**shape, "timetable": None, "tasks": tasks}


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_matches_dag_factory(name: str, dag_factory_env: Path, tmp_path: Path) -> None:
    # dag-factory reads defaults.yml from the YAML's folder: give both builders the same folder.
    work = tmp_path / "yaml"
    work.mkdir()
    shutil.copy(SAMPLES / name, work / name)
    shutil.copy(SAMPLES / "defaults.yml", work / "defaults.yml")
    expected = dag_factory_dags(work / name)
    results = import_file(work / name)
    assert sorted(r.workflow.id for r in results) == sorted(expected)
    out = tmp_path / "dags"
    out.mkdir()
    for result in results:
        wf = result.workflow
        errors = [p for p in validate_workflow(wf) if p.severity == "error"]
        assert errors == [], errors
        compiled = compile_workflow(wf)
        ours = structure(canvas_dag(compiled.source, wf.id, out))
        theirs = structure(expected[wf.id])
        if refuses_a_file(result):
            ours, theirs = without_file_reads(ours), without_file_reads(theirs)
        assert ours == theirs, wf.id
        # dag-factory's Params, where it has any, are ours too
        assert dict(expected[wf.id].params.dump()) == dict(
            canvas_dag(compiled.source, wf.id, out).params.dump()
        )


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_dag_factory_export_round_trip(name: str, dag_factory_env: Path, tmp_path: Path) -> None:
    """import -> export as dag-factory YAML -> dag-factory builds the same DAGs as from the original."""
    from airflow_canvas.exporters import export_workflow

    work = tmp_path / "yaml"
    work.mkdir()
    shutil.copy(SAMPLES / name, work / name)
    shutil.copy(SAMPLES / "defaults.yml", work / "defaults.yml")
    expected = dag_factory_dags(work / name)
    exported = tmp_path / "exported"
    exported.mkdir()
    for result in import_file(work / name):
        file = exported / f"{result.workflow.id}.yml"
        file.write_text(export_workflow(result.workflow, "dag-factory"))
        [(dag_id, dag)] = dag_factory_dags(file).items()
        ours, theirs = structure(dag), structure(expected[dag_id])
        if refuses_a_file(result):
            ours, theirs = without_file_reads(ours), without_file_reads(theirs)
        assert ours == theirs, dag_id
