"""Every route of the plugin app, every role: no credentials -> 401; a FAB role lacking the canvas
permission (or Airflow's DAG permission, for run routes) -> 403; a role holding it -> success.

The permission a route needs is read from the route itself (the ``requires``/``requires_dag``
dependencies carry it), so routes other engineers add are enumerated and checked too; the expected
grants come from permissions.DEFAULT_GRANTS and FAB's default roles. For this module's own routes a
real success scenario (valid body, existing objects) is run and its 2xx status asserted."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from airflow_canvas.store.permissions import DEFAULT_GRANTS
from tests.conftest import airflow_cli
from tests.integration.api.conftest import API, ROLE_USERS, chain_spec

Headers = Callable[[str], dict[str, str]]
ROLES = list(ROLE_USERS)
# FAB's default roles: Viewer may read DAGs/runs/tasks/XComs; User, Op and Admin may also run them.
DAG_ROLES = {
    "GET": {"Admin", "Op", "User", "Viewer"},
    "POST": {"Admin", "Op", "User"},
    "PUT": {"Admin", "Op", "User"},
    "DELETE": {"Admin", "Op", "User"},
}
_seq = itertools.count()


def canvas_app(api_app: Any) -> Any:
    for route in api_app.routes:
        if getattr(route, "path", None) == "/airflow-canvas":
            return route.app
    raise AssertionError("the canvas app is not mounted at /airflow-canvas")


def requirements(route: APIRoute) -> tuple[list[tuple[str, str]], list[tuple[str, Any]], bool]:
    """(canvas permissions, DAG permissions, authenticated) that a route's dependencies demand."""
    canvas, dag, authed = [], [], False
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        call = dep.call
        if getattr(call, "canvas_permission", None):
            canvas.append(call.canvas_permission)
        if getattr(call, "dag_permission", None):
            dag.append(call.dag_permission)
        if getattr(call, "__name__", "") == "get_user":
            authed = True
        stack.extend(dep.dependencies)
    return canvas, dag, authed


def allowed_roles(canvas: list[tuple[str, str]], dag: list[tuple[str, Any]]) -> set[str]:
    roles = set()
    for role in ROLES:
        grants = set(DEFAULT_GRANTS.get(role, []))
        ok = all((action, resource) in grants for resource, action in canvas)
        ok = ok and all(role in DAG_ROLES[method] for method, _ in dag)
        if ok:
            roles.add(role)
    return roles


def fresh(client: TestClient, auth: Headers, prefix: str) -> str:
    wid = f"{prefix}_{next(_seq)}"
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(wid)}, headers=auth("Admin"))
    assert r.status_code == 201, r.text
    return wid


@pytest.fixture(scope="module")
def world(client: TestClient, auth: Headers, dags_folder: Any) -> dict[str, Any]:
    """A workflow deployed to dev, parsed into Airflow's DB, with one run and one XCom."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    wid = "rbac_wf"
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(wid)}, headers=auth("Admin"))
    assert r.status_code in (201, 409), r.text
    r = client.post(f"{API}/workflows/{wid}/deploy", json={"environment": "dev"}, headers=auth("Admin"))
    assert r.status_code == 201, r.text
    airflow_cli("dags", "reserialize")
    r = client.post(f"{API}/workflows/{wid}/runs", json={"params": {"x": 2}}, headers=auth("Admin"))
    assert r.status_code == 201, r.text
    run_id = r.json()["run_id"]
    with create_session() as s:
        XComModel.set("return_value", {"ok": 1}, dag_id=wid, task_id="end", run_id=run_id, session=s)
    return {"wid": wid, "run_id": run_id}


def scenario(
    client: TestClient, auth: Headers, world: dict[str, Any], method: str, path: str, role: str
) -> Any:
    """A request that must succeed for a permitted ``role``; None for routes with no scenario here."""
    h = auth(role)
    wid, run_id = world["wid"], world["run_id"]
    n = next(_seq)
    key = (method, path.removeprefix("/api"))
    if key == ("GET", "/me"):
        return client.get(f"{API}/me", headers=h), 200
    if key == ("GET", "/openapi.json"):
        return client.get(f"{API}/openapi.json", headers=h), 200
    if key == ("GET", "/workflows"):
        return client.get(f"{API}/workflows", params={"search": "rbac"}, headers=h), 200
    if key == ("POST", "/workflows"):
        return client.post(f"{API}/workflows", json={"spec": chain_spec(f"rbac_new_{n}")}, headers=h), 201
    if key == ("GET", "/workflows/{workflow_id}"):
        return client.get(f"{API}/workflows/{wid}", headers=h), 200
    if key == ("PUT", "/workflows/{workflow_id}"):
        other = fresh(client, auth, "rbac_put")
        return client.put(
            f"{API}/workflows/{other}", json={"spec": chain_spec(other, 4), "base_version": 1}, headers=h
        ), 200
    if key == ("DELETE", "/workflows/{workflow_id}"):
        return client.delete(f"{API}/workflows/{fresh(client, auth, 'rbac_del')}", headers=h), 200
    if key == ("POST", "/workflows/{workflow_id}/duplicate"):
        return client.post(
            f"{API}/workflows/{wid}/duplicate", json={"new_id": f"rbac_dup_{n}"}, headers=h
        ), 201
    if key == ("POST", "/validate"):
        return client.post(f"{API}/validate", json={"spec": chain_spec("v")}, headers=h), 200
    if key == ("POST", "/compile"):
        return client.post(f"{API}/compile", json={"spec": chain_spec("v")}, headers=h), 200
    if key == ("GET", "/workflows/{workflow_id}/versions"):
        return client.get(f"{API}/workflows/{wid}/versions", headers=h), 200
    if key == ("GET", "/workflows/{workflow_id}/versions/{number}"):
        return client.get(f"{API}/workflows/{wid}/versions/1", headers=h), 200
    if key == ("GET", "/workflows/{workflow_id}/diff"):
        return client.get(f"{API}/workflows/{wid}/diff", params={"from": 1, "to": 1}, headers=h), 200
    if key == ("POST", "/workflows/{workflow_id}/rollback"):
        other = fresh(client, auth, "rbac_rb")
        return client.post(f"{API}/workflows/{other}/rollback", json={"version": 1}, headers=h), 201
    if key == ("GET", "/workflows/{workflow_id}/branches"):
        return client.get(f"{API}/workflows/{wid}/branches", headers=h), 200
    if key == ("POST", "/workflows/{workflow_id}/branches"):
        return client.post(f"{API}/workflows/{wid}/branches", json={"name": f"b{n}"}, headers=h), 201
    if key == ("POST", "/workflows/{workflow_id}/merge"):
        other = fresh(client, auth, "rbac_merge")
        client.post(f"{API}/workflows/{other}/branches", json={"name": "f"}, headers=auth("Admin"))
        client.put(
            f"{API}/workflows/{other}",
            json={"spec": chain_spec(other, 4), "base_version": 1, "branch": "f"},
            headers=auth("Admin"),
        )
        return client.post(f"{API}/workflows/{other}/merge", json={"source": "f"}, headers=h), 200
    if key == ("GET", "/environments"):
        return client.get(f"{API}/environments", headers=h), 200
    if key == ("POST", "/workflows/{workflow_id}/deploy"):
        return client.post(f"{API}/workflows/{wid}/deploy", json={"environment": "dev"}, headers=h), 201
    if key == ("GET", "/workflows/{workflow_id}/deploy/preview"):
        return client.get(
            f"{API}/workflows/{wid}/deploy/preview", params={"environment": "dev"}, headers=h
        ), 200
    if key == ("DELETE", "/workflows/{workflow_id}/deploy/{environment}"):
        other = fresh(client, auth, "rbac_undep")
        assert (
            client.post(f"{API}/workflows/{other}/deploy", json={}, headers=auth("Admin")).status_code == 201
        )
        return client.delete(f"{API}/workflows/{other}/deploy/dev", headers=h), 200
    if key == ("GET", "/workflows/{workflow_id}/deployments"):
        return client.get(f"{API}/workflows/{wid}/deployments", headers=h), 200
    if key == ("GET", "/workflows/{workflow_id}/environments"):
        return client.get(f"{API}/workflows/{wid}/environments", headers=h), 200
    if key == ("POST", "/workflows/{workflow_id}/runs"):
        return client.post(f"{API}/workflows/{wid}/runs", json={"conf": {"n": n}}, headers=h), 201
    if key == ("GET", "/workflows/{workflow_id}/runs"):
        return client.get(f"{API}/workflows/{wid}/runs", headers=h), 200
    if key == ("GET", "/workflows/{workflow_id}/runs/{run_id}"):
        return client.get(f"{API}/workflows/{wid}/runs/{run_id}", headers=h), 200
    if key == ("GET", "/workflows/{workflow_id}/runs/{run_id}/nodes/{node_id}/output"):
        return client.get(f"{API}/workflows/{wid}/runs/{run_id}/nodes/end/output", headers=h), 200
    if key == ("GET", "/catalogue/nodes"):
        return client.get(f"{API}/catalogue/nodes", headers=h), 200
    if key == ("GET", "/templates"):
        return client.get(f"{API}/templates", headers=h), 200
    if key == ("POST", "/templates/{name}/instantiate"):
        return client.post(
            f"{API}/templates/hello_pipeline/instantiate", json={"workflow_id": f"tpl_{n}"}, headers=h
        ), 200
    return None


def concrete(path: str, world: dict[str, Any]) -> str:
    return (
        path.replace("{workflow_id}", world["wid"])
        .replace("{run_id}", world["run_id"])
        .replace("{number}", "1")
        .replace("{environment}", "dev")
        .replace("{node_id}", "end")
        .replace("{name}", "hello_pipeline")
        .replace("{", "x")
        .replace("}", "x")
    )


def test_every_route_401_403_and_success(
    client: TestClient, auth: Headers, api_app: Any, world: dict[str, Any]
) -> None:
    app = canvas_app(api_app)
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 28
    covered, failures = 0, []
    for route in routes:
        canvas, dag, authed = requirements(route)
        assert authed or canvas, f"{route.path} has no authorization dependency"
        for method in sorted(route.methods - {"HEAD"}):
            url = "/airflow-canvas" + concrete(route.path, world)
            r = client.request(method, url, json={})
            if r.status_code != 401:
                failures.append(f"{method} {route.path} without credentials -> {r.status_code}")
            permitted = allowed_roles(canvas, dag)
            for role in ROLES:
                if role not in permitted:
                    r = client.request(method, url, json={}, headers=auth(role))
                    if r.status_code != 403:
                        failures.append(f"{method} {route.path} as {role} (lacking) -> {r.status_code}")
                    continue
                result = scenario(client, auth, world, method, route.path, role)
                if result is None:  # another area's route: authorization must let the role through
                    r = client.request(method, url, json={}, headers=auth(role))
                    if r.status_code in (401, 403):
                        failures.append(f"{method} {route.path} as {role} (permitted) -> {r.status_code}")
                    continue
                covered += 1
                response, expected = result
                if response.status_code != expected:
                    failures.append(
                        f"{method} {route.path} as {role} -> {response.status_code}: {response.text[:300]}"
                    )
    assert not failures, "\n".join(failures)
    assert covered >= 28 * 2


def test_me_reports_permissions_per_role(client: TestClient, auth: Headers) -> None:
    perms = {role: client.get(f"{API}/me", headers=auth(role)).json() for role in ROLES}
    assert perms["Admin"]["roles"] == ["Admin"] and perms["Admin"]["username"] == "t_admin"
    assert perms["Viewer"]["permissions"] == {
        "workflows": ["read"],
        "deployments": ["read"],
        "tools": ["read"],
        "copilot": [],
        "code": [],
    }
    assert perms["User"]["permissions"]["workflows"] == ["read", "create", "edit"]
    assert perms["User"]["permissions"]["code"] == []  # saving executable code is Op's and Admin's
    assert perms["Op"]["permissions"]["code"] == ["edit"]
    assert perms["User"]["permissions"]["deployments"] == ["read"]
    assert perms["Op"]["permissions"] == perms["Admin"]["permissions"]
    assert all(not v for v in perms["NoCanvas"]["permissions"].values())


def test_sync_permissions_is_idempotent(airflow_db: Any) -> None:
    from airflow_canvas.store.permissions import sync_permissions

    first = sync_permissions()
    assert sync_permissions() == first
    assert ("can_edit on Canvas Deployments") in first["Op"]
    assert "can_edit on Canvas Code" in first["Op"] and "can_edit on Canvas Code" in first["Admin"]
    assert not any("Canvas Code" in grant for grant in first["User"] + first["Viewer"])
