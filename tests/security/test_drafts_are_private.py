"""A draft is its author's alone: another user (even an Admin) can neither read nor overwrite nor
discard it, and a Viewer (no edit on Canvas Workflows) cannot write a draft at all."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]


def _workflow(client: TestClient, auth: Headers, wid: str) -> str:
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(wid)}, headers=auth("Admin"))
    assert r.status_code == 201, r.text
    return f"{API}/workflows/{wid}/draft"


def test_second_user_cannot_read_or_overwrite_the_first_users_draft(
    client: TestClient, auth: Headers
) -> None:
    url = _workflow(client, auth, "sec_draft_two_users")
    secret = chain_spec("sec_draft_two_users", name="user's private edit")
    assert client.put(url, json={"spec": secret, "base_version": 1}, headers=auth("User")).status_code == 200
    for other in ("Op", "Admin", "Viewer"):
        assert client.get(url, headers=auth(other)).json() == {"draft": None}, other
    # The Op's own draft lands beside the User's, never over it; the Op's discard removes only its own.
    mine = chain_spec("sec_draft_two_users", name="op's edit")
    assert client.put(url, json={"spec": mine, "base_version": 1}, headers=auth("Op")).status_code == 200
    assert client.delete(url, headers=auth("Op")).json() == {"discarded": True}
    assert client.delete(url, headers=auth("Admin")).json() == {"discarded": False}
    assert client.get(url, headers=auth("User")).json()["draft"]["spec"]["name"] == "user's private edit"
    # No parameter names another user: an extra field is refused, not honoured.
    r = client.put(url, json={"spec": mine, "username": "t_user"}, headers=auth("Op"))
    assert r.status_code == 422
    r = client.get(url, params={"username": "t_user"}, headers=auth("Op"))
    assert r.json() == {"draft": None}


def test_viewer_cannot_write_a_draft(client: TestClient, auth: Headers) -> None:
    url = _workflow(client, auth, "sec_draft_viewer")
    r = client.put(url, json={"spec": chain_spec("sec_draft_viewer")}, headers=auth("Viewer"))
    assert r.status_code == 403, r.text
    assert client.get(url, headers=auth("Viewer")).json() == {"draft": None}
    for role in ("NoCanvas",):
        assert client.get(url, headers=auth(role)).status_code == 403
        assert client.put(url, json={"spec": {}}, headers=auth(role)).status_code == 403
        assert client.delete(url, headers=auth(role)).status_code == 403
    assert client.get(url).status_code == 401
