"""A Viewer exports a workflow whose inline tool carries no code and whose entry_point names a module
of the server (``corp_settings:x``). Export used to import that module in the API server (running
its top level) and return its source, secrets included. Export now uses only code the spec carries
or a built-in tool's own file: the module is never imported, the response holds none of it, and the
export fails with an error naming the node, the tool and the field."""

from __future__ import annotations

import ast
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
SECRET = f"corp-db-password-{uuid.uuid4().hex}"


class ServerModule:
    """A module on the API server's sys.path that writes a marker file when it is imported."""

    def __init__(self, folder: Path) -> None:
        self.name = f"corp_settings_{uuid.uuid4().hex[:12]}"
        self.marker = folder / f"{self.name}.imported"
        (folder / f"{self.name}.py").write_text(
            "from pathlib import Path\n"
            f"Path({str(self.marker)!r}).write_text('imported')\n"
            f"DATABASE_PASSWORD = {SECRET!r}\n"
            "def x(**kwargs):\n"
            "    return {'password': DATABASE_PASSWORD}\n",
            encoding="utf-8",
        )

    @property
    def imported(self) -> bool:
        return self.marker.exists() or self.name in sys.modules


@pytest.fixture
def server_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerModule]:
    module = ServerModule(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # the in-process API server can import it
    yield module
    sys.modules.pop(module.name, None)


def _tool_spec(workflow_id: str, tool: dict[str, Any]) -> dict[str, Any]:
    spec = chain_spec(workflow_id, n=2)
    spec["nodes"].insert(1, {"id": "run_tool", "type": "tool", "tool": f"{tool['name']}@1.0.0"})
    spec["edges"] = [
        {"source": "start", "target": "run_tool"},
        {"source": "run_tool", "target": "end"},
    ]
    spec["tools"] = [{"version": "1.0.0", **tool}]
    return spec


def _store(client: TestClient, auth: Headers, spec: dict[str, Any]) -> None:
    """Saved by an Op (who may add code). Should validation one day refuse such a tool on save, the
    spec is written straight to the store: one saved before that, or by any other path, must still
    never make export import the module."""
    r = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Op"))
    if r.status_code == 201:
        return
    from airflow import settings

    from airflow_canvas.spec.load import parse_workflow
    from airflow_canvas.store import repository as repo

    session = settings.Session.session_factory()
    try:
        repo.create_workflow(session, parse_workflow(spec), author="t_op")
    finally:
        session.close()


def _export(client: TestClient, auth: Headers, workflow_id: str, fmt: str) -> Any:
    return client.get(f"{API}/workflows/{workflow_id}/export", params={"format": fmt}, headers=auth("Viewer"))


def test_viewer_export_never_imports_a_module_named_by_a_tool(
    client: TestClient, auth: Headers, server_module: ServerModule
) -> None:
    workflow_id = f"sec_export_{uuid.uuid4().hex[:8]}"
    entry_point = f"{server_module.name}:x"
    _store(client, auth, _tool_spec(workflow_id, {"name": "corp_leak", "entry_point": entry_point}))
    assert not server_module.imported  # saving alone imports nothing

    r = _export(client, auth, workflow_id, "python")
    assert not server_module.imported, "export imported a module named in the spec"
    assert SECRET not in r.text and "DATABASE_PASSWORD" not in r.text
    assert r.status_code == 422, r.text
    detail = r.text
    assert "run_tool" in detail and "corp_leak@1.0.0" in detail and "entry_point" in detail

    for fmt in ("json", "dag-factory"):  # the other formats never touch the tool's module either
        r = _export(client, auth, workflow_id, fmt)
        assert SECRET not in r.text
        assert not server_module.imported, f"export as {fmt} imported a module named in the spec"


@pytest.mark.parametrize(
    "entry_point",
    [
        "os:system",
        "airflow_canvas.plugin.config:deploy_dir",  # a module of this package, but not a built-in tool
        "airflow_canvas.tools.builtin.transform:__init__:x",
    ],
)
def test_viewer_export_refuses_any_code_less_tool_that_is_not_a_built_in(
    client: TestClient, auth: Headers, entry_point: str
) -> None:
    workflow_id = f"sec_export_{uuid.uuid4().hex[:8]}"
    _store(client, auth, _tool_spec(workflow_id, {"name": "not_builtin", "entry_point": entry_point}))
    r = _export(client, auth, workflow_id, "python")
    assert r.status_code == 422, r.text
    assert "not_builtin@1.0.0" in r.text and "entry_point" in r.text


def test_viewer_exports_built_in_and_inline_code_tools(client: TestClient, auth: Headers) -> None:
    """What export may use still works: a built-in tool's source comes from the package's own file,
    an inline tool's from its `code` field."""
    workflow_id = f"sec_export_{uuid.uuid4().hex[:8]}"
    spec = chain_spec(workflow_id, n=2)
    spec["nodes"][1:1] = [
        {"id": "pick", "type": "tool", "tool": "json_transform@1.0.0", "parameters": {"expression": "@"}},
        {"id": "own", "type": "tool", "tool": "own_tool@1.0.0"},
    ]
    spec["edges"] = [
        {"source": "start", "target": "pick"},
        {"source": "pick", "target": "own"},
        {"source": "own", "target": "end"},
    ]
    spec["tools"] = [
        {"name": "own_tool", "version": "1.0.0", "code": "def run(**kw):\n    return {'ok': True}\n"}
    ]
    _store(client, auth, spec)
    r = _export(client, auth, workflow_id, "python")
    assert r.status_code == 200, r.text
    tools = _canvas_tools(r.text)
    builtin = Path(__file__).resolve().parents[2] / "airflow_canvas" / "tools" / "builtin" / "transform.py"
    assert tools["json_transform@1.0.0"]["code"] == builtin.read_text(encoding="utf-8")
    assert tools["json_transform@1.0.0"]["entry_point"] == "json_transform"
    assert tools["own_tool@1.0.0"]["code"] == spec["tools"][0]["code"]


def _canvas_tools(source: str) -> dict[str, Any]:
    """The ejected file's CANVAS_TOOLS literal."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "CANVAS_TOOLS":
            return ast.literal_eval(node.value)
    raise AssertionError("the ejected file has no CANVAS_TOOLS")
