"""The chain library and user templates from the lowest roles up: a Viewer can list and read but not
publish or save; a caller without canvas access gets 403 everywhere; a User (no Canvas Code) can
insert a chain holding code into their workflow but cannot save it, and cannot create a workflow from
a user template holding code: a chain or a template never carries code past the Code permission.
Ids in a chain request are checked like any spec id."""

from __future__ import annotations

import copy
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.integration.api.conftest import API
from tests.integration.api.test_chains import source_spec, target_spec

Headers = Callable[[str], dict[str, str]]


def _code_source(wid: str) -> dict[str, object]:
    spec = source_spec(wid)
    spec["nodes"][1]["process"] = {"language": "python", "expression": "result = {'clean': inputs['text']}"}
    return spec


def test_roles_on_the_chain_library(client: TestClient, auth: Headers) -> None:
    src = source_spec("sec_chain_src")
    body = {"spec": src, "group_id": "clean", "name": "sec_chain", "version": "1.0.0"}
    for role in ("Viewer", "User"):  # Canvas Tools "read" only
        r = client.post(f"{API}/chains", json=body, headers=auth(role))
        assert r.status_code == 403 and "Canvas Tools" in r.json()["detail"], (role, r.text)
    assert client.post(f"{API}/chains", json=body, headers=auth("Op")).status_code == 201
    assert client.get(f"{API}/chains", headers=auth("Viewer")).status_code == 200
    assert client.get(f"{API}/chains/sec_chain/1.0.0", headers=auth("Viewer")).status_code == 200
    tpl = {"spec": target_spec("sec_tpl_src"), "name": "sec_tpl", "parameters": []}
    assert client.put(f"{API}/user-templates/sec_tpl", json=tpl, headers=auth("Viewer")).status_code == 403
    assert client.put(f"{API}/user-templates/sec_tpl", json=tpl, headers=auth("Op")).status_code == 200
    assert client.delete(f"{API}/user-templates/sec_tpl", headers=auth("Viewer")).status_code == 403
    assert client.get(f"{API}/user-templates", headers=auth("Viewer")).status_code == 200

    calls = [
        ("get", "/chains", None),
        ("get", "/chains/sec_chain", None),
        ("get", "/chains/sec_chain/1.0.0", None),
        ("post", "/chains/preview", {"spec": src, "group_id": "clean", "name": "x"}),
        ("post", "/chains", body | {"version": "2.0.0"}),
        ("post", "/chains/status", {"spec": src}),
        ("post", "/chains/update", {"spec": src, "group_id": "clean"}),
        ("post", "/chains/sec_chain/1.0.0/insert", {"spec": target_spec("t")}),
        ("get", "/user-templates", None),
        ("put", "/user-templates/sec_tpl", tpl),
        ("post", "/user-templates/sec_tpl/instantiate", {"workflow_id": "x"}),
        ("delete", "/user-templates/sec_tpl", None),
    ]
    for method, path, payload in calls:
        kwargs = {} if payload is None else {"json": payload}
        r = client.request(method, f"{API}{path}", headers=auth("NoCanvas"), **kwargs)
        assert r.status_code == 403, (method, path, r.status_code)
        assert client.request(method, f"{API}{path}", **kwargs).status_code == 401, (method, path)
    # Nothing was written by the refused calls.
    assert [
        v["version"] for v in client.get(f"{API}/chains/sec_chain", headers=auth("Op")).json()["items"]
    ] == ["1.0.0"]


def test_a_chain_cannot_carry_code_past_the_code_permission(client: TestClient, auth: Headers) -> None:
    body = {
        "spec": _code_source("sec_code_src"),
        "group_id": "clean",
        "name": "sec_code_chain",
        "version": "1.0.0",
    }
    assert client.post(f"{API}/chains", json=body, headers=auth("Op")).status_code == 201

    dst = target_spec("sec_code_dst")
    assert client.post(f"{API}/workflows", json={"spec": dst}, headers=auth("User")).status_code == 201
    r = client.post(f"{API}/chains/sec_code_chain/1.0.0/insert", json={"spec": dst}, headers=auth("User"))
    assert r.status_code == 200  # computing the spec stores nothing
    r = client.put(
        f"{API}/workflows/sec_code_dst",
        json={"spec": r.json()["spec"], "base_version": 1},
        headers=auth("User"),
    )
    assert r.status_code == 403, r.text
    assert any(p["code"] == "E_CODE_PERMISSION" for p in r.json()["problems"])
    assert client.get(f"{API}/workflows/sec_code_dst", headers=auth("User")).json()["version"] == 1

    # A user template holding code: instantiating is reading, creating the workflow is writing code.
    tpl = {"spec": _code_source("sec_code_tpl_src"), "name": "sec_code_tpl", "parameters": []}
    assert client.put(f"{API}/user-templates/sec_code_tpl", json=tpl, headers=auth("Op")).status_code == 200
    r = client.post(
        f"{API}/user-templates/sec_code_tpl/instantiate",
        json={"workflow_id": "sec_from_tpl"},
        headers=auth("User"),
    )
    assert r.status_code == 200
    r = client.post(f"{API}/workflows", json={"spec": r.json()["spec"]}, headers=auth("User"))
    assert r.status_code == 403 and "Canvas Code" in r.json()["detail"]


def test_chain_requests_check_ids(client: TestClient, auth: Headers) -> None:
    dst = target_spec("sec_ids_dst")
    src = source_spec("sec_ids_src")
    assert (
        client.post(
            f"{API}/chains",
            json={"spec": src, "group_id": "clean", "name": "sec_ids", "version": "1.0.0"},
            headers=auth("Op"),
        ).status_code
        == 201
    )
    for bad in ("x; import os", "a.b", "", "__import__('os')"):
        r = client.post(
            f"{API}/chains/sec_ids/1.0.0/insert", json={"spec": dst, "group_id": bad}, headers=auth("User")
        )
        assert r.status_code == 422, (bad, r.text)
    # A spec smuggling a bad id inside the fragment source is refused before anything is stored.
    evil = copy.deepcopy(src)
    evil["nodes"][1]["id"] = "strip\nimport os"
    r = client.post(
        f"{API}/chains",
        json={"spec": evil, "group_id": "clean", "name": "sec_evil", "version": "1.0.0"},
        headers=auth("Op"),
    )
    assert r.status_code == 422
    assert client.get(f"{API}/chains/sec_evil", headers=auth("Op")).status_code == 404
    # A pin written by hand must be name@semver: anything else is a spec error naming the group.
    spec = dst | {"groups": [{"id": "g", "chain": "os.system('x')@1"}]}
    r = client.post(f"{API}/validate", json={"spec": spec}, headers=auth("User"))
    assert r.json()["valid"] is False
    assert any(p["pointer"] == "/groups/0/chain" for p in r.json()["problems"])
