"""Plain language through Airflow's real API server, offline engine (issue 14): a request names a
node by its display name, the next one says "it" and the route's stored conversation tells which
node that is; an ambiguous request comes back with clickable choices; a role without the co-pilot
permission gets nothing."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api.conftest import chain_spec
from tests.integration.copilot.test_copilot_api import CP, Headers, body, offline  # noqa: F401


def _spec() -> dict[str, Any]:
    spec = chain_spec("cp_language", n=4)  # start -> p1 -> p2 -> end
    spec["nodes"][1]["name"] = "Clean rows"
    spec["nodes"][2]["name"] = "Score rows"
    return spec


def _chat(
    client: TestClient, auth: Headers, message: str, spec: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    r = client.post(f"{CP}/chat", headers=auth("User"), json=body(message, spec, stream=False, **extra))
    assert r.status_code == 200, r.text
    return r.json()


def test_it_follows_the_conversation(client: TestClient, auth: Headers, offline: None) -> None:  # noqa: F811
    spec = _spec()
    first = _chat(client, auth, "what does the score step do?", spec)
    assert "`p2`" in json.dumps(first["reply"]["parts"])
    second = _chat(client, auth, "make it retry three times", spec, conversation_id=first["conversation_id"])
    ops = second["reply"]["proposal"]["ops"]
    assert [(o["op"], o["node_id"], o["changes"]) for o in ops] == [
        ("update_node", "p2", {"execution": {"retry": {"retries": 3}}})
    ]
    r = client.post(f"{CP}/apply", headers=auth("User"), json={"spec": spec, "ops": ops})
    assert r.status_code == 200, r.text


def test_ambiguous_request_gets_choices(client: TestClient, auth: Headers, offline: None) -> None:  # noqa: F811
    reply = _chat(client, auth, "delete the rows step", _spec())["reply"]
    assert reply["proposal"] is None
    items = [i for p in reply["parts"] if p["type"] == "suggestions" for i in p["items"]]
    assert {i["message"] for i in items} == {"remove node p1", "remove node p2"}
    assert all(i["action"] == "send" for i in items)


def test_no_copilot_permission_no_answer(client: TestClient, auth: Headers, offline: None) -> None:  # noqa: F811
    for role in ("Viewer", "NoCanvas"):
        r = client.post(
            f"{CP}/chat", headers=auth(role), json=body("drop the clean step", _spec(), stream=False)
        )
        assert r.status_code == 403, (role, r.text)
