"""The interop routes on the real Airflow API server: operator catalogue, import, export, authz."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

# The API tests' fixtures (real API server app, FAB users per role, tokens), imported so pytest finds them.
from tests.integration.api.conftest import API, api_app, api_users, auth, chain_spec, client, tokens  # noqa: F401

SAMPLES = Path("/work/shared/interop-samples")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "interop-samples"

DAG_YAML = textwrap.dedent("""
    interop_api_dag:
      default_args: {owner: data, start_date: 2024-05-01}
      schedule: "@daily"
      task_groups:
        - group_name: grp
      tasks:
        - task_id: first
          operator: airflow.operators.bash.BashOperator
          bash_command: echo 1
        - task_id: second
          operator: airflow.operators.empty.EmptyOperator
          task_group_name: grp
          dependencies: [first]
""")


def test_operator_catalogue_search(client: Any, auth: Any) -> None:  # noqa: F811 - pytest fixtures
    r = client.get(f"{API}/catalogue/operators", params={"search": "http"}, headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    items = {i["name"]: i for i in r.json()["items"]}
    http = items["HttpOperator"]
    assert http["parameters_schema"]["properties"]["http_conn_id"]["format"] == "airflow-connection-id"
    assert http["provider"] == "apache-airflow-providers-http"
    everything = client.get(
        f"{API}/catalogue/operators", params={"limit": 500}, headers=auth("Viewer")
    ).json()
    assert everything["total"] >= len(everything["items"]) > 20
    assert client.get(f"{API}/catalogue/operators", headers=auth("NoCanvas")).status_code == 403


def test_import_save_and_export(client: Any, auth: Any) -> None:  # noqa: F811 - pytest fixtures
    body = {"filename": "dags/interop_api.yml", "content": DAG_YAML, "save": True}
    assert client.post(f"{API}/import", json=body, headers=auth("Viewer")).status_code == 403
    r = client.post(f"{API}/import", json=body, headers=auth("Op"))
    assert r.status_code == 200, r.text
    [result] = r.json()["results"]
    assert result["saved_version"] == 1
    assert [p for p in result["problems"] if p["severity"] == "error"] == []
    assert (
        result["workflow"]["nodes"][0]["operator"] == "airflow.providers.standard.operators.bash.BashOperator"
    )
    assert result["report"]["format"] == "dag-factory"
    assert any(i["severity"] == "info" for i in result["report"]["items"])  # the Airflow 2 path was moved

    r = client.get(
        f"{API}/workflows/interop_api_dag/export", params={"format": "dag-factory"}, headers=auth("Viewer")
    )
    assert r.status_code == 200, r.text
    assert 'filename="interop_api_dag.yml"' in r.headers["content-disposition"]
    dag = yaml.safe_load(r.text)["interop_api_dag"]
    assert [t["task_id"] for t in dag["tasks"]] == ["first", "second"]
    r = client.get(
        f"{API}/workflows/interop_api_dag/export", params={"format": "python"}, headers=auth("Viewer")
    )
    assert r.status_code == 200 and "airflow_canvas" not in r.text and 'dag_id="interop_api_dag"' in r.text
    r = client.get(f"{API}/workflows/interop_api_dag/export", headers=auth("Viewer"))
    assert r.json()["id"] == "interop_api_dag"
    bad = client.get(
        f"{API}/workflows/interop_api_dag/export", params={"format": "xml"}, headers=auth("Viewer")
    )
    assert bad.status_code == 422


def test_import_errors_and_non_operator_export(client: Any, auth: Any) -> None:  # noqa: F811 - pytest fixtures
    invalid = (SAMPLES / "dag-factory" / "invalid.yaml").read_text()
    r = client.post(
        f"{API}/import", json={"filename": "invalid.yaml", "content": invalid}, headers=auth("Op")
    )
    assert r.status_code == 422
    assert "invalid.yaml: not valid YAML at line 8" in r.json()["detail"]
    elyra = (SAMPLES / "elyra" / "hello-generic-world.pipeline").read_text()
    r = client.post(
        f"{API}/import", json={"filename": "hello.pipeline", "content": elyra}, headers=auth("Op")
    )
    assert r.status_code == 200 and r.json()["results"][0]["saved_version"] is None  # not asked to save
    assert len(r.json()["results"][0]["workflow"]["nodes"]) == 4
    spec = chain_spec("interop_api_chain")
    assert client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Op")).status_code == 201
    r = client.get(
        f"{API}/workflows/interop_api_chain/export", params={"format": "dag-factory"}, headers=auth("Viewer")
    )
    assert r.status_code == 422
    assert (
        r.json()["node_id"] == "start"
        and "dag-factory YAML can only hold operator nodes" in r.json()["detail"]
    )


def test_an_import_is_saved_whole_or_not_at_all(client: Any, auth: Any) -> None:  # noqa: F811 - pytest fixtures
    """Two DAGs in one file, the second's id already taken: nothing is saved (before, the first was
    stored and then the second answered 409, leaving half an import behind)."""
    first = DAG_YAML.replace("interop_api_dag:", "whole_import_first:")
    taken = DAG_YAML.replace("interop_api_dag:", "whole_import_taken:")
    body = {"filename": "taken.yml", "content": taken, "save": True}
    assert client.post(f"{API}/import", json=body, headers=auth("Op")).status_code == 200
    both = {"filename": "both.yml", "content": first + taken, "save": True}
    r = client.post(f"{API}/import", json=both, headers=auth("Op"))
    assert r.status_code == 409, r.text
    assert "whole_import_taken" in r.json()["detail"] and "nothing was saved" in r.json()["detail"]
    assert client.get(f"{API}/workflows/whole_import_first", headers=auth("Viewer")).status_code == 404
