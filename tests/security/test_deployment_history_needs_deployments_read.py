"""Where a workflow is deployed (its deployment history, who deployed it, the file paths) and which
deploy folders exist are deployment data: a role that may read workflows but not deployments is
refused them (403), like any other deployment route. Viewer, which holds Deployments read, still
reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, PASSWORD, chain_spec

Headers = Callable[[str], dict[str, str]]
ROLE, USER = "CanvasWorkflowsOnly", "t_workflows_only"


@pytest.fixture(scope="module")
def workflows_only(client: TestClient, api_users: Any) -> dict[str, str]:
    """A FAB role granted only "can_read on Canvas Workflows" (and a user holding it)."""
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        role = sm.find_role(ROLE) or sm.add_role(ROLE)
        perm = sm.get_permission("can_read", "Canvas Workflows")
        assert perm is not None
        if perm not in role.permissions:
            sm.add_permission_to_role(role, perm)
        if not sm.find_user(username=USER):
            assert sm.add_user(USER, "W", "Only", f"{USER}@example.com", role, password=PASSWORD)
    r = client.post("/auth/token", json={"username": USER, "password": PASSWORD})
    assert r.status_code in (200, 201), r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_history_and_environments_need_deployments_read(
    client: TestClient, auth: Headers, workflows_only: dict[str, str]
) -> None:
    wid = "history_perm_wf"
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(wid)}, headers=auth("Op"))
    assert r.status_code in (201, 409), r.text
    assert client.post(f"{API}/workflows/{wid}/deploy", json={}, headers=auth("Op")).status_code == 201

    # The role may read the workflow itself...
    assert client.get(f"{API}/workflows/{wid}", headers=workflows_only).status_code == 200
    # ...but not where and by whom it is deployed, nor the deploy folders.
    for path in (f"/workflows/{wid}/deployments", "/environments"):
        r = client.get(f"{API}{path}", headers=workflows_only)
        assert r.status_code == 403, (path, r.text)
        assert "Canvas Deployments" in r.json()["detail"]
        r = client.get(f"{API}{path}", headers=auth("Viewer"))
        assert r.status_code == 200, (path, r.text)
    history = client.get(f"{API}/workflows/{wid}/deployments", headers=auth("Viewer")).json()
    assert history["current"]["dev"]["deployed_by"] == "t_op"
