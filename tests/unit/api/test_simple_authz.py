"""Under SimpleAuthManager (no stored permissions) the canvas applies the FAB default grants by role
rank, because SimpleAuthManager's own custom-view check lets every Viewer do everything."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from airflow_canvas.plugin.authz import _simple_allowed, minimum_role
from airflow_canvas.store.permissions import COPILOT, DEPLOYMENTS, TOOLS, WORKFLOWS


@pytest.mark.parametrize(
    "role,resource,action,allowed",
    [
        ("viewer", WORKFLOWS, "read", True),
        ("viewer", WORKFLOWS, "edit", False),
        ("viewer", DEPLOYMENTS, "edit", False),
        ("viewer", COPILOT, "read", False),
        ("user", WORKFLOWS, "edit", True),
        ("user", WORKFLOWS, "delete", False),
        ("user", DEPLOYMENTS, "edit", False),
        ("user", TOOLS, "edit", False),
        ("user", COPILOT, "read", True),
        ("op", DEPLOYMENTS, "edit", True),
        ("op", TOOLS, "edit", True),
        ("admin", WORKFLOWS, "delete", True),
        (None, WORKFLOWS, "read", False),
        ("stranger", WORKFLOWS, "read", False),
    ],
)
def test_simple_auth_manager_roles(role: str | None, resource: str, action: str, allowed: bool) -> None:
    assert _simple_allowed(SimpleNamespace(role=role), resource, action) is allowed


def test_minimum_roles() -> None:
    assert minimum_role(WORKFLOWS, "read") == "Viewer"
    assert minimum_role(WORKFLOWS, "delete") == "Op"
    assert minimum_role(DEPLOYMENTS, "edit") == "Op"
