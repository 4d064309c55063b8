"""The operator-node path through the real API (issue 17, item 3): what the palette lists and what a
drop creates (`type: tool`, `operator: <path>`, empty parameters) is validated with problems naming
the node and the field, is saved only whole and only by a role with Canvas Code, and compiles into a
call whose arguments are literals."""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
BASH = "airflow.providers.standard.operators.bash.BashOperator"


def dropped(workflow_id: str, **node: Any) -> dict[str, Any]:
    """A chain with an operator node as the palette drops it (plus ``node``'s fields)."""
    spec = chain_spec(workflow_id)
    spec["nodes"].append(
        {"id": "bash", "type": "tool", "operator": BASH, "parameters": {}, "tool": None, **node}
    )
    return spec


def problems(client: TestClient, auth: Headers, spec: dict[str, Any]) -> list[dict[str, Any]]:
    r = client.post(f"{API}/validate", json={"spec": spec}, headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    return list(r.json()["problems"])


def test_the_palette_lists_bash_with_its_form(client: TestClient, auth: Headers) -> None:
    r = client.get(f"{API}/catalogue/operators", params={"search": "bash"}, headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    first = r.json()["items"][0]
    assert (first["name"], first["operator"]) == ("BashOperator", BASH)  # class-name matches rank first
    command = first["parameters_schema"]["properties"]["bash_command"]
    assert command["type"] == "string" and command["x-templated"] is True and command["description"]
    assert first["parameters_schema"]["required"] == ["bash_command"]


def test_a_dropped_operator_is_validated_field_by_field(client: TestClient, auth: Headers) -> None:
    [missing] = [p for p in problems(client, auth, dropped("op_api_v")) if p["severity"] == "error"]
    assert missing["code"] == "E_OPERATOR_PARAMETER_MISSING" and missing["node_id"] == "bash"
    assert missing["pointer"] == "/nodes/3/parameters" and "bash_command" in missing["message"]

    typo = dropped("op_api_v", parameters={"bash_comand": "echo"}, templates={"cwdd": "/tmp"})
    found = {p["pointer"]: p for p in problems(client, auth, typo)}
    assert found["/nodes/3/parameters/bash_comand"]["hint"] == "did you mean 'bash_command'?"
    assert found["/nodes/3/templates/cwdd"]["code"] == "E_OPERATOR_PARAMETER_UNKNOWN"

    bad_path = dropped("op_api_v", operator=f"{BASH}; import os", parameters={"bash_command": "x"})
    codes = {(p["code"], p["node_id"], p["pointer"]) for p in problems(client, auth, bad_path)}
    assert ("E_OPERATOR_PATH_INVALID", "bash", "/nodes/3/operator") in codes

    unknown = dropped("op_api_v", operator=BASH.replace("BashOperator", "BashOperater"))
    [p] = [p for p in problems(client, auth, unknown) if p["code"] == "E_OPERATOR_UNKNOWN"]
    assert p["node_id"] == "bash" and BASH in p["hint"]


def test_saving_needs_canvas_code_and_a_valid_node(client: TestClient, auth: Headers) -> None:
    spec = dropped("op_api_save", parameters={"bash_command": "echo {{ run_id }}"})
    # The lowest roles first: a Viewer may not write at all, a User may not add code.
    assert client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Viewer")).status_code == 403
    user = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("User"))
    assert user.status_code == 403 and "Canvas Code" in user.json()["detail"]
    assert client.get(f"{API}/workflows/op_api_save", headers=auth("Op")).status_code == 404

    # An Op with the required argument missing: refused whole, naming the node and field.
    incomplete = dropped("op_api_save")
    r = client.post(f"{API}/workflows", json={"spec": incomplete}, headers=auth("Op"))
    assert r.status_code == 422, r.text
    assert any(
        p["code"] == "E_OPERATOR_PARAMETER_MISSING" and p["node_id"] == "bash" for p in r.json()["problems"]
    )
    assert client.get(f"{API}/workflows/op_api_save", headers=auth("Op")).status_code == 404

    r = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Op"))
    assert r.status_code == 201, r.text
    stored = client.get(f"{API}/workflows/op_api_save", headers=auth("User")).json()["spec"]
    node = next(n for n in stored["nodes"] if n["id"] == "bash")
    assert (node["operator"], node["parameters"]) == (BASH, {"bash_command": "echo {{ run_id }}"})

    # A User may not change the operator's arguments either (they are code).
    changed = copy.deepcopy(stored)
    next(n for n in changed["nodes"] if n["id"] == "bash")["parameters"]["bash_command"] = "rm -rf /tmp/x"
    r = client.put(
        f"{API}/workflows/op_api_save",
        json={"spec": changed, "base_version": 1},
        headers=auth("User"),
    )
    assert r.status_code == 403, r.text


def test_arguments_compile_as_literals(client: TestClient, auth: Headers) -> None:
    hostile = "x\"); __import__('os').system('id'); (\""
    spec = dropped("op_api_compile", parameters={"bash_command": hostile, "env": {"A": "{{ run_id }}"}})
    r = client.post(f"{API}/compile", json={"spec": spec}, headers=auth("Op"))
    assert r.status_code == 200, r.text
    tree = ast.parse(r.json()["source"])
    [call] = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "BashOperator"
    ]
    kwargs = {k.arg: k.value for k in call.keywords}
    assert ast.literal_eval(kwargs["bash_command"]) == hostile
    assert ast.literal_eval(kwargs["env"]) == {"A": "{{ run_id }}"}
