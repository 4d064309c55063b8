"""Server-side drafts (issue 18): the caller's own unsaved edit of a workflow, kept as sent (a draft
may be invalid), read back on reopen, discarded on request and deleted by a real save."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
_seq = itertools.count()


def _workflow(client: TestClient, auth: Headers) -> str:
    wid = f"draft_wf_{next(_seq)}"
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(wid)}, headers=auth("Admin"))
    assert r.status_code == 201, r.text
    return wid


def test_draft_round_trip_keeps_an_invalid_spec(client: TestClient, auth: Headers) -> None:
    wid = _workflow(client, auth)
    url = f"{API}/workflows/{wid}/draft"
    assert client.get(url, headers=auth("User")).json() == {"draft": None}
    # Half an edit: an edge to a node that does not exist, and a node with no type. Kept as is.
    spec = chain_spec(wid)
    spec["nodes"].append({"id": "half"})
    spec["edges"].append({"source": "end", "target": "nowhere"})
    r = client.put(url, json={"spec": spec, "base_version": 1}, headers=auth("User"))
    assert r.status_code == 200, r.text
    assert r.json()["base_version"] == 1 and r.json()["branch"] == "main"
    got = client.get(url, headers=auth("User")).json()["draft"]
    assert got["spec"] == spec and got["base_version"] == 1 and got["updated_at"]
    # An autosave overwrites the draft.
    spec["name"] = "renamed in the draft"
    assert client.put(url, json={"spec": spec, "base_version": 1}, headers=auth("User")).status_code == 200
    assert client.get(url, headers=auth("User")).json()["draft"]["spec"]["name"] == "renamed in the draft"
    # Discard.
    assert client.delete(url, headers=auth("User")).json() == {"discarded": True}
    assert client.get(url, headers=auth("User")).json() == {"draft": None}
    assert client.delete(url, headers=auth("User")).json() == {"discarded": False}


def test_a_real_save_deletes_the_savers_draft_only(client: TestClient, auth: Headers) -> None:
    wid = _workflow(client, auth)
    url = f"{API}/workflows/{wid}/draft"
    spec = chain_spec(wid, n=4)
    for role in ("User", "Op"):
        assert client.put(url, json={"spec": spec, "base_version": 1}, headers=auth(role)).status_code == 200
    r = client.put(
        f"{API}/workflows/{wid}", json={"spec": spec, "base_version": 1, "message": "m"}, headers=auth("User")
    )
    assert r.status_code == 200, r.text
    assert client.get(url, headers=auth("User")).json() == {"draft": None}
    assert client.get(url, headers=auth("Op")).json()["draft"]["spec"] == spec


def test_draft_bad_input(client: TestClient, auth: Headers) -> None:
    wid = _workflow(client, auth)
    url = f"{API}/workflows/{wid}/draft"
    assert client.get(f"{API}/workflows/no_such_wf/draft", headers=auth("User")).status_code == 404
    r = client.put(f"{API}/workflows/no_such_wf/draft", json={"spec": {}}, headers=auth("User"))
    assert r.status_code == 404
    # Not an object, a misspelt field, a broken body: clear 4xx, nothing stored.
    assert client.put(url, json={"spec": [1, 2]}, headers=auth("User")).status_code == 422
    r = client.put(url, json={"spec": {}, "base_versoin": 1}, headers=auth("User"))
    assert r.status_code == 422 and "base_versoin" in r.text
    r = client.put(
        url, content=b'{"spec": {"a": NaN}}', headers={**auth("User"), "Content-Type": "application/json"}
    )
    assert r.status_code in (400, 422)
    assert client.get(url, headers=auth("User")).json() == {"draft": None}


def test_deleting_the_workflow_deletes_its_drafts(client: TestClient, auth: Headers) -> None:
    wid = _workflow(client, auth)
    url = f"{API}/workflows/{wid}/draft"
    assert client.put(url, json={"spec": chain_spec(wid)}, headers=auth("Admin")).status_code == 200
    assert client.delete(f"{API}/workflows/{wid}", headers=auth("Admin")).status_code == 200
    # Recreated under the same id, the old draft does not come back.
    wid2 = wid
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(wid2)}, headers=auth("Admin"))
    assert r.status_code == 201
    assert client.get(url, headers=auth("Admin")).json() == {"draft": None}
