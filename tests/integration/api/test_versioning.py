"""Versioning through the real API: history, diff, rollback, branches, merge (clean and conflicting),
optimistic concurrency (stale base -> 409 with the diff) and 8 threads racing on one base."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]


def create(client: TestClient, auth: Headers, wid: str, n: int = 3) -> dict[str, Any]:
    r = client.post(
        f"{API}/workflows", json={"spec": chain_spec(wid, n), "message": "first"}, headers=auth("User")
    )
    assert r.status_code == 201, r.text
    return r.json()


def save(
    client: TestClient,
    auth: Headers,
    wid: str,
    spec: dict[str, Any],
    base: int,
    branch: str = "main",
    message: str = "edit",
) -> Any:
    return client.put(
        f"{API}/workflows/{wid}",
        headers=auth("User"),
        json={"spec": spec, "base_version": base, "message": message, "branch": branch},
    )


def head_spec(
    client: TestClient, auth: Headers, wid: str, branch: str = "main"
) -> tuple[int, dict[str, Any]]:
    r = client.get(f"{API}/workflows/{wid}", params={"branch": branch}, headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    return r.json()["version"], r.json()["spec"]


def test_history_diff_and_rollback(client: TestClient, auth: Headers) -> None:
    wid = "ver_history"
    v1 = create(client, auth, wid)
    assert v1["version"] == 1 and v1["author"] == "t_user" and v1["spec"]["version"] == 1
    spec = chain_spec(wid)
    spec["nodes"][1]["name"] = "Renamed"
    spec["nodes"][1]["process"]["expression"] = "x"
    r = save(client, auth, wid, spec, 1, message="rename p1")
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["parent_version"] == 1
    spec2 = chain_spec(wid, 4)  # adds p2 and rewires
    assert save(client, auth, wid, spec2, 2, message="grow").status_code == 200

    hist = client.get(f"{API}/workflows/{wid}/versions", headers=auth("Viewer")).json()
    assert [v["version"] for v in hist["items"]] == [3, 2, 1] and hist["total"] == 3
    assert [v["message"] for v in hist["items"]] == ["grow", "rename p1", "first"]
    page = client.get(
        f"{API}/workflows/{wid}/versions", params={"limit": 1, "offset": 1}, headers=auth("Viewer")
    ).json()
    assert [v["version"] for v in page["items"]] == [2] and page["total"] == 3

    d = client.get(f"{API}/workflows/{wid}/diff", params={"from": 1, "to": 2}, headers=auth("Viewer")).json()[
        "diff"
    ]
    changed = {
        c["id"]: {f["path"]: (f["before"], f["after"]) for f in c["fields"]} for c in d["nodes"]["changed"]
    }
    assert changed == {"p1": {"name": ("", "Renamed"), "process.expression": ("@", "x")}}
    assert d["nodes"]["added"] == [] and not d["empty"]
    d13 = client.get(
        f"{API}/workflows/{wid}/diff", params={"from": 1, "to": 3}, headers=auth("Viewer")
    ).json()["diff"]
    assert d13["nodes"]["added"] == ["p2"]
    assert "p2->end" in d13["edges"]["added"] and "p1->end" in d13["edges"]["removed"]

    r = client.post(
        f"{API}/workflows/{wid}/rollback", json={"version": 1, "message": "back"}, headers=auth("User")
    )
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 4
    v1_hash = client.get(f"{API}/workflows/{wid}/versions/1", headers=auth("Viewer")).json()["content_hash"]
    assert r.json()["content_hash"] == v1_hash  # same content as version 1
    assert client.get(
        f"{API}/workflows/{wid}/diff", params={"from": 1, "to": 4}, headers=auth("Viewer")
    ).json()["diff"]["empty"]
    # History is never rewritten.
    assert client.get(f"{API}/workflows/{wid}/versions", headers=auth("Viewer")).json()["total"] == 4


def test_stale_base_gets_409_with_diff_and_nothing_stored(client: TestClient, auth: Headers) -> None:
    wid = "ver_stale"
    create(client, auth, wid)
    mine = chain_spec(wid)
    mine["nodes"][1]["name"] = "Alice"
    assert save(client, auth, wid, mine, 1).status_code == 200
    theirs = chain_spec(wid)
    theirs["nodes"][2]["name"] = "Bob"
    r = save(client, auth, wid, theirs, 1)
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["head_version"] == 2 and body["base_version"] == 1
    assert [c["id"] for c in body["diff"]["nodes"]["changed"]] == ["p1"]  # what happened since base 1
    assert [c["id"] for c in body["your_changes"]["nodes"]["changed"]] == ["end"]
    assert client.get(f"{API}/workflows/{wid}/versions", headers=auth("Viewer")).json()["total"] == 2


def test_branch_save_compare_and_clean_merge(client: TestClient, auth: Headers) -> None:
    wid = "ver_branch"
    create(client, auth, wid)
    r = client.post(
        f"{API}/workflows/{wid}/branches", json={"name": "feature", "from_version": 1}, headers=auth("User")
    )
    assert r.status_code == 201 and r.json()["head_version"] == 1
    assert (
        client.post(
            f"{API}/workflows/{wid}/branches", json={"name": "feature"}, headers=auth("User")
        ).status_code
        == 409
    )

    feat = chain_spec(wid)
    feat["nodes"][1]["description"] = "from the branch"
    r = save(client, auth, wid, feat, 1, branch="feature")
    assert r.status_code == 200 and r.json()["branch"] == "feature"
    feat_head = r.json()["version"]
    main = chain_spec(wid)
    main["nodes"][0]["name"] = "Begin"
    main_head = save(client, auth, wid, main, 1).json()["version"]

    branches = {
        b["name"]: b["head_version"]
        for b in client.get(f"{API}/workflows/{wid}/branches", headers=auth("Viewer")).json()["items"]
    }
    assert branches == {"main": main_head, "feature": feat_head}
    cmp = client.get(
        f"{API}/workflows/{wid}/diff", params={"from": main_head, "to": feat_head}, headers=auth("Viewer")
    )
    assert {c["id"] for c in cmp.json()["diff"]["nodes"]["changed"]} == {"start", "p1"}

    r = client.post(
        f"{API}/workflows/{wid}/merge", json={"source": "feature", "target": "main"}, headers=auth("User")
    )
    assert r.status_code == 200, r.text
    assert r.json()["merged_version"] == feat_head and r.json()["parent_version"] == main_head
    _, merged = head_spec(client, auth, wid)
    nodes = {n["id"]: n for n in merged["nodes"]}
    assert nodes["start"]["name"] == "Begin" and nodes["p1"]["description"] == "from the branch"
    # Nothing new on the branch since: a second merge is refused.
    again = client.post(
        f"{API}/workflows/{wid}/merge", json={"source": "feature", "target": "main"}, headers=auth("User")
    )
    assert again.status_code == 409


def test_merge_conflict_reported_per_node_then_resolved(client: TestClient, auth: Headers) -> None:
    wid = "ver_conflict"
    create(client, auth, wid)
    assert (
        client.post(f"{API}/workflows/{wid}/branches", json={"name": "exp"}, headers=auth("User")).status_code
        == 201
    )
    a = chain_spec(wid)
    a["nodes"][1]["name"] = "main name"
    a["nodes"][2]["description"] = "only main touched end"
    b = chain_spec(wid)
    b["nodes"][1]["name"] = "branch name"
    b["nodes"][1]["description"] = "branch description merges fine"
    assert save(client, auth, wid, b, 1, branch="exp").status_code == 200
    assert save(client, auth, wid, a, 1).status_code == 200
    before = client.get(f"{API}/workflows/{wid}/versions", headers=auth("Viewer")).json()["total"]

    r = client.post(
        f"{API}/workflows/{wid}/merge", json={"source": "exp", "target": "main"}, headers=auth("User")
    )
    assert r.status_code == 409, r.text
    conflicts = r.json()["conflicts"]
    assert [(c["kind"], c["id"], c["fields"]) for c in conflicts] == [("nodes", "p1", ["name"])]
    assert conflicts[0]["source"]["name"] == "branch name" and conflicts[0]["target"]["name"] == "main name"
    assert conflicts[0]["base"]["name"] == ""
    assert client.get(f"{API}/workflows/{wid}/versions", headers=auth("Viewer")).json()["total"] == before

    r = client.post(
        f"{API}/workflows/{wid}/merge",
        headers=auth("User"),
        json={"source": "exp", "target": "main", "resolutions": {"nodes/p1": "source"}},
    )
    assert r.status_code == 200, r.text
    _, merged = head_spec(client, auth, wid)
    nodes = {n["id"]: n for n in merged["nodes"]}
    assert nodes["p1"]["name"] == "branch name"
    assert nodes["p1"]["description"] == "branch description merges fine"
    assert nodes["end"]["description"] == "only main touched end"


def test_eight_threads_racing_on_one_base(client: TestClient, auth: Headers) -> None:
    wid = "ver_race"
    create(client, auth, wid)
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker(i: int) -> None:
        spec = chain_spec(wid)
        spec["nodes"][1]["name"] = f"writer {i}"
        barrier.wait()
        r = save(client, auth, wid, spec, 1, message=f"writer {i}")
        with lock:
            results.append((r.status_code, r.json()))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * 7, results
    winner = next(body for code, body in results if code == 200)
    assert all(body["head_version"] == winner["version"] for code, body in results if code == 409)
    hist = client.get(f"{API}/workflows/{wid}/versions", headers=auth("Viewer")).json()
    assert [v["version"] for v in hist["items"]] == [winner["version"], 1]
    assert hist["items"][0]["message"] == winner["message"]
    _, spec = head_spec(client, auth, wid)
    assert spec["nodes"][1]["name"] == hist["items"][0]["message"]

    # Then a round of 8 each saving on the head they saw, one after another: none is lost.
    base = winner["version"]
    accepted = []
    for i in range(8):
        spec = chain_spec(wid)
        spec["nodes"][1]["name"] = f"serial {i}"
        r = save(client, auth, wid, spec, base, message=f"serial {i}")
        assert r.status_code == 200, r.text
        base = r.json()["version"]
        accepted.append(base)
    versions = {
        v["version"]
        for v in client.get(
            f"{API}/workflows/{wid}/versions", params={"limit": 100}, headers=auth("Viewer")
        ).json()["items"]
    }
    assert set(accepted) <= versions
