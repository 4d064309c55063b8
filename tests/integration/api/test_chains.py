"""The chain library through the real API (issue 17, item 6): publish a group as a chain, versions
with semver checked against the interface, insert into another workflow (saved and compiled as a
TaskGroup), update offers and updates, and user templates saved and instantiated."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api.conftest import API
from tests.integration.api.test_deploy import audit_rows

Headers = Callable[[str], dict[str, str]]


def _proc(node_id: str, x: float, inp: str, out: str, expression: str = "@") -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "process",
        "process": {"language": "jmespath", "expression": expression},
        "input_schema": {"type": "object", "properties": {inp: {"type": "string"}}},
        "output_schema": {"type": "object", "properties": {out: {"type": "string"}}},
        "group": "clean",
        "ui": {"position": {"x": x, "y": 100}},
    }


def source_spec(wid: str) -> dict[str, Any]:
    return {
        "id": wid,
        "name": "Chain source",
        "nodes": [
            {
                "id": "start",
                "type": "input",
                "output_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
            },
            _proc("strip", 300, "text", "clean", "{clean: text}"),
            _proc("upper", 600, "clean", "result", "{result: clean}"),
            {"id": "end", "type": "output", "ui": {"position": {"x": 900, "y": 100}}},
        ],
        "edges": [
            {"source": "start", "target": "strip", "mapping": [{"source": "text", "target": "text"}]},
            {"source": "strip", "target": "upper"},
            {"source": "upper", "target": "end", "mapping": [{"source": "result", "target": "result"}]},
        ],
        "groups": [{"id": "clean", "label": "Clean text"}],
    }


def target_spec(wid: str) -> dict[str, Any]:
    return {
        "id": wid,
        "nodes": [
            {
                "id": "ask",
                "type": "input",
                "output_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
            },
            {"id": "answer", "type": "output", "ui": {"position": {"x": 900, "y": 0}}},
        ],
        "edges": [{"source": "ask", "target": "answer"}],
    }


def _publish(client: TestClient, auth: Headers, spec: dict[str, Any], version: str, **extra: Any) -> Any:
    body = {"spec": spec, "group_id": "clean", "name": "clean_text", "version": version, **extra}
    return client.post(f"{API}/chains", json=body, headers=auth("Op"))


def test_chain_versions_insert_pin_and_update(client: TestClient, auth: Headers) -> None:
    src = source_spec("chain_src")
    assert client.post(f"{API}/workflows", json={"spec": src}, headers=auth("Op")).status_code == 201

    r = client.post(
        f"{API}/chains/preview",
        json={"spec": src, "group_id": "clean", "name": "clean_text"},
        headers=auth("Op"),
    )
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["suggested_version"] == "1.0.0" and preview["latest"] is None
    assert [(p["name"], p["node"]) for p in preview["interface"]["inputs"]] == [("text", "strip")]
    assert [(p["name"], p["node"]) for p in preview["interface"]["outputs"]] == [("result", "upper")]

    r = _publish(client, auth, src, "1.0.0", description="Strip and upper-case text")
    assert r.status_code == 201, r.text
    assert r.json()["ref"] == "clean_text@1.0.0" and r.json()["nodes"] == 2
    assert [row["owner"] for row in audit_rows("canvas.chain.publish", "chain_src")] == ["t_op"]
    r = _publish(client, auth, src, "1.0.0")
    assert r.status_code == 409 and "immutable" in r.json()["detail"]

    # 1.1.0: the inside changes, the interface does not (a patch would do; a minor is allowed).
    v11 = copy.deepcopy(src)
    v11["nodes"][2]["process"]["expression"] = "{result: clean, extra: clean}"
    assert _publish(client, auth, v11, "1.1.0").status_code == 201

    # The entry field turns into an integer: a breaking interface change, so 1.2.0 is refused.
    v2 = copy.deepcopy(v11)
    v2["nodes"][1]["input_schema"]["properties"]["text"] = {"type": "integer"}
    v2["nodes"][0]["output_schema"]["properties"]["text"] = {"type": "integer"}
    r = _publish(client, auth, v2, "1.2.0")
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["required_bump"] == "major" and body["suggested_version"] == "2.0.0"
    assert "input 'text'" in body["detail"] and "publish 2.0.0" in body["detail"]
    r = client.post(
        f"{API}/chains/preview",
        json={"spec": v2, "group_id": "clean", "name": "clean_text"},
        headers=auth("Op"),
    )
    assert r.json()["required_bump"] == "major" and r.json()["suggested_version"] == "2.0.0"
    assert _publish(client, auth, v2, "2.0.0", changelog="text is a number now").status_code == 201

    listed = client.get(f"{API}/chains", headers=auth("Viewer")).json()
    mine = next(c for c in listed["items"] if c["name"] == "clean_text")
    assert mine["latest"] == "2.0.0" and mine["versions"] == ["1.0.0", "1.1.0", "2.0.0"]
    assert (
        client.get(f"{API}/chains", params={"q": "UPPER-case"}, headers=auth("Viewer")).json()["total"] >= 1
    )
    assert client.get(f"{API}/chains/clean_text", headers=auth("Viewer")).json()["total"] == 3
    detail = client.get(f"{API}/chains/clean_text/2.0.0", headers=auth("Viewer")).json()
    assert detail["changelog"] == "text is a number now" and len(detail["fragment"]["nodes"]) == 2
    assert client.get(f"{API}/chains/clean_text/9.9.9", headers=auth("Viewer")).status_code == 404

    # Insert 1.0.0 into another workflow, wire it in, save.
    dst = target_spec("chain_dst")
    assert client.post(f"{API}/workflows", json={"spec": dst}, headers=auth("User")).status_code == 201
    r = client.post(
        f"{API}/chains/clean_text/1.0.0/insert", json={"spec": dst, "x": 300, "y": 0}, headers=auth("User")
    )
    assert r.status_code == 200, r.text
    inserted = r.json()
    gid = inserted["group_id"]
    assert gid == "clean_text" and inserted["problems"] == []
    spec = inserted["spec"]
    group = next(g for g in spec["groups"] if g["id"] == gid)
    assert group["chain"] == "clean_text@1.0.0"
    assert {n["id"] for n in spec["nodes"]} == {"ask", "answer", "clean_text_strip", "clean_text_upper"}
    spec["edges"] = [e for e in spec["edges"] if e["source"] != "ask"] + [
        {"source": "ask", "target": "clean_text_strip", "mapping": [{"source": "text", "target": "text"}]},
        {"source": "clean_text_upper", "target": "answer"},
    ]
    r = client.put(f"{API}/workflows/chain_dst", json={"spec": spec, "base_version": 1}, headers=auth("User"))
    assert r.status_code == 200, r.text
    saved = client.get(f"{API}/workflows/chain_dst", headers=auth("User")).json()["spec"]
    assert next(g for g in saved["groups"] if g["id"] == gid)["chain"] == "clean_text@1.0.0"
    source = client.post(f"{API}/compile", json={"spec": saved}, headers=auth("User")).json()["source"]
    assert 'TaskGroup(\n        group_id="clean_text"' in source

    # Status: a compatible update (1.1.0) and a major one (2.0.0).
    status = client.post(f"{API}/chains/status", json={"spec": saved}, headers=auth("Viewer")).json()["items"]
    assert status == [
        {
            "group_id": gid,
            "chain": "clean_text@1.0.0",
            "name": "clean_text",
            "pinned": "1.0.0",
            "update": "compatible",
            "latest": "2.0.0",
            "latest_compatible": "1.1.0",
            "message": f"Update available for group {gid!r}: clean_text 1.1.0.",
        }
    ]
    r = client.post(f"{API}/chains/update", json={"spec": saved, "group_id": gid}, headers=auth("User"))
    assert r.status_code == 200, r.text
    upd = r.json()
    assert (upd["from_version"], upd["to_version"], upd["major"]) == ("1.0.0", "1.1.0", False)
    assert upd["dropped_edges"] == [] and len(upd["kept_edges"]) == 2
    new_upper = next(n for n in upd["spec"]["nodes"] if n["id"] == "clean_text_upper")
    assert new_upper["process"]["expression"] == "{result: clean, extra: clean}"

    # The major update asks for confirmation, then replaces the contents; the edge whose field
    # changed type is kept (same field), nothing is silently lost.
    body = {"spec": upd["spec"], "group_id": gid, "to_version": "2.0.0"}
    r = client.post(f"{API}/chains/update", json=body, headers=auth("User"))
    assert r.status_code == 409 and r.json()["major"] is True and "Confirm" in r.json()["detail"]
    r = client.post(f"{API}/chains/update", json=body | {"confirm_major": True}, headers=auth("User"))
    assert r.status_code == 200, r.text
    assert r.json()["to_version"] == "2.0.0" and r.json()["major"] is True
    assert next(g for g in r.json()["spec"]["groups"] if g["id"] == gid)["chain"] == "clean_text@2.0.0"

    # A pin the library does not know is reported, naming the group.
    ghost = copy.deepcopy(saved)
    next(g for g in ghost["groups"] if g["id"] == gid)["chain"] = "clean_text@7.0.0"
    item = client.post(f"{API}/chains/status", json={"spec": ghost}, headers=auth("User")).json()["items"][0]
    assert item["update"] == "unknown" and f"Group {gid!r} pins chain clean_text@7.0.0" in item["message"]
    r = client.post(f"{API}/chains/update", json={"spec": ghost, "group_id": gid}, headers=auth("User"))
    assert r.status_code == 404, r.text  # nothing compatible above an unknown 7.0.0
    # A group that was not inserted from the library has nothing to update.
    r = client.post(f"{API}/chains/update", json={"spec": saved, "group_id": "nope"}, headers=auth("User"))
    assert r.status_code == 422 and "Group 'nope' is not in the workflow" in r.json()["detail"]


def test_bad_chain_requests_are_clear(client: TestClient, auth: Headers) -> None:
    src = source_spec("chain_bad_src")
    r = client.post(
        f"{API}/chains",
        json={"spec": src, "group_id": "nope", "name": "bad_chain", "version": "1.0.0"},
        headers=auth("Op"),
    )
    assert r.status_code == 422 and "no group 'nope'" in r.json()["detail"]
    r = client.post(
        f"{API}/chains",
        json={"spec": src, "name": "Bad Name", "version": "1.0", "group_id": "clean", "node_ids": ["a"]},
        headers=auth("Op"),
    )
    assert r.status_code == 422
    fields = {p["pointer"] for p in r.json()["problems"]}
    assert {"/name", "/version"} <= fields
    iface = {"inputs": [{"name": "x", "node": "elsewhere"}], "outputs": []}
    r = client.post(
        f"{API}/chains",
        json={"spec": src, "group_id": "clean", "name": "bad_chain", "version": "1.0.0", "interface": iface},
        headers=auth("Op"),
    )
    assert r.status_code == 422 and "names node 'elsewhere', which is not in the chain" in r.json()["detail"]
    r = client.post(
        f"{API}/chains/nothing/1.0.0/insert", json={"spec": target_spec("t")}, headers=auth("User")
    )
    assert r.status_code == 404 and "no chain named 'nothing'" in r.json()["detail"]


def test_user_template_save_list_instantiate(client: TestClient, auth: Headers) -> None:
    spec = {
        **target_spec("tpl_src"),
        "description": "Answers a question",
        "triggers": {"schedule": {"kind": "cron", "value": "0 6 * * *"}},
    }
    params = [
        {"name": "schedule", "pointer": "/triggers/schedule/value", "title": "Schedule"},
        {"name": "about", "pointer": "/description"},
    ]
    body = {"spec": spec, "name": "daily_answer", "title": "Daily answer", "parameters": params}
    r = client.put(f"{API}/user-templates/daily_answer", json=body, headers=auth("Op"))
    assert r.status_code == 200, r.text
    saved = r.json()
    assert (
        saved["source"] == "user" and saved["parameters"]["properties"]["schedule"]["default"] == "0 6 * * *"
    )
    assert audit_rows("canvas.template.create", "tpl_src")[0]["extra"]["template"] == "daily_answer"
    items = client.get(f"{API}/user-templates", headers=auth("Viewer")).json()["items"]
    assert "daily_answer" in [t["name"] for t in items]

    url = f"{API}/user-templates/daily_answer/instantiate"
    r = client.post(
        url,
        json={"workflow_id": "from_tpl", "name": "From template", "params": {"schedule": "30 7 * * 1"}},
        headers=auth("User"),
    )
    assert r.status_code == 200, r.text
    made = r.json()["spec"]
    assert made["id"] == "from_tpl" and made["name"] == "From template"
    assert made["triggers"]["schedule"]["value"] == "30 7 * * 1"
    assert made["description"] == "Answers a question"  # the default
    assert client.post(f"{API}/workflows", json={"spec": made}, headers=auth("User")).status_code == 201

    # Bad parameters name themselves; a bad cron is a spec error; a pointer to nothing is refused.
    r = client.post(url, json={"workflow_id": "x1", "params": {"shedule": "x"}}, headers=auth("User"))
    assert r.status_code == 422 and "did you mean 'schedule'" in r.json()["detail"].lower()
    r = client.post(url, json={"workflow_id": "x1", "params": {"schedule": 5}}, headers=auth("User"))
    assert r.status_code == 422 and "schedule: 5 is not of type 'string'" in r.json()["detail"]
    r = client.post(
        url, json={"workflow_id": "x1", "params": {"schedule": "not a cron"}}, headers=auth("User")
    )
    assert r.status_code == 422
    bad = body | {"parameters": [{"name": "x", "pointer": "/nodes/9/name"}]}
    r = client.put(f"{API}/user-templates/daily_answer", json=bad, headers=auth("Op"))
    assert r.status_code == 422 and "not an index" in r.json()["detail"]
    r = client.put(f"{API}/user-templates/blank", json=body | {"name": "blank"}, headers=auth("Op"))
    assert r.status_code == 422 and "built-in" in r.json()["detail"]

    assert client.delete(f"{API}/user-templates/daily_answer", headers=auth("Op")).json() == {"deleted": True}
    assert client.post(url, json={"workflow_id": "x2"}, headers=auth("User")).status_code == 404
