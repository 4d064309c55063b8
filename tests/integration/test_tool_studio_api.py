"""The tool studio's routes on the real Airflow API server app: the static check (inline errors with
line and column, never running the code; the publish preview's suggested version), publishing with
a changelog, which workflows use each version, and what the lowest roles may not do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import airflow_cli
from tests.integration.api.conftest import (  # noqa: F401
    API,
    PASSWORD,
    api_app,
    api_users,
    auth,
    client,
    tokens,
)

pytestmark = pytest.mark.slow

NAME = "studio_echo"


def tool(version: str = "1.0.0", **changes: Any) -> dict[str, Any]:
    base = {
        "name": NAME,
        "version": version,
        "description": "Echo a word.",
        "code": "def run(word):\n    return {'echo': word}\n",
        "input_schema": {"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]},
        "output_schema": {"type": "object", "properties": {"echo": {"type": "string"}}, "required": ["echo"]},
        "tests": [{"name": "hi", "input": {"word": "hi"}, "expected": {"echo": "hi"}}],
    }
    return {**base, **changes}


def check(client, headers, body: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    r = client.post(f"{API}/tools/check", json={"tool": body}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_check_reports_positions_and_never_runs_code(client, auth, tmp_path: Path) -> None:  # noqa: F811
    admin = auth("Admin")
    assert check(client, admin, tool()) | {"publish": None} == {
        "ok": True,
        "diagnostics": [],
        "publish": None,
    }
    # A syntax error: its line and column, for the editor's underline.
    body = check(client, admin, tool(code="def run(word):\n    return {'echo': word\n"))
    assert body["ok"] is False
    (d,) = body["diagnostics"]
    assert d["where"] == "code" and d["line"] == 2 and d["column"] >= 12 and "SyntaxError" in d["message"]
    # The entry point is missing; a schema is not a JSON Schema; an assertion does not parse.
    body = check(
        client,
        admin,
        tool(
            code="def main(word):\n    return {}\n",
            output_schema={"type": "object", "properties": {"echo": {"type": "strng"}}},
            tests=[{"input": {"word": 3}, "assertions": ["output['echo'] =="]}],
        ),
    )
    by_where = {d["where"]: d for d in body["diagnostics"]}
    assert "No top-level function 'run'" in by_where["code"]["message"]
    assert by_where["output_schema"]["message"].startswith("output_schema.properties.echo.type:")
    assert by_where["tests.0.assertions.0"]["severity"] == "error"
    assert by_where["tests.0.input"]["severity"] == "warning"  # 3 is not a string
    # Module-level code with side effects is parsed, not run.
    marker = tmp_path / "ran"
    body = check(
        client, admin, tool(code=f"open({str(marker)!r}, 'w').write('x')\ndef run(word):\n    return {{}}\n")
    )
    assert body["ok"] is True and not marker.exists()
    # Model errors name the field (a bad version, a bad name).
    body = check(client, admin, tool(version="1.0", name="Bad Name"))
    assert {"version", "name"} <= {d["where"] for d in body["diagnostics"]} and body["publish"] is None


def test_publish_preview_changelog_and_usage(client, auth) -> None:  # noqa: F811
    admin = auth("Admin")
    # A workflow saved before the tool was published, with an inline tool of that name: its own copy.
    node = {"id": "echo", "type": "tool", "tool": f"{NAME}@0.1.0", "parameters": {"word": "x"}}
    inline = {"id": "own_echo", "tools": [tool("0.1.0")], "nodes": [node]}
    r = client.post(f"{API}/workflows", json={"spec": inline}, headers=admin)
    assert r.status_code == 201, r.text
    assert check(client, admin, tool())["publish"]["suggested_version"] == "1.0.0"
    assert client.post(f"{API}/tools", json={"tool": tool()}, headers=admin).status_code == 201
    r = client.post(
        f"{API}/tools/{NAME}/versions/1.0.0/publish", json={"changelog": "First release."}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["changelog"] == "First release."
    r = client.get(f"{API}/tools/{NAME}/versions/1.0.0", headers=auth("Viewer"))
    assert r.json()["changelog"] == "First release." and r.json()["spec"]["changelog"] == "First release."
    # An output field that may now be missing is breaking: the preview demands a major bump.
    v2 = tool("1.1.0", output_schema={"type": "object", "properties": {"echo": {"type": "string"}}})
    preview = check(client, admin, v2)["publish"]
    assert preview["previous"] == "1.0.0" and preview["required_bump"] == "major"
    assert preview["suggested_version"] == "2.0.0"
    assert any(c["bump"] == "major" and c["where"] == "output" for c in preview["changes"])
    # A code-only change needs a patch.
    patch = check(client, admin, tool("1.0.1", code="def run(word):\n    return {'echo': str(word)}\n"))
    assert patch["publish"]["suggested_version"] == "1.0.1" and patch["publish"]["required_bump"] == "patch"

    # Usage: a tool node by range, resolved to the published version; the inline copy not counted.
    node = {**node, "tool": f"{NAME}@^1"}
    r = client.post(f"{API}/workflows", json={"spec": {"id": "uses_echo", "nodes": [node]}}, headers=admin)
    assert r.status_code == 201, r.text
    r = client.get(f"{API}/tools/{NAME}/usage", headers=auth("Viewer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["visible"] is True
    assert [(u["workflow_id"], u["version"], u["node_id"], u["via"]) for u in body["items"]] == [
        ("uses_echo", "1.0.0", "echo", "node")
    ]
    assert client.get(f"{API}/tools/nope_tool/usage", headers=admin).status_code == 404


@pytest.fixture(scope="module")
def tools_only(client, api_users) -> dict[str, str]:  # noqa: F811
    """A role that may read Canvas Tools but not Canvas Workflows."""
    airflow_cli("roles", "create", "ToolsOnly", check=False)
    airflow_cli("roles", "add-perms", "ToolsOnly", "-r", "Canvas Tools", "-a", "can_read")
    existing = airflow_cli("users", "list", "-o", "plain", check=False).stdout
    if "t_toolsonly" not in existing:
        airflow_cli("users", "create", "-u", "t_toolsonly", "-p", PASSWORD, "-r", "ToolsOnly",
                    "-f", "t", "-l", "T", "-e", "t_toolsonly@example.com")  # fmt: skip
    r = client.post("/auth/token", json={"username": "t_toolsonly", "password": PASSWORD})
    assert r.status_code in (200, 201), r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_lowest_roles_cannot_write_or_see_unreadable_workflows(client, auth, tools_only) -> None:  # noqa: F811
    admin = auth("Admin")
    client.post(f"{API}/tools", json={"tool": tool("9.0.0", name="studio_rbac")}, headers=admin)
    base = f"{API}/tools/studio_rbac/versions/9.0.0"
    for role in ("Viewer", "User", "NoCanvas"):
        h = auth(role)
        assert client.post(f"{API}/tools/check", json={"tool": tool()}, headers=h).status_code == 403
        assert client.post(f"{base}/test", headers=h).status_code == 403
        assert client.post(f"{base}/publish", json={"changelog": "x"}, headers=h).status_code == 403
        assert client.post(f"{base}/deprecate", json={}, headers=h).status_code == 403
        r = client.post(f"{API}/tools", json={"tool": tool("9.0.1", name="studio_rbac")}, headers=h)
        assert r.status_code == 403
    r = client.get(f"{API}/tools/studio_rbac/versions", headers=admin)
    assert [(v["version"], v["published"]) for v in r.json()["items"]] == [("9.0.0", False)]
    assert client.get(f"{API}/tools/studio_rbac/usage", headers=auth("NoCanvas")).status_code == 403
    # Tools "read" without Workflows "read": the tool is visible, the workflows using it are not.
    spec = {"id": "rbac_uses", "nodes": [{"id": "n", "type": "tool", "tool": "http_request@^1"}]}
    assert client.post(f"{API}/workflows", json={"spec": spec}, headers=admin).status_code == 201
    assert client.get(f"{API}/tools", headers=tools_only).status_code == 200
    assert client.get(f"{API}/workflows", headers=tools_only).status_code == 403
    r = client.get(f"{API}/tools/http_request/usage", headers=tools_only)
    assert r.status_code == 200 and r.json() == {
        "name": "http_request",
        "visible": False,
        "items": [],
        "total": 0,
    }
    r = client.get(f"{API}/tools/http_request/usage", headers=admin)
    assert any(u["workflow_id"] == "rbac_uses" for u in r.json()["items"])
