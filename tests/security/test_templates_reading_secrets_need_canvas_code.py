"""A User (may edit workflows, lacks Canvas Code) tries to read secrets through Jinja.

A canvas node's ``templates`` and a notification's texts are rendered by Airflow with the whole
task context: ``{{ conn.<id>.password | reverse }}`` in a published tool's argument put a
connection's password (past the secrets masker) into the run's output, ``{{ var.value.<key> }}``
any Variable, ``{{ ti.xcom_pull(dag_id=...) }}`` another DAG's XComs; a notification e-mailed them
to any address. These were "not code", so a User saved them and a deploy showed nothing to
confirm. Now a template that reads more than run data is executable code: a User gets a 403 naming
the node and field, nothing is stored, and an Op's deploy lists it for confirmation. Templates over
run data (``params``, the dates, ``run_id``, ``ti.task_id``) stay open to Users."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
_seq = itertools.count()

SECRET_READERS = [
    "{{ conn.prod_db.password | reverse }}",
    "{{ conn['prod_db'].password }}",
    "{{ var.value.api_key }}",
    "{{ var.json.settings }}",
    "{{ ti.xcom_pull(dag_id='payroll', task_ids='load') }}",
    "{{ ti.get_template_context()['conn'].prod_db.password }}",
    "{{ task_instance.get_template_context }}",
    "{{ macros.ds_add(ds, 1) }}",
    "{% include 'other_dag.py' %}",
    "{% for ti in [conn] %}{{ ti.prod_db.password }}{% endfor %}",
    "{% set p = conn %}{{ p.prod_db.password }}",
    "{{ params | attr('items') }}",
]
RUN_DATA = "{{ params.region | upper }} {{ ds }} {{ run_id }} {{ ti.task_id }} {{ dag.dag_id }}"


def wid() -> str:
    return f"tmpl_{next(_seq)}"


def with_template(spec: dict[str, Any], text: str) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    spec["nodes"][1]["templates"] = {"token": text}
    return spec


def with_notification(spec: dict[str, Any], text: str) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    spec["notifications"] = [{"notifier": "smtp", "to": ["someone@example.com"], "message": text}]
    return spec


def create(client: TestClient, auth: Headers, role: str, spec: dict[str, Any]) -> Any:
    return client.post(f"{API}/workflows", json={"spec": spec}, headers=auth(role))


def assert_refused(r: Any, node_id: str | None, pointer: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert "Canvas Code" in body["detail"] and "Nothing was stored" in body["detail"]
    assert any(p["code"] == "E_CODE_PERMISSION" and p["pointer"] == pointer for p in body["problems"]), body
    assert any(c["node_id"] == node_id and c["kind"] == "template" for c in body["code_changes"]), body


@pytest.mark.parametrize("text", SECRET_READERS)
def test_user_cannot_create_a_node_template_that_reads_secrets(
    client: TestClient, auth: Headers, text: str
) -> None:
    spec = with_template(chain_spec(wid()), text)
    assert_refused(create(client, auth, "User", spec), "p1", "/nodes/1/templates/token")
    assert client.get(f"{API}/workflows/{spec['id']}", headers=auth("Op")).status_code == 404


@pytest.mark.parametrize("text", SECRET_READERS[:6])
def test_user_cannot_add_a_notification_text_that_reads_secrets(
    client: TestClient, auth: Headers, text: str
) -> None:
    spec = chain_spec(wid())
    assert create(client, auth, "User", spec).status_code == 201
    r = client.put(
        f"{API}/workflows/{spec['id']}",
        json={"spec": with_notification(spec, text), "base_version": 1},
        headers=auth("User"),
    )
    assert_refused(r, None, "/notifications/0/message")
    head = client.get(f"{API}/workflows/{spec['id']}", headers=auth("Op")).json()
    assert head["version"] == 1 and not head["spec"].get("notifications")


def test_user_may_write_templates_over_run_data(client: TestClient, auth: Headers) -> None:
    spec = with_notification(with_template(chain_spec(wid()), RUN_DATA), f"Run {RUN_DATA} failed")
    spec["params"] = {"region": "eu"}
    assert create(client, auth, "User", spec).status_code == 201


def test_op_may_and_the_deploy_lists_the_template_for_confirmation(client: TestClient, auth: Headers) -> None:
    spec = with_template(chain_spec(wid()), SECRET_READERS[0])
    assert create(client, auth, "Op", spec).status_code == 201
    preview = client.get(f"{API}/workflows/{spec['id']}/deploy/preview", headers=auth("Op"))
    assert preview.status_code == 200, preview.text
    changes = preview.json()["code_changes"]
    assert any(c["kind"] == "template" and c["after"] == SECRET_READERS[0] for c in changes), changes
    assert preview.json()["requires_confirmation"]
