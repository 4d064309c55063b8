"""Code shipped in the template gallery may be used unchanged by a User, but a tool setting such as
``network: true`` is trusted only on the tool it shipped with: a User must not be able to switch the
network on for an inline tool an Op approved, just because some gallery tool has ``network: true``."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_canvas import templates as gallery
from airflow_canvas.plugin import authz
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow

GALLERY_TOOL = {
    "name": "fetcher",
    "version": "1.0.0",
    "code": "def run(url):\n    return {'url': url}\n",
    "network": True,
}
OP_APPROVED_TOOL = {"name": "scorer", "version": "1.0.0", "code": "def run(x):\n    return {'x': x}\n"}


def _workflow(*tools: dict[str, Any]) -> Workflow:
    nodes = [{"id": t["name"], "type": "tool", "tool": f"{t['name']}@{t['version']}"} for t in tools]
    return parse_workflow({"id": "wf", "name": "wf", "nodes": nodes, "tools": list(tools)})


@pytest.fixture
def gallery_with_a_network_tool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    info = types.SimpleNamespace(name="fetch_things", kind="subgraph")
    part = _workflow(GALLERY_TOOL)
    monkeypatch.setattr(gallery, "list_templates", lambda kind=None: [info])
    monkeypatch.setattr(gallery, "instantiate_subgraph", lambda name, params=None, id_prefix="": part)
    monkeypatch.setattr(authz, "may_write_code", lambda user: False)  # a User
    authz.shipped_code.cache_clear()
    yield
    authz.shipped_code.cache_clear()


def test_user_may_use_the_gallery_tool_unchanged(gallery_with_a_network_tool: None) -> None:
    authz.require_code_permission(object(), None, _workflow(GALLERY_TOOL), "save")  # type: ignore[arg-type]


def test_user_cannot_turn_on_network_for_another_tool(gallery_with_a_network_tool: None) -> None:
    before = _workflow(OP_APPROVED_TOOL)
    after = _workflow({**OP_APPROVED_TOOL, "network": True})
    with pytest.raises(ApiError) as refused:
        authz.require_code_permission(object(), before, after, "save")  # type: ignore[arg-type]
    assert refused.value.status == 403
    assert "scorer@1.0.0" in str(refused.value.detail) and "/tools/0/network" in str(refused.value.detail)
