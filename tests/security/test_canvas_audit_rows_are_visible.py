"""Every canvas change lands in Airflow's audit log where people can read it, and only there.

Read back through Airflow's own API (``GET /api/v2/eventLogs``, what the Audit Log page shows):
rows of a workflow that has no DAG yet reach every audit-log reader (they used to carry the
workflow id as ``dag_id`` of a DAG that did not exist, and Airflow's per-DAG filter hid them from
everyone, Admin included); once the workflow's DAG exists its rows, earlier ones included, are on that
DAG's audit tab and hidden from a reader FAB bars from that DAG. And every route of the canvas API
that changes something writes a row (the routes are enumerated from the app, so new ones count)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.conftest import airflow_cli
from tests.integration.api.conftest import API, PASSWORD, chain_spec
from tests.integration.api.test_rbac_routes import canvas_app

Headers = Callable[[str], dict[str, str]]
EVENT_LOGS = "/api/v2/eventLogs"
AUDIT_ROLE = "AuditOneDag"  # may read the audit log and one DAG only (FAB per-DAG permission)
AUDIT_USER = "t_audit_one_dag"
_ids = itertools.count()


def new_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids)}"


def event_logs(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every row ``GET /api/v2/eventLogs`` returns for ``params`` (all pages)."""
    rows: list[dict[str, Any]] = []
    while True:
        query = {"limit": 100, "offset": len(rows), "order_by": "id", **params}
        r = client.get(EVENT_LOGS, params=query, headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        rows.extend(page["event_logs"])
        if not page["event_logs"] or len(rows) >= page["total_entries"]:
            return rows


def workflow_of(row: dict[str, Any]) -> str | None:
    return json.loads(row["extra"] or "{}").get("workflow_id")


def rows_of(
    client: TestClient, headers: dict[str, str], workflow_id: str, **params: Any
) -> list[dict[str, Any]]:
    rows = event_logs(client, headers, event_pattern="canvas.", **params)
    return [r for r in rows if workflow_of(r) == workflow_id]


def deploy_as_admin(client: TestClient, auth: Headers, workflow_id: str) -> Any:
    body: dict[str, Any] = {"environment": "dev"}
    r = client.post(f"{API}/workflows/{workflow_id}/deploy", json=body, headers=auth("Admin"))
    if r.status_code == 428:  # the deploy changes code: confirm exactly that code
        body["confirm_code"] = r.json()["confirm_code"]
        r = client.post(f"{API}/workflows/{workflow_id}/deploy", json=body, headers=auth("Admin"))
    return r


def deploy(client: TestClient, auth: Headers, workflow_id: str) -> None:
    r = deploy_as_admin(client, auth, workflow_id)
    assert r.status_code == 201, r.text


def create(client: TestClient, auth: Headers, workflow_id: str, role: str = "User") -> None:
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(workflow_id)}, headers=auth(role))
    assert r.status_code == 201, r.text


def save(client: TestClient, auth: Headers, workflow_id: str, role: str = "User") -> None:
    """A new version on main (one more node than the head has)."""
    head = client.get(f"{API}/workflows/{workflow_id}", headers=auth(role)).json()
    body = {"spec": chain_spec(workflow_id, len(head["spec"]["nodes"]) + 1), "base_version": head["version"]}
    r = client.put(f"{API}/workflows/{workflow_id}", json=body, headers=auth(role))
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def deployed(client: TestClient, auth: Headers, dags_folder: Any) -> dict[str, str]:
    """Two workflows created and saved while they had no DAG, then deployed and parsed by Airflow."""
    ids = {"mine": new_id("audit_mine"), "other": new_id("audit_other")}
    for wid in ids.values():
        create(client, auth, wid)
        save(client, auth, wid)
        deploy(client, auth, wid)
    airflow_cli("dags", "reserialize")
    return ids


@pytest.fixture(scope="module")
def one_dag_reader(client: TestClient, deployed: dict[str, str]) -> dict[str, str]:
    """Headers of a user whose role may read the audit log and the DAG ``deployed["other"]`` only."""
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder
    from airflow.providers.fab.www.security import permissions

    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        role = sm.find_role(AUDIT_ROLE) or sm.add_role(AUDIT_ROLE)
        for action, resource in [
            (permissions.ACTION_CAN_READ, permissions.RESOURCE_AUDIT_LOG),
            (
                permissions.ACTION_CAN_READ,
                permissions.resource_name(deployed["other"], permissions.RESOURCE_DAG),
            ),
        ]:
            sm.add_permission_to_role(role, sm.create_permission(action, resource))
    airflow_cli(
        "users", "create", "-u", AUDIT_USER, "-p", PASSWORD, "-r", AUDIT_ROLE,
        "-f", "Audit", "-l", "One", "-e", f"{AUDIT_USER}@example.com",
        check=False,
    )  # fmt: skip
    r = client.post("/auth/token", json={"username": AUDIT_USER, "password": PASSWORD})
    assert r.status_code in (200, 201), r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_an_admin_sees_the_rows_of_a_workflow_that_has_no_dag(client: TestClient, auth: Headers) -> None:
    wid = new_id("audit_nodag")
    create(client, auth, wid, role="Admin")
    save(client, auth, wid, role="Admin")
    r = client.post(f"{API}/workflows/{wid}/branches", json={"name": "idea"}, headers=auth("User"))
    assert r.status_code == 201, r.text
    assert client.delete(f"{API}/workflows/{wid}", headers=auth("Admin")).status_code == 200
    rows = rows_of(client, auth("Admin"), wid)
    assert [(r["event"], r["owner"]) for r in rows] == [
        ("canvas.workflow.create", "t_admin"),
        ("canvas.workflow.save", "t_admin"),
        ("canvas.branch.create", "t_user"),
        ("canvas.workflow.delete", "t_admin"),
    ], rows
    assert all(r["dag_id"] is None for r in rows)  # no DAG of that id: Airflow shows NULL rows to readers
    assert json.loads(rows[1]["extra"]) == {"workflow_id": wid, "version": 2, "branch": "main"}


def test_a_deployed_workflows_rows_are_on_its_dag_tab(
    client: TestClient, auth: Headers, deployed: dict[str, str]
) -> None:
    """The DAG's own audit tab (``?dag_id=``) has the canvas history from creation on: the first
    change after Airflow parsed the DAG moves the earlier rows onto it."""
    wid = deployed["mine"]
    save(client, auth, wid)
    rows = event_logs(client, auth("Admin"), dag_id=wid, event_pattern="canvas.")
    assert [r["event"] for r in rows] == [
        "canvas.workflow.create",
        "canvas.workflow.save",
        "canvas.workflow.deploy",
        "canvas.workflow.save",
    ], rows
    assert {workflow_of(r) for r in rows} == {wid} and rows[-1]["owner"] == "t_user"


def test_a_reader_barred_from_the_dag_does_not_see_its_canvas_rows(
    client: TestClient, auth: Headers, deployed: dict[str, str], one_dag_reader: dict[str, str]
) -> None:
    mine, other = deployed["mine"], deployed["other"]
    save(client, auth, other)
    save(client, auth, mine)
    seen = event_logs(client, one_dag_reader, event_pattern="canvas.")
    assert not [r for r in seen if r["dag_id"] == mine or workflow_of(r) == mine], (
        "rows of a barred DAG leaked"
    )
    r = client.get(EVENT_LOGS, params={"dag_id": mine}, headers=one_dag_reader)  # the DAG's audit tab
    assert r.status_code == 403 or r.json()["event_logs"] == [], r.text
    assert [r["event"] for r in seen if workflow_of(r) == other][-1] == "canvas.workflow.save"
    barred = rows_of(client, auth("Admin"), mine, dag_id=mine)
    assert barred
    r = client.get(f"{EVENT_LOGS}/{barred[0]['event_log_id']}", headers=one_dag_reader)
    assert r.status_code == 403, r.text
    # Before a workflow has a DAG, no per-DAG permission can apply: its rows reach every audit-log
    # reader (the documented trade-off; by default only Admin may read the audit log).
    undeployed = new_id("audit_undeployed")
    create(client, auth, undeployed)
    assert [r["event"] for r in rows_of(client, one_dag_reader, undeployed)] == ["canvas.workflow.create"]


# Routes that change nothing stored, so they write no audit row (a new route must be put here or
# audited: the walk below fails on an unclassified one).
NOT_CHANGES: dict[tuple[str, str], str] = {
    ("POST", "/api/validate"): "answers with problems; stores nothing",
    ("POST", "/api/compile"): "answers with generated source; stores nothing",
    ("POST", "/api/nodes/change-type"): "answers with a changed spec; stores nothing",
    ("POST", "/api/templates/{name}/instantiate"): "answers with a new spec; stores nothing",
    ("POST", "/api/copilot/wizards/{name}/step"): "answers with the next wizard step; stores nothing",
    ("POST", "/api/tools/compatibility"): "answers with problems; stores nothing",
    ("POST", "/api/tools/check"): "answers with diagnostics and a publish preview; the code is parsed, "
    "never run, and nothing is stored",
    ("POST", "/api/copilot/chat"): "a turn of the caller's own conversation (stored there with user and "
    "time); what it proposes reaches the audit log when applied (canvas.copilot.apply)",
    # The chain library: these read the library and answer with a computed spec or report; saving the
    # spec afterwards is the workflow's own audited save.
    ("POST", "/api/chains/preview"): "answers with what publishing would store; stores nothing",
    ("POST", "/api/chains/status"): "answers with each inserted group's pin and updates; stores nothing",
    ("POST", "/api/chains/update"): "answers with the spec on another chain version; stores nothing",
    (
        "POST",
        "/api/chains/{name}/{version}/insert",
    ): "answers with the spec holding the chain; stores nothing",
    ("POST", "/api/user-templates/{name}/instantiate"): "answers with a new spec; stores nothing "
    "(creating the workflow is the audited POST /workflows)",
    ("POST", "/api/workflows/{workflow_id}/debug/session"): "answers with order, states and the next "
    "node's inputs computed from the request; runs no code and stores nothing",
}


def tool_spec(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "version": "1.0.0",
        "description": "Echo.",
        "code": "def run(x):\n    return {'x': x}\n",
        "input_schema": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
        "output_schema": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
        "tests": [{"name": "one", "input": {"x": 1}, "expected": {"x": 1}}],
    }


def change_scenarios(
    client: TestClient, auth: Headers, deployed: dict[str, str]
) -> dict[tuple[str, str], Any]:
    """(method, route path) -> a callable making a successful request of that route as Admin."""
    h = auth("Admin")
    wid = new_id("audit_walk")
    tool = new_id("audit_tool")
    chain, template = new_id("audit_chain"), new_id("audit_template")

    def merge() -> Any:
        client.post(f"{API}/workflows/{wid}/branches", json={"name": "feature"}, headers=h)
        head = client.get(f"{API}/workflows/{wid}", params={"branch": "feature"}, headers=h).json()
        body = {"spec": chain_spec(wid, 7), "base_version": head["version"], "branch": "feature"}
        client.put(f"{API}/workflows/{wid}", json=body, headers=h)
        return client.post(f"{API}/workflows/{wid}/merge", json={"source": "feature"}, headers=h)

    def conversation_then_clear() -> Any:
        context = {"workflow": chain_spec(wid)}
        chat = {"message": "what does p1 do?", "workflow_id": wid, "context": context, "stream": False}
        r = client.post(f"{API}/copilot/chat", json=chat, headers=h)
        assert r.status_code == 200, r.text
        return client.delete(f"{API}/copilot/conversations", params={"workflow_id": wid}, headers=h)

    def clear_a_real_run() -> Any:
        other = deployed["other"]
        runs = client.get(f"{API}/workflows/{other}/runs", headers=h).json()["items"]
        assert runs, "the trigger scenario made no run"
        url = f"{API}/workflows/{other}/runs/{runs[0]['run_id']}/nodes/p1/clear"
        return client.post(url, json={"dry_run": False}, headers=h)

    spec = chain_spec(wid)
    yaml_text = (
        f"{new_id('audit_imported')}:\n"
        "  default_args: {owner: data, start_date: 2024-05-01}\n"
        "  tasks:\n"
        "    - task_id: first\n"
        "      operator: airflow.operators.empty.EmptyOperator\n"
    )
    return {
        ("POST", "/api/workflows"): lambda: client.post(f"{API}/workflows", json={"spec": spec}, headers=h),
        ("PUT", "/api/workflows/{workflow_id}"): lambda: client.put(
            f"{API}/workflows/{wid}", json={"spec": chain_spec(wid, 4), "base_version": 1}, headers=h
        ),
        ("POST", "/api/workflows/{workflow_id}/rollback"): lambda: client.post(
            f"{API}/workflows/{wid}/rollback", json={"version": 1}, headers=h
        ),
        ("POST", "/api/workflows/{workflow_id}/branches"): lambda: client.post(
            f"{API}/workflows/{wid}/branches", json={"name": "b1"}, headers=h
        ),
        ("POST", "/api/workflows/{workflow_id}/merge"): merge,
        ("POST", "/api/workflows/{workflow_id}/duplicate"): lambda: client.post(
            f"{API}/workflows/{wid}/duplicate", json={"new_id": new_id("audit_dup")}, headers=h
        ),
        ("POST", "/api/workflows/{workflow_id}/deploy"): lambda: deploy_as_admin(client, auth, wid),
        ("DELETE", "/api/workflows/{workflow_id}/deploy/{environment}"): lambda: client.delete(
            f"{API}/workflows/{wid}/deploy/dev", headers=h
        ),
        ("POST", "/api/workflows/{workflow_id}/runs"): lambda: client.post(
            f"{API}/workflows/{deployed['other']}/runs", json={}, headers=h
        ),
        ("POST", "/api/copilot/apply"): lambda: client.post(
            f"{API}/copilot/apply",
            json={"spec": spec, "workflow_id": wid, "ops": [{"op": "remove_node", "node_id": "p1"}]},
            headers=h,
        ),
        ("DELETE", "/api/copilot/conversations"): conversation_then_clear,
        # A draft is audited where it begins and where it is thrown away, not at every autosave.
        ("PUT", "/api/workflows/{workflow_id}/draft"): lambda: client.put(
            f"{API}/workflows/{wid}/draft", json={"spec": spec, "base_version": 1}, headers=h
        ),
        ("DELETE", "/api/workflows/{workflow_id}/draft"): lambda: client.delete(
            f"{API}/workflows/{wid}/draft", headers=h
        ),
        ("POST", "/api/import"): lambda: client.post(
            f"{API}/import", json={"filename": "a.yml", "content": yaml_text, "save": True}, headers=h
        ),
        ("POST", "/api/tools"): lambda: client.post(
            f"{API}/tools", json={"tool": tool_spec(tool)}, headers=h
        ),
        ("POST", "/api/tools/{name}/versions/{version}/test"): lambda: client.post(
            f"{API}/tools/{tool}/versions/1.0.0/test", headers=h
        ),
        ("POST", "/api/tools/{name}/versions/{version}/publish"): lambda: client.post(
            f"{API}/tools/{tool}/versions/1.0.0/publish", headers=h
        ),
        ("POST", "/api/tools/{name}/versions/{version}/deprecate"): lambda: client.post(
            f"{API}/tools/{tool}/versions/1.0.0/deprecate", json={}, headers=h
        ),
        ("POST", "/api/nodes/test"): lambda: client.post(
            f"{API}/nodes/test", json={"spec": spec, "node_id": "p1", "input": {"x": 1}}, headers=h
        ),
        ("POST", "/api/chains"): lambda: client.post(
            f"{API}/chains",
            json={"spec": spec, "node_ids": ["p1"], "name": chain, "version": "1.0.0"},
            headers=h,
        ),
        ("PUT", "/api/user-templates/{name}"): lambda: client.put(
            f"{API}/user-templates/{template}", json={"spec": spec, "name": template}, headers=h
        ),
        ("DELETE", "/api/user-templates/{name}"): lambda: client.delete(
            f"{API}/user-templates/{template}", headers=h
        ),
        # Runs the node's code on this host (in the sandbox): audited before it runs.
        ("POST", "/api/workflows/{workflow_id}/debug/step"): lambda: client.post(
            f"{API}/workflows/{wid}/debug/step",
            json={"spec": spec, "node_id": "p1", "results": {"start": {"output": {"x": 1}}}},
            headers=h,
        ),
        # The run triggered above (queued, its task instances made): re-run it from p1 for real.
        ("POST", "/api/workflows/{workflow_id}/runs/{run_id}/nodes/{node_id}/clear"): clear_a_real_run,
        # Last: deleting needs the workflow undeployed, which the scenarios above leave it.
        ("DELETE", "/api/workflows/{workflow_id}"): lambda: client.delete(
            f"{API}/workflows/{wid}", headers=h
        ),
    }


def canvas_row_count() -> int:
    from airflow.models.log import Log
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    with create_session() as s:
        return s.scalar(select(func.count(Log.id)).where(Log.event.startswith("canvas."))) or 0


def test_every_route_that_changes_something_writes_an_audit_row(
    client: TestClient, auth: Headers, api_app: Any, deployed: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__COPILOT_CONN_ID", "no_such_llm_conn")  # offline co-pilot
    changing = [
        (method, route.path)
        for route in canvas_app(api_app).routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods - {"GET", "HEAD", "OPTIONS"})
    ]
    assert len(changing) >= 20
    scenarios = change_scenarios(client, auth, deployed)
    unclassified = [key for key in changing if key not in scenarios and key not in NOT_CHANGES]
    assert not unclassified, f"routes neither audited nor listed as changing nothing: {unclassified}"
    failures = []
    for key, run in scenarios.items():  # in order: later scenarios build on earlier ones
        if key not in changing:
            failures.append(f"{key} is not a route any more")
            continue
        before = canvas_row_count()
        response = run()
        if response.status_code >= 300:
            failures.append(f"{key} -> {response.status_code}: {response.text[:300]}")
        elif canvas_row_count() <= before:
            failures.append(f"{key} succeeded ({response.status_code}) but wrote no audit row")
    assert not failures, "\n".join(failures)
