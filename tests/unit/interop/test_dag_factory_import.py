"""dag-factory YAML import: samples, inheritance, groups, dependencies, schedules, reports, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from airflow_canvas.importers import ImportError_, import_file, import_text
from airflow_canvas.importers.dag_factory_schedule import parse_condition
from airflow_canvas.spec.load import dump_workflow, parse_workflow
from airflow_canvas.validation import validate_workflow

SAMPLES = Path("/work/shared/interop-samples/dag-factory")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "interop-samples" / "dag-factory"
BASH = "airflow.providers.standard.operators.bash.BashOperator"


def _one(text: str, **kwargs):
    [result] = import_text(textwrap.dedent(text), "t.yml", **kwargs)
    return result


def test_basic_sample_maps_tasks_groups_and_group_dependencies():
    [result] = import_file(SAMPLES / "example_dag_factory.yml")
    wf = result.workflow
    assert wf.id == "basic_example_dag"
    assert [n.id for n in wf.nodes] == ["task_1", "task_2", "task_3"]
    assert {n.operator for n in wf.nodes} == {BASH}
    assert wf.node("task_3").group == "example_task_group"
    assert wf.node("task_1").parameters == {"bash_command": "echo 1"}
    assert {(e.source, e.target) for e in wf.edges} == {("task_1", "task_2"), ("task_1", "task_3")}
    assert wf.triggers.schedule.kind == "cron" and wf.triggers.schedule.value == "0 3 * * *"
    assert wf.settings.owner == "custom_owner" and wf.settings.start_date == "2024-11-11"
    assert wf.groups[0].description == "this is an example task group"
    paths = {i.path: i for i in result.report.items}
    assert paths["basic_example_dag/render_template_as_native_obj"].severity == "warning"
    assert (
        paths["basic_example_dag/tasks/task_1/operator"].severity == "info"
    )  # moved to the standard provider


def test_nested_groups_and_file_default_over_defaults_yml():
    [result] = import_file(SAMPLES / "example_task_group.yml")
    wf = result.workflow
    assert {g.id: g.parent for g in wf.groups} == {"task_group_1": None, "task_group_2": "task_group_1"}
    # the group task_group_1 depends on task_1: both its root tasks (task_2, and task_4 in the nested
    # group) get the edge, as Airflow's TaskGroup.set_upstream does
    assert {(e.source, e.target) for e in wf.edges} == {("task_1", "task_2"), ("task_1", "task_4")}
    assert wf.settings.owner == "default_owner"  # the file's `default` block beats defaults.yml
    assert wf.triggers.schedule.value == "0 1 * * *"  # schedule inherited from the `default` block


def test_defaults_yml_next_to_the_file_applies(tmp_path):
    (tmp_path / "defaults.yml").write_text(
        "default_args:\n  owner: team_a\n  retries: 3\nschedule: '@hourly'\n"
    )
    path = tmp_path / "d.yml"
    path.write_text("d:\n  tasks:\n    - task_id: t\n      operator: airflow.operators.empty.EmptyOperator\n")
    [result] = import_file(path)
    assert result.workflow.settings.owner == "team_a"
    assert result.workflow.defaults.retry.retries == 3
    assert result.workflow.triggers.schedule.value == "@hourly"
    assert result.workflow.nodes[0].operator == "airflow.providers.standard.operators.empty.EmptyOperator"


def test_params_and_callable_reference():
    [result] = import_file(SAMPLES / "example_params.yml")
    wf = result.workflow
    assert wf.params == {"model_version": "1.0.0", "input_uri": "localhost"}
    assert wf.settings.owner == "global_owner"  # from defaults.yml next to the file
    task_2 = wf.node("task_2")
    assert task_2.operator == "airflow.providers.standard.operators.python.PythonOperator"
    assert task_2.parameters == {
        "params": {"my_param": 10},
        "python_callable": {"$callable": "sample.read_params"},
    }
    assert wf.triggers.schedule.kind == "preset"


def test_dataset_schedules():
    results = {r.workflow.id: r for r in import_file(SAMPLES / "example_dag_datasets.yml")}
    consumer = results["example_simple_dataset_consumer_dag"].workflow
    assert consumer.triggers.assets.uris == [
        "s3://bucket_example/raw/dataset1.json",
        "s3://bucket_example/raw/dataset2.json",
    ]
    assert consumer.triggers.assets.mode == "and"
    nested = results["example_without_custom_config_condition_dataset_consumer_dag"].workflow
    assert nested.triggers.assets.condition == {
        "or": [
            {"and": ["s3://bucket-cjmm/raw/dataset_custom_1", "s3://bucket-cjmm/raw/dataset_custom_2"]},
            "s3://bucket-cjmm/raw/dataset_custom_3",
        ]
    }
    # outlets are kept (the compiler makes Assets of them); what can't map is reported
    producer = results["example_simple_dataset_producer_dag"].workflow
    assert producer.node("task_1").parameters["outlets"] == ["s3://bucket_example/raw/dataset1.json"]
    alias = results["example_simple_dataset_alias_dag"]
    assert "outlets" not in alias.workflow.node("task_1").parameters
    assert any(i.path.endswith("task_1/outlets") and i.severity == "error" for i in alias.report.items)
    # a datasets `file` is never read on import (it is a path on the importing machine): refused
    # with an error naming the key, and the workflow stays manual-only
    for dag_id in (
        "example_custom_config_dataset_consumer_dag",
        "example_custom_config_condition_dataset_consumer_dag",
    ):
        refused = results[dag_id]
        assert refused.workflow.triggers.assets is None
        [item] = [
            i for i in refused.report.items if i.path == f"{dag_id}/schedule/file" and i.severity == "error"
        ]
        assert "never reads files" in item.message
    outlets = results["example_custom_config_dataset_producer_dag"]
    assert "outlets" not in outlets.workflow.node("task_1").parameters
    at_file = [
        i
        for i in outlets.report.items
        if i.path == "example_custom_config_dataset_producer_dag/tasks/task_1/outlets/file"
    ]
    assert {i.severity for i in at_file} == {
        "error",
        "warning",
    }  # refused, and $CONFIG_ROOT_DIR kept as written
    assert any("$CONFIG_ROOT_DIR is kept as written" in i.message for i in at_file)


def test_datasets_file_is_refused_and_never_opened(tmp_path, monkeypatch):
    """Used to be read (after expanding $CONFIG_ROOT_DIR from the server's environment): a path
    chosen by the uploader, read on the server, and whether it existed showed in the report."""
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "ds.yml").write_text("datasets:\n  - name: a\n    uri: s3://x/a\n")
    text = """
        d:
          schedule:
            file: {root}/datasets/ds.yml
            datasets: "a"
          tasks:
            - task_id: t
              operator: airflow.providers.standard.operators.empty.EmptyOperator
    """
    monkeypatch.setenv("CONFIG_ROOT_DIR", str(tmp_path))
    by_variable = _one(text.format(root="$CONFIG_ROOT_DIR"))
    existing = _one(text.format(root=tmp_path))
    missing = _one(text.format(root=tmp_path / "nowhere"))
    for result in (by_variable, existing, missing):
        assert result.workflow.triggers.assets is None
        [refused] = [i for i in result.report.items if i.path == "d/schedule/file" and i.severity == "error"]
        assert "List the dataset URIs under `datasets`" in refused.message
        assert "s3://x/a" not in str(result.to_dict())
    # the same answer whether the path exists or not: nothing about the server's disk leaks
    assert existing.report.to_dict() == missing.report.to_dict()
    assert str(tmp_path) not in str(by_variable.to_dict())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["a", "b"], {"and": ["a", "b"]}),
        ("a | b | c", {"or": ["a", "b", "c"]}),
        ("(a & (b & c))", {"and": ["a", "b", "c"]}),
        ({"__or__": ["a", {"__and__": ["b", "c"]}]}, {"or": ["a", {"and": ["b", "c"]}]}),
        ("(a & b", None),
        ("a & | b", None),
    ],
)
def test_condition_parser(value, expected):
    assert parse_condition(value) == expected


def test_unmappable_tasks_become_reported_placeholders():
    result = _one("""
        d:
          default_args:
            start_date: 2024-02-03
            on_failure_callback:
              callback: airflow.providers.smtp.notifications.smtp.send_smtp_notification
              to: ops@example.com
          tasks:
            a:
              decorator: airflow.sdk.task
              python_callable_name: f
              python_callable_file: /x.py
            b:
              operator: airflow.providers.nosuch.operators.x.XOperator
              dependencies: [a]
            c:
              operator: airflow.operators.bash.BashOperator
              bash_command: echo
              not_an_arg: 1
              on_success_callback: mymodule.notify
              retries: 2
              retry_delay: {__type__: datetime.timedelta, minutes: 2}
              dependencies: [b, nowhere]
    """)
    wf = result.workflow
    assert [n.operator.rsplit(".", 1)[1] for n in wf.nodes] == [
        "EmptyOperator",
        "EmptyOperator",
        "BashOperator",
    ]
    assert {(e.source, e.target) for e in wf.edges} == {("a", "b"), ("b", "c")}
    assert wf.node("c").parameters == {"bash_command": "echo"}
    assert wf.node("c").execution.retry.retries == 2 and wf.node("c").execution.retry.delay_seconds == 120
    assert wf.notifications[0].notifier == "airflow.providers.smtp.notifications.smtp.send_smtp_notification"
    assert wf.notifications[0].parameters == {"to": "ops@example.com"} and wf.notifications[0].on == [
        "failure"
    ]
    messages = {i.path: i for i in result.report.items}
    assert messages["d/tasks/a"].severity == "error"
    assert "not installed" in messages["d/tasks/b/operator"].message
    assert messages["d/tasks/c/not_an_arg"].severity == "error"
    assert "plain function" in messages["d/tasks/c/on_success_callback"].message
    assert "nowhere" in messages["d/tasks/c/dependencies"].message
    # the result is a valid, editable workflow
    assert parse_workflow(dump_workflow(wf)) == wf
    assert [p for p in validate_workflow(wf) if p.severity == "error"] == []


def test_operator_missing_a_required_argument_becomes_a_placeholder():
    result = _one("""
        d:
          tasks:
            - task_id: py
              operator: airflow.operators.python.PythonOperator
              python_callable_name: f
              python_callable_file: /somewhere/f.py
    """)
    [node] = result.workflow.nodes
    assert node.operator.endswith("EmptyOperator") and "python_callable" in node.description
    assert any("needs python_callable" in i.message and i.severity == "error" for i in result.report.items)
    assert [p for p in validate_workflow(result.workflow) if p.severity == "error"] == []


def test_invalid_yaml_is_a_clear_error():
    with pytest.raises(ImportError_) as info:
        import_file(SAMPLES / "invalid.yaml")
    assert "invalid.yaml" in str(info.value) and "not valid YAML at line 8" in str(info.value)


def test_yaml_that_is_not_dag_factory_is_a_clear_error():
    with pytest.raises(ImportError_, match="not a dag-factory file.*'name'"):
        import_text("name: John\nage: 3\n", "people.yml")
    with pytest.raises(ImportError_, match="mapping"):
        import_text("- 1\n- 2\n", "list.yml")


def test_trigger_rules_and_schedule_interval():
    result = _one("""
        d:
          schedule_interval: "@hourly"
          tasks:
            a: {operator: airflow.operators.empty.EmptyOperator}
            b: {operator: airflow.operators.empty.EmptyOperator}
            cleanup: {operator: airflow.operators.empty.EmptyOperator, trigger_rule: all_done, dependencies: [a, b]}
            odd: {operator: airflow.operators.empty.EmptyOperator, trigger_rule: one_failed, dependencies: [a]}
    """)
    wf = result.workflow
    kinds = {(e.source, e.target): e.kind.value for e in wf.edges}
    assert kinds == {("a", "cleanup"): "trigger", ("b", "cleanup"): "trigger", ("a", "odd"): "dependency"}
    assert wf.triggers.schedule.value == "@hourly"
    paths = {i.path: i.severity for i in result.report.items}
    assert paths["d/tasks/odd/trigger_rule"] == "error" and paths["d/schedule_interval"] == "info"
