"""Every example compiles, imports into a DagBag without errors, and every non-agent example
completes a real DAG run in Airflow 3.3 with data flowing between nodes as mapped. A purpose-built
workflow fails nodes on purpose to show retries, on_error=continue/skip and fallbacks at run time.

Runs are few and small (each `airflow dags test` takes several seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.example_runs import AGENT_EXAMPLES, deploy, example_workflows, run_dag

pytestmark = [pytest.mark.slow]

RUNNABLE = sorted(set(example_workflows()) - AGENT_EXAMPLES)


@pytest.fixture(scope="module")
def deployed(airflow_db: Path, dags_folder: Path) -> dict[str, Path]:
    return {name: deploy(wf, dags_folder) for name, wf in example_workflows().items()}


def test_examples_import_into_a_dagbag(deployed: dict[str, Path], dags_folder: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_folder), safe_mode=True)
    # Other test modules share the folder: judge the example files only.
    ours = {path for path in bag.import_errors if Path(path).stem in deployed}
    assert ours == set(), {p: bag.import_errors[p] for p in ours}
    assert set(example_workflows()) <= set(bag.dag_ids)
    # Tool code is bundled beside the DAGs and hidden from the DAG processor.
    # Content-addressed: <version>-<sha256 of the file>.json, the digest the DAG pins.
    assert list((dags_folder / "_canvas_tools" / "keyword_score").glob("1.0.0-*.json"))
    assert "_canvas_tools/" in (dags_folder / ".airflowignore").read_text()


def test_ticket_triage_routes_a_billing_ticket(deployed: dict[str, Path]) -> None:
    run = run_dag("ticket_triage")
    assert run.state == "success", run.log[-4000:]
    assert run.output("triage.classify.score") == {
        "category": "billing",
        "confidence": 1.0,
        "keywords": ["charged", "money"],
    }
    assert run.state_of("triage.classify.score__branch") == "success"
    assert run.state_of("triage.respond.general_reply") == "skipped"
    assert run.output("triaged") == {
        "queue": "billing",
        "subject": "Refund for order 1042",
        "category": "billing",
        "keywords": ["charged", "money"],
    }


def test_doc_summarisation_maps_one_task_per_paragraph(deployed: dict[str, Path]) -> None:
    run = run_dag("doc_summarisation")
    assert run.state == "success", run.log[-4000:]
    instances = run.tasks["summarise"]["instances"]
    assert sorted(instances) == [0, 1, 2]
    assert all(i["state"] == "success" for i in instances.values())
    assert run.output("summarise", map_index=1) == {
        "summary": "The canvas compiles workflows to DAG files.",
        "sentences": 2,
    }
    assert run.output("summary") == {
        "summary": "Airflow runs workflows as DAGs. The canvas compiles workflows to DAG files. "
        "Tools are versioned.",
        "paragraphs": 3,
    }


def test_data_quality_check_falls_back_to_the_local_validator(deployed: dict[str, Path]) -> None:
    run = run_dag("data_quality_check")
    assert run.state == "success", run.log[-4000:]
    assert run.state_of("checks.validation.remote_validate") == "failed"
    assert run.tasks["checks.validation.remote_validate"]["try_number"] == 1  # retries=0 on the node
    assert run.state_of("checks.validation.local_validate") == "success"
    assert run.output("verdict") == {"passed": True, "null_ratio": 0.167, "validator": "local", "rows": 6}
    assert run.state_of("audit") == "success"


def test_nightly_report_runs_an_airflow_operator(deployed: dict[str, Path]) -> None:
    run = run_dag("nightly_report")
    assert run.state == "success", run.log[-4000:]
    assert run.state_of("render") == "success"
    assert run.output("publish") == {"title": "Nightly report", "tickets": 42, "summaries": 3}
    assert run.state_of("cleanup") == "success"


def test_every_runnable_example_is_covered() -> None:
    assert RUNNABLE == ["data_quality_check", "doc_summarisation", "nightly_report", "ticket_triage"]


FLAKY = """import os
marker = parameters["marker"]
if not os.path.exists(marker):
    open(marker, "w").close()
    raise RuntimeError("the first try fails on purpose")
result = {"note": parameters["note"], "run_date": parameters["run_date"], "label": inputs["label"]}"""


def failing_workflow(marker: Path) -> dict:
    fail = "raise RuntimeError('fails on purpose')"
    return {
        "id": "canvas_failures",
        "description": "Ends in .md",
        "nodes": [
            {
                "id": "start",
                "type": "input",
                "input_schema": {
                    "type": "object",
                    "properties": {"label": {"type": "string", "default": "{{ 6*7 }} stays literal"}},
                },
            },
            {
                "id": "flaky",
                "type": "process",
                "description": "{{ 7*7 }}",
                "process": {"language": "python", "expression": FLAKY},
                "parameters": {"marker": str(marker), "note": "{{ 7*7 }}"},
                "templates": {"run_date": "{{ ds }}"},
                "execution": {"retry": {"retries": 1, "delay_seconds": 0}},
            },
            {
                "id": "broken",
                "type": "process",
                "process": {"language": "python", "expression": fail},
                "execution": {"on_error": "continue"},
            },
            {
                "id": "after_broken",
                "type": "process",
                "process": {
                    "language": "python",
                    "expression": "result = {'upstream': inputs.get('broken')}",
                },
            },
            {
                "id": "skipper",
                "type": "process",
                "process": {"language": "python", "expression": fail},
                "execution": {"on_error": "skip"},
            },
            {"id": "after_skip", "type": "process", "process": {"language": "jmespath", "expression": "@"}},
        ],
        "edges": [
            {"source": "start", "target": "flaky", "mapping": [{"source": "label", "target": "label"}]},
            {"source": "broken", "target": "after_broken", "mapping": [{"source": "", "target": "broken"}]},
            {"source": "skipper", "target": "after_skip"},
        ],
    }


def test_retries_continue_and_skip_at_run_time(airflow_db: Path, dags_folder: Path, tmp_path: Path) -> None:
    deploy(failing_workflow(tmp_path / "flaky-marker"), dags_folder, import_check=True)
    run = run_dag("canvas_failures")
    assert run.state == "success", run.log[-4000:]
    # Retried once, then succeeded; parameters stayed literal while `templates` were rendered.
    assert run.tasks["flaky"]["try_number"] == 2
    out = run.output("flaky")
    assert out["note"] == "{{ 7*7 }}"
    assert out["label"] == "{{ 6*7 }} stays literal"
    assert out["run_date"][:2] == "20" and len(out["run_date"]) == 10
    # on_error=continue: the node fails, its downstream runs anyway (with no input from it).
    assert run.state_of("broken") == "failed"
    assert run.output("after_broken") == {"upstream": None}
    # on_error=skip: the node is skipped and so is what depends on it.
    assert run.state_of("skipper") == "skipped"
    assert run.state_of("after_skip") == "skipped"
