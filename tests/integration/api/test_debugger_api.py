"""The canvas debugger's routes through the real Airflow API app: step a draft workflow node by node
in the sandbox (nothing saved or deployed), edited inputs and pinned outputs, branch skips, an agent
node against the loopback OpenAI-compatible server, the audit rows, and who may do it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import airflow_cli
from tests.fakes import ScriptedOpenAIServer
from tests.integration.api.conftest import API, PASSWORD

WID = "dbg_api_wf"
NO_CONN_ROLE, NO_CONN_USER = "DebugNoConnections", "t_dbg_noconn"


def three_nodes(wid: str = WID, factor: int = 10) -> dict[str, Any]:
    """input (x) -> Python process (y = x * factor, in the sandbox) -> output (y)."""
    return {
        "id": wid,
        "nodes": [
            {
                "id": "start",
                "type": "input",
                "input_schema": {"type": "object", "properties": {"x": {"type": "integer", "default": 2}}},
            },
            {
                "id": "times",
                "type": "process",
                "process": {"language": "python", "expression": f"result = {{'y': inputs['x'] * {factor}}}"},
            },
            {"id": "end", "type": "output", "output_schema": {"type": "object", "properties": {"y": {}}}},
        ],
        "edges": [{"source": "start", "target": "times"}, {"source": "times", "target": "end"}],
    }


@pytest.fixture(scope="module")
def workflow(client: Any, auth: Any) -> str:
    r = client.post(f"{API}/workflows", json={"spec": three_nodes()}, headers=auth("Admin"))
    assert r.status_code in (201, 409), r.text
    return WID


def session(client: Any, auth: Any, spec: dict[str, Any], results: dict[str, Any], role: str = "Op") -> Any:
    return client.post(
        f"{API}/workflows/{spec['id']}/debug/session",
        json={"spec": spec, "results": results},
        headers=auth(role),
    )


def step(
    client: Any, auth: Any, spec: dict[str, Any], node: str, results: dict[str, Any], **extra: Any
) -> Any:
    body = {"spec": spec, "node_id": node, "results": results, **extra}
    return client.post(
        f"{API}/workflows/{spec['id']}/debug/step", json=body, headers=auth(extra.pop("role", "Op"))
    )


def test_step_a_three_node_workflow(client: Any, auth: Any, workflow: str) -> None:
    spec, results = three_nodes(), {}
    seen = []
    while True:
        view = session(client, auth, spec, results)
        assert view.status_code == 200, view.text
        body = view.json()
        if body["next"] is None:
            break
        seen.append((body["next"], body["next_input"]))
        r = step(client, auth, spec, body["next"], results)
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["state"] == "success", out
        results[out["node_id"]] = {"state": out["state"], "output": out["output"]}
    assert body["order"] == ["start", "times", "end"] and body["finished"]
    assert seen == [("start", {"x": 2}), ("times", {"x": 2}), ("end", {"y": 20})]
    assert results["end"]["output"] == {"y": 20}


def test_the_draft_is_what_runs_unsaved(client: Any, auth: Any, workflow: str) -> None:
    """The stored version multiplies by 10; the editor's draft by 3: the draft runs, nothing is saved."""
    draft = three_nodes(factor=3)
    r = step(client, auth, draft, "times", {"start": {"state": "success", "output": {"x": 2}}})
    assert r.json()["output"] == {"y": 6}
    stored = client.get(f"{API}/workflows/{WID}", headers=auth("Op")).json()
    assert "* 10" in json.dumps(stored)


def test_an_edited_input_changes_the_output(client: Any, auth: Any, workflow: str) -> None:
    results = {"start": {"state": "success", "output": {"x": 2}}}
    assert step(client, auth, three_nodes(), "times", results).json()["output"] == {"y": 20}
    edited = step(client, auth, three_nodes(), "times", results, input={"x": 7}).json()
    assert (edited["input"], edited["output"]) == ({"x": 7}, {"y": 70})
    # An edited upstream output is what the next node's inputs are assembled from.
    view = session(
        client, auth, three_nodes(), {**results, "times": {"state": "success", "output": {"y": -1}}}
    )
    assert (view.json()["next"], view.json()["next_input"]) == ("end", {"y": -1})


def test_pinned_nodes_are_not_rerun(client: Any, auth: Any, workflow: str) -> None:
    """Pinned outputs arrive as results: the session moves past them, and the step of the node after
    them runs on the pinned data (the Python node never ran: its code would have raised)."""
    spec = three_nodes()
    spec["nodes"][1]["process"]["expression"] = "raise RuntimeError('must not run')"
    pinned = {"start": {"output": {"x": 1}}, "times": {"output": {"y": 99}}}
    view = session(client, auth, spec, pinned).json()
    assert view["nodes"]["times"]["state"] == "success" and view["next"] == "end"
    out = step(client, auth, spec, "end", pinned).json()
    assert (out["state"], out["output"]) == ("success", {"y": 99})
    failing = step(client, auth, spec, "times", {"start": {"output": {"x": 1}}}).json()
    assert failing["state"] == "failed" and "must not run" in failing["error"]["message"]


def test_a_false_condition_skips_its_branch(client: Any, auth: Any) -> None:
    spec = {
        "id": "dbg_branch",
        "nodes": [
            {"id": "start", "type": "input"},
            {"id": "big", "type": "process"},
            {"id": "small", "type": "process"},
            {"id": "after_big", "type": "output"},
        ],
        "edges": [
            {"source": "start", "target": "big", "condition": "n > `10`"},
            {"source": "start", "target": "small", "condition": "n <= `10`"},
            {"source": "big", "target": "after_big"},
        ],
    }
    assert client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Admin")).status_code in (
        201,
        409,
    )
    r = step(client, auth, spec, "start", {}, input={"n": 3})
    assert r.json()["branches"] == {"big": False, "small": True}
    view = session(client, auth, spec, {"start": {"output": r.json()["output"]}}).json()
    states = {n: v["state"] for n, v in view["nodes"].items()}
    assert states == {"start": "success", "big": "skipped", "small": "ready", "after_big": "skipped"}
    assert view["next"] == "small"
    skipped = step(client, auth, spec, "big", {"start": {"output": {"n": 3}}}).json()
    assert (skipped["state"], skipped["output"]) == ("skipped", None)


def agent_spec() -> dict[str, Any]:
    return {
        "id": "dbg_agent",
        "nodes": [
            {"id": "q", "type": "input"},
            {
                "id": "ask",
                "type": "agent",
                "output_schema": {"type": "object", "required": ["answer"], "properties": {"answer": {}}},
                "agent": {"prompt": "Q: {{ inputs.question }}", "connection_id": "dbg_llm", "max_steps": 2},
            },
        ],
        "edges": [{"source": "q", "target": "ask"}],
    }


def test_agent_node_uses_the_loopback_model(client: Any, auth: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = agent_spec()
    assert client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Admin")).status_code in (
        201,
        409,
    )
    with ScriptedOpenAIServer() as llm:
        llm.add_json({"answer": "forty-two"})
        conn = {
            "conn_type": "generic",
            "host": llm.url + "/v1",
            "password": "sk-dbg",
            "extra": {"model": "m"},
        }
        monkeypatch.setenv("AIRFLOW_CONN_DBG_LLM", json.dumps(conn))
        out = step(client, auth, spec, "ask", {"q": {"output": {"question": "six times seven?"}}}).json()
        assert out["state"] == "success", out
        assert out["output"] == {"answer": "forty-two"}
        assert "six times seven?" in json.dumps(llm.chat_requests()[0].messages)
    assert "sk-dbg" not in json.dumps(out)


@pytest.fixture(scope="module")
def no_connections(client: Any) -> dict[str, str]:
    """May run code (Canvas Tools edit) and read workflows, but Airflow lets it read no connection."""
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        role = sm.find_role(NO_CONN_ROLE) or sm.add_role(NO_CONN_ROLE)
        for action, resource in [("can_read", "Canvas Workflows"), ("can_edit", "Canvas Tools")]:
            sm.add_permission_to_role(role, sm.create_permission(action, resource))
    airflow_cli(
        "users", "create", "-u", NO_CONN_USER, "-p", PASSWORD, "-r", NO_CONN_ROLE,
        "-f", "No", "-l", "Conn", "-e", f"{NO_CONN_USER}@example.com",
        check=False,
    )  # fmt: skip
    r = client.post("/auth/token", json={"username": NO_CONN_USER, "password": PASSWORD})
    assert r.status_code in (200, 201), r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_agent_node_needs_a_connection_the_caller_may_read(
    client: Any, auth: Any, no_connections: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model is called with the connection's key from the server: only for a caller Airflow lets
    read that connection. Others are refused before any request, and told to pin the output."""
    spec = agent_spec()
    assert client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Admin")).status_code in (
        201,
        409,
    )
    with ScriptedOpenAIServer() as llm:
        conn = {
            "conn_type": "generic",
            "host": llm.url + "/v1",
            "password": "sk-dbg",
            "extra": {"model": "m"},
        }
        monkeypatch.setenv("AIRFLOW_CONN_DBG_LLM", json.dumps(conn))
        body = {"spec": spec, "node_id": "ask", "results": {"q": {"output": {"question": "?"}}}}
        r = client.post(f"{API}/workflows/dbg_agent/debug/step", json=body, headers=no_connections)
        assert r.status_code == 200, r.text
        out = r.json()
        assert (out["state"], out["error"]["kind"]) == ("failed", "permission")
        assert "dbg_llm" in out["error"]["message"] and "pin" in out["error"]["message"]
        assert llm.chat_requests() == []  # no model call was made


def test_each_step_is_audited(client: Any, auth: Any, workflow: str) -> None:
    from airflow.models.log import Log
    from airflow.utils.session import create_session

    step(client, auth, three_nodes(), "end", {"times": {"output": {"y": 5}}})
    with create_session() as s:
        rows = s.scalars(select(Log).where(Log.event == "canvas.debug.step", Log.owner == "t_op")).all()
        assert any('"node_id": "end"' in (row.extra or "") for row in rows)


@pytest.mark.parametrize("role", ["Viewer", "User", "NoCanvas"])
def test_lower_roles_cannot_run_the_debugger(client: Any, auth: Any, workflow: str, role: str) -> None:
    """Running code is Canvas Tools "edit": a Viewer or a User (who may edit workflows) cannot step."""
    assert step(client, auth, three_nodes(), "times", {}, input={"x": 1}, role=role).status_code == 403
    assert session(client, auth, three_nodes(), {}, role=role).status_code == 403
    body = {"spec": three_nodes(), "node_id": "times"}
    assert client.post(f"{API}/workflows/{WID}/debug/step", json=body).status_code == 401


def test_bad_requests_name_the_problem(client: Any, auth: Any, workflow: str) -> None:
    other = three_nodes("dbg_not_stored")
    assert step(client, auth, other, "times", {}).status_code == 404  # no such workflow
    r = client.post(
        f"{API}/workflows/{WID}/debug/step",
        json={"spec": three_nodes("someone_else"), "node_id": "times"},
        headers=auth("Op"),
    )
    assert r.status_code == 422 and WID in r.json()["detail"]
    r = step(client, auth, three_nodes(), "nope", {})
    assert r.status_code == 404 and "nope" in r.json()["detail"]
    r = step(client, auth, three_nodes(), "end", {})
    assert r.status_code == 409 and "times" in r.json()["detail"]
    r = session(client, auth, three_nodes(), {"ghost": {"output": 1}})
    assert r.status_code == 422 and "ghost" in r.json()["detail"]
    r = session(client, auth, three_nodes(), {"start": {"state": "weird"}})
    assert r.status_code == 422
