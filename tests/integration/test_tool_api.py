"""The tools API on the real Airflow API server app: draft, test, publish (refused without tests,
with a failing test, on an immutable version, on a missing major bump), versions, diff,
deprecate, resolving a published tool at compile time, compatibility, and POST /nodes/test."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.integration.api.conftest import API, api_app, api_users, auth, client, tokens  # noqa: F401

pytestmark = pytest.mark.slow


def tool(version: str = "1.0.0", **changes: Any) -> dict[str, Any]:
    base = {
        "name": "greeter",
        "version": version,
        "description": "Say hello.",
        "code": "def run(who):\n    return {'greeting': 'hello ' + who}\n",
        "input_schema": {"type": "object", "properties": {"who": {"type": "string"}}, "required": ["who"]},
        "output_schema": {
            "type": "object",
            "properties": {"greeting": {"type": "string"}},
            "required": ["greeting"],
        },
        "tests": [{"name": "ada", "input": {"who": "ada"}, "expected": {"greeting": "hello ada"}}],
    }
    return {**base, **changes}


def test_tool_lifecycle(client, auth) -> None:  # noqa: F811
    admin = auth("Admin")
    # No tests: saved as a draft, but publishing is refused.
    r = client.post(f"{API}/tools", json={"tool": tool(tests=[])}, headers=admin)
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/tools/greeter/versions/1.0.0/publish", headers=admin)
    assert r.status_code == 422 and "no tests" in r.json()["detail"]
    # A failing test: refused, with the test results.
    bad = tool(tests=[{"name": "wrong", "input": {"who": "x"}, "expected": {"greeting": "bye x"}}])
    client.post(f"{API}/tools", json={"tool": bad}, headers=admin)
    r = client.post(f"{API}/tools/greeter/versions/1.0.0/test", headers=admin)
    assert r.status_code == 200 and r.json()["passed"] is False
    r = client.post(f"{API}/tools/greeter/versions/1.0.0/publish", headers=admin)
    assert r.status_code == 422 and "test 'wrong' failed" in r.json()["detail"]
    assert r.json()["tests"][0]["passed"] is False
    # Fixed draft: published.
    client.post(f"{API}/tools", json={"tool": tool()}, headers=admin)
    r = client.post(f"{API}/tools/greeter/versions/1.0.0/publish", headers=admin)
    assert r.status_code == 200 and r.json()["published"] is True, r.text
    # Immutable from now on.
    r = client.post(f"{API}/tools", json={"tool": tool(description="changed")}, headers=admin)
    assert r.status_code == 409 and "immutable" in r.json()["detail"]
    # A breaking change (new required input) published as a minor: refused; as a major: accepted.
    breaking = {"input_schema": {"type": "object", "properties": {"who": {"type": "string"}, "lang": {"type": "string"}},
                                 "required": ["who", "lang"]},
                "code": "def run(who, lang):\n    return {'greeting': 'hello ' + who}\n",
                "tests": [{"input": {"who": "ada", "lang": "en"}, "expected": {"greeting": "hello ada"}}]}  # fmt: skip
    client.post(f"{API}/tools", json={"tool": tool("1.1.0", **breaking)}, headers=admin)
    r = client.post(f"{API}/tools/greeter/versions/1.1.0/publish", headers=admin)
    assert r.status_code == 422 and "need a major bump (at least 2.0.0)" in r.json()["detail"]
    client.post(f"{API}/tools", json={"tool": tool("2.0.0", **breaking)}, headers=admin)
    r = client.post(f"{API}/tools/greeter/versions/2.0.0/publish", headers=admin)
    assert r.status_code == 200 and r.json()["required_bump"] == "major" and r.json()["previous"] == "1.0.0"
    # Versions, diff, deprecate, listing.
    r = client.get(f"{API}/tools/greeter/versions", headers=auth("Viewer"))
    assert [(v["version"], v["published"]) for v in r.json()["items"]] == [
        ("1.0.0", True), ("1.1.0", False), ("2.0.0", True)]  # fmt: skip
    r = client.get(f"{API}/tools/greeter/diff", params={"from": "1.0.0", "to": "2.0.0"}, headers=admin)
    assert r.json()["required_bump"] == "major"
    assert any("'lang' is now required" in c["message"] for c in r.json()["changes"])
    r = client.post(f"{API}/tools/greeter/versions/1.0.0/deprecate", json={}, headers=admin)
    assert r.json()["deprecated"] is True
    listing = {t["name"]: t for t in client.get(f"{API}/tools", headers=admin).json()["items"]}
    assert listing["greeter"]["latest"] == "2.0.0" and listing["http_request"]["builtin"] is True
    # Built-in names are reserved; viewers cannot write.
    r = client.post(f"{API}/tools", json={"tool": tool(name="http_request")}, headers=admin)
    assert r.status_code == 409
    assert (
        client.post(f"{API}/tools", json={"tool": tool("3.0.0")}, headers=auth("Viewer")).status_code == 403
    )
    # A workflow resolves the published tool by range, pinned at compile time.
    spec = {
        "id": "uses_greeter",
        "nodes": [{"id": "g", "type": "tool", "tool": "greeter@^1", "parameters": {"who": "x"}}],
    }
    r = client.post(f"{API}/compile", json={"spec": spec}, headers=admin)
    assert r.status_code == 200, r.text
    assert 'tool="greeter@1.0.0"' in r.json()["source"]


def test_node_test_route_and_compatibility(client, auth) -> None:  # noqa: F811
    admin = auth("Admin")
    spec = {
        "id": "nodetest_api",
        "tools": [tool("0.1.0", name="inline_greeter")],
        "nodes": [{"id": "g", "type": "tool", "tool": "inline_greeter@0.1.0"},
                  {"id": "spin", "type": "process", "process": {"language": "python", "expression": "while True: pass"},
                   "execution": {"timeout_seconds": 1}}],
        "edges": [{"source": "g", "target": "spin", "mapping": [{"source": "greting", "target": "x"}]}],
    }  # fmt: skip
    r = client.post(f"{API}/nodes/test", json={"spec": spec, "node_id": "g", "debug": True}, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] and body["input_generated"] and body["output"]["greeting"].startswith("hello ")
    assert body["debug"]["resolved_inputs"] == {"who": "sample who"}
    # An endless loop is killed at the node's timeout; the server answers other requests meanwhile.
    started = time.monotonic()
    r = client.post(f"{API}/nodes/test", json={"spec": spec, "node_id": "spin", "input": {}}, headers=admin)
    assert r.json()["error"]["kind"] == "timeout" and time.monotonic() - started < 15
    r = client.post(f"{API}/nodes/test", json={"spec": spec, "node_id": "nope"}, headers=admin)
    assert r.status_code == 404
    assert (
        client.post(
            f"{API}/nodes/test", json={"spec": spec, "node_id": "g"}, headers=auth("User")
        ).status_code
        == 403
    )
    r = client.post(f"{API}/tools/compatibility", json={"spec": spec}, headers=admin)
    assert r.json()["compatible"] is False
    assert r.json()["problems"][0]["code"] == "E_MAPPING_SOURCE_FIELD"
