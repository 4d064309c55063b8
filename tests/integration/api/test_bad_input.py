"""Bad input gets a clear 4xx and leaves the store exactly as it was: malformed JSON, wrong types,
oversized bodies, invalid specs (cycles, unknown fields), unknown ids and versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]


def snapshot() -> dict[str, Any]:
    """Every row of every canvas table: the store 'unchanged' means this is equal before and after."""
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from airflow_canvas.store.models import metadata

    with create_session() as s:
        return {
            name: sorted(map(tuple, s.execute(select(table)).all()), key=repr)
            for name, table in metadata.tables.items()
        }


@pytest.fixture(scope="module")
def existing(client: TestClient, auth: Headers) -> str:
    wid = "bad_input_wf"
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(wid)}, headers=auth("Admin"))
    assert r.status_code in (201, 409)
    return wid


def cyclic(wid: str) -> dict[str, Any]:
    spec = chain_spec(wid, 4)
    spec["edges"].append({"source": "p2", "target": "p1"})
    return spec


CASES: list[tuple[str, str, str, Any, int, str]] = [
    # (name, method, path, body (str = raw bytes), expected status, text expected in detail/problems)
    ("malformed json", "POST", "/workflows", '{"spec": {"id": "x",', 400, "Malformed JSON"),
    ("body not an object", "POST", "/workflows", "[1, 2]", 422, "body"),
    ("spec wrong type", "POST", "/workflows", {"spec": "a string"}, 422, "spec"),
    ("missing spec", "POST", "/workflows", {"message": "no spec"}, 422, "spec"),
    (
        "unknown node type",
        "POST",
        "/workflows",
        {"spec": {"id": "bad_type", "nodes": [{"id": "a", "type": "teleport"}]}},
        422,
        "nodes.0.type",
    ),
    (
        "unknown field",
        "POST",
        "/workflows",
        {"spec": {"id": "bad_field", "nodez": []}},
        422,
        "E_FIELD_UNKNOWN",
    ),
    ("invalid id", "POST", "/workflows", {"spec": {"id": "no spaces allowed"}}, 422, "E_ID_INVALID"),
    ("cycle on create", "POST", "/workflows", {"spec": cyclic("bad_cycle")}, 422, "p1"),
    (
        "cycle on save",
        "PUT",
        "/workflows/bad_input_wf",
        {"spec": cyclic("bad_input_wf"), "base_version": 1},
        422,
        "p1",
    ),
    (
        "base_version wrong type",
        "PUT",
        "/workflows/bad_input_wf",
        {"spec": chain_spec("bad_input_wf"), "base_version": "latest"},
        422,
        "base_version",
    ),
    (
        "id mismatch on save",
        "PUT",
        "/workflows/bad_input_wf",
        {"spec": chain_spec("other_id"), "base_version": 1},
        409,
        "differs",
    ),
    ("duplicate id", "POST", "/workflows", {"spec": chain_spec("bad_input_wf")}, 409, "already exists"),
    ("unknown workflow get", "GET", "/workflows/nope_nope", None, 404, "not found"),
    (
        "unknown workflow save",
        "PUT",
        "/workflows/nope_nope",
        {"spec": chain_spec("nope_nope"), "base_version": 1},
        404,
        "not found",
    ),
    ("unknown workflow delete", "DELETE", "/workflows/nope_nope", None, 404, "not found"),
    ("unknown version", "GET", "/workflows/bad_input_wf/versions/999", None, 404, "no version 999"),
    (
        "unknown diff version",
        "GET",
        "/workflows/bad_input_wf/diff?from=1&to=999",
        None,
        404,
        "no version 999",
    ),
    ("diff missing params", "GET", "/workflows/bad_input_wf/diff", None, 422, "from"),
    ("rollback unknown version", "POST", "/workflows/bad_input_wf/rollback", {"version": 999}, 404, "999"),
    (
        "branch from unknown version",
        "POST",
        "/workflows/bad_input_wf/branches",
        {"name": "b", "from_version": 999},
        404,
        "999",
    ),
    ("merge unknown branch", "POST", "/workflows/bad_input_wf/merge", {"source": "ghost"}, 404, "ghost"),
    ("unknown environment", "POST", "/workflows/bad_input_wf/deploy", {"environment": "mars"}, 404, "mars"),
    ("undeploy not deployed", "DELETE", "/workflows/bad_input_wf/deploy/dev", None, 404, "not deployed"),
    ("runs of undeployed dag", "POST", "/workflows/bad_input_wf/runs", {}, 404, "deploy"),
    ("unknown run", "GET", "/workflows/bad_input_wf/runs/no_such_run", None, 404, "not found"),
    (
        "duplicate to bad id",
        "POST",
        "/workflows/bad_input_wf/duplicate",
        {"new_id": "has space"},
        422,
        "new_id",
    ),
    ("negative offset", "GET", "/workflows?offset=-1", None, 422, "offset"),
    ("limit too large", "GET", "/workflows?limit=100000", None, 422, "limit"),
    ("unknown template", "POST", "/templates/ghost/instantiate", {"workflow_id": "x"}, 404, "ghost"),
]


@pytest.mark.parametrize("name,method,path,body,status,text", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_store_unchanged(
    client: TestClient,
    auth: Headers,
    existing: str,
    name: str,
    method: str,
    path: str,
    body: Any,
    status: int,
    text: str,
) -> None:
    before = snapshot()
    kwargs: dict[str, Any] = {"headers": auth("Admin") | {"content-type": "application/json"}}
    if isinstance(body, str):
        kwargs["content"] = body.encode()
    elif body is not None:
        kwargs["content"] = json.dumps(body).encode()
    r = client.request(method, f"{API}{path}", **kwargs)
    assert r.status_code == status, r.text
    payload = r.json()
    assert set(payload) >= {"detail", "problems"}
    assert text.lower() in json.dumps(payload).lower(), payload
    assert snapshot() == before


def test_invalid_spec_lists_problems_with_node_ids(client: TestClient, auth: Headers) -> None:
    r = client.post(f"{API}/workflows", json={"spec": cyclic("bad_cycle_2")}, headers=auth("Admin"))
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert problems and all({"code", "message", "pointer", "node_id", "severity"} <= set(p) for p in problems)
    assert any(p["node_id"] in ("p1", "p2") for p in problems)
    v = client.post(f"{API}/validate", json={"spec": cyclic("bad_cycle_2")}, headers=auth("Viewer")).json()
    assert v["valid"] is False and [p["code"] for p in v["problems"]] == [p["code"] for p in problems]


def test_oversized_body_413_both_declared_and_streamed(client: TestClient, auth: Headers) -> None:
    from airflow_canvas.plugin.config import max_body_bytes

    before = snapshot()
    big = chain_spec("too_big")
    big["description"] = "x" * (max_body_bytes() + 10)
    data = json.dumps({"spec": big}).encode()
    r = client.post(
        f"{API}/workflows", content=data, headers=auth("Admin") | {"content-type": "application/json"}
    )
    assert r.status_code == 413 and "larger than" in r.json()["detail"]

    def chunks() -> Any:  # no Content-Length: the middleware must count the stream
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    r = client.post(
        f"{API}/workflows", content=chunks(), headers=auth("Admin") | {"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert snapshot() == before
    ok = chain_spec("just_fits")
    ok["description"] = "y" * (max_body_bytes() // 2)
    r = client.post(f"{API}/validate", json={"spec": ok}, headers=auth("Admin"))
    assert r.status_code == 200, r.text
