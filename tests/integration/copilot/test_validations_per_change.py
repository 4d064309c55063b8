"""An applied co-pilot change is validated once on the server (issue 15): the proposal is validated
when the chat turn makes it; apply, the UI's follow-up /validate, the save and a /compile of that
same content are answered from validation's content memo. And the memo never lets a save through
that was not validated: a spec changed after the change is validated again and refused when bad.

Real validations are counted where every one of them ends, ``validation.engine.run_checks``."""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from fastapi.testclient import TestClient

from airflow_canvas.validation import engine
from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
CP = f"{API}/copilot"


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self.callers: list[list[str]] = []  # the canvas functions on the stack of each validation
        self._lock = threading.Lock()  # routes run on the server's worker threads

    def reset(self) -> None:
        with self._lock:
            self.calls = 0
            self.callers = []


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__COPILOT_CONN_ID", "no_such_llm_conn")  # offline engine
    counter = Counter()
    real = engine.run_checks

    def counting(*args: Any, **kwargs: Any) -> Any:
        stack = [f"{f.filename.rsplit('/', 2)[-1]}:{f.name}" for f in traceback.extract_stack()]
        with counter._lock:
            counter.calls += 1
            counter.callers.append([s for s in stack if "airflow_canvas" in s or ".py:" in s][-8:])
        return real(*args, **kwargs)

    with mock.patch.object(engine, "run_checks", counting):
        yield counter


def _open(client: TestClient, auth: Headers, workflow_id: str) -> tuple[dict[str, Any], int]:
    """Create a workflow and open it as the editor does (load it, then its live validation)."""
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(workflow_id, 4)}, headers=auth("User"))
    assert r.status_code == 201, r.text
    r = client.get(f"{API}/workflows/{workflow_id}", headers=auth("User"))
    assert r.status_code == 200, r.text
    spec, version = r.json()["spec"], r.json()["version"]
    assert client.post(f"{API}/validate", json={"spec": spec}, headers=auth("User")).json()["valid"]
    return spec, version


def _apply_change(
    client: TestClient, auth: Headers, spec: dict[str, Any], version: int, message: str
) -> tuple[dict[str, Any], int]:
    """One co-pilot change as the UI makes it: chat, apply, validate, save."""
    chat = {"message": message, "workflow_id": spec["id"], "context": {"workflow": spec}, "stream": False}
    r = client.post(f"{CP}/chat", json=chat, headers=auth("User"))
    assert r.status_code == 200, r.text
    proposal = r.json()["reply"]["proposal"]
    assert proposal is not None, r.json()
    ops = json.loads(json.dumps(proposal["ops"]))
    r = client.post(
        f"{CP}/apply", json={"spec": spec, "ops": ops, "workflow_id": spec["id"]}, headers=auth("User")
    )
    assert r.status_code == 200, r.text
    new_spec = r.json()["spec"]
    r = client.post(f"{API}/validate", json={"spec": new_spec}, headers=auth("User"))
    assert r.status_code == 200 and r.json()["valid"], r.text
    r = client.put(
        f"{API}/workflows/{spec['id']}",
        json={"spec": new_spec, "base_version": version, "message": message},
        headers=auth("User"),
    )
    assert r.status_code == 200, r.text
    return new_spec, r.json()["version"]


def test_an_applied_change_is_validated_once(client: TestClient, auth: Headers, validations: Counter) -> None:
    spec, version = _open(client, auth, "val_once")
    for message in ("add process node clean after p1", "make p2 retry 3 times"):
        validations.reset()
        spec, version = _apply_change(client, auth, spec, version, message)
        assert validations.calls == 1, (
            f"{message!r}: validated {validations.calls} times: {validations.callers}"
        )
    validations.reset()
    r = client.post(f"{API}/compile", json={"spec": spec}, headers=auth("User"))
    assert r.status_code == 200 and r.json()["source"], r.text
    assert validations.calls == 0  # the saved content was validated; compiling it does not again


def test_compile_of_new_content_validates_once(
    client: TestClient, auth: Headers, validations: Counter
) -> None:
    spec = chain_spec("val_compile_once", 5)
    r = client.post(f"{API}/compile", json={"spec": spec}, headers=auth("User"))
    assert r.status_code == 200 and r.json()["source"], r.text
    assert validations.calls == 1


def test_a_modified_spec_is_validated_again_on_save(
    client: TestClient, auth: Headers, validations: Counter
) -> None:
    spec, version = _open(client, auth, "val_stale")
    spec, version = _apply_change(client, auth, spec, version, "add process node clean after p1")
    validations.reset()
    broken = dict(spec, edges=[*spec["edges"], {"source": "clean", "target": "no_such_node"}])
    r = client.put(
        f"{API}/workflows/{spec['id']}",
        json={"spec": broken, "base_version": version, "message": "bad"},
        headers=auth("User"),
    )
    assert r.status_code == 422, r.text
    assert any(p["edge_id"] == "clean->no_such_node" for p in r.json()["problems"]), r.json()
    assert validations.calls == 1
    # A valid change is validated too (one validation, then stored), not answered from the memo.
    validations.reset()
    renamed = json.loads(json.dumps(spec))
    next(n for n in renamed["nodes"] if n["id"] == "clean")["execution"] = {"timeout_seconds": 30}
    r = client.put(
        f"{API}/workflows/{spec['id']}",
        json={"spec": renamed, "base_version": version, "message": "timeout"},
        headers=auth("User"),
    )
    assert r.status_code == 200, r.text
    assert validations.calls == 1
