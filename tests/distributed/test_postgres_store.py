"""The canvas store on PostgreSQL: its own alembic history migrates up and down (the package's
airflow_canvas/store/migrations, run as `airflow db migrate` runs it), and 20 clients saving on one
base version at the same moment through the api-server give exactly one winner and lose no version."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Any

import httpx
import pytest

from tests.distributed.conftest import Stage
from tests.distributed.topology import AIRFLOW, Topology
from tests.integration.api.conftest import chain_spec

API = "/airflow-canvas/api"
CLIENTS = 20

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Runs in a child process against the scratch database: walk the canvas history down to base, one
# revision at a time, and back up, printing the canvas tables and the recorded revision at each step.
_WALK = """
import json
from alembic import command
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from airflow import settings
from airflow_canvas.store.db_manager import CanvasDBManager
from airflow_canvas.store.models import metadata

def state():
    with settings.engine.connect() as c:
        tables = sorted(set(inspect(c).get_table_names()) & set(metadata.tables))
        ctx = MigrationContext.configure(c, opts={"version_table": CanvasDBManager.version_table_name})
        return {"tables": tables, "revision": ctx.get_current_revision()}

manager = CanvasDBManager(None)
config = manager.get_alembic_config()
revisions = [r.revision for r in reversed(list(manager.get_script_object(config).walk_revisions()))]
steps = [{"at": "head", **state()}]
for target in [*reversed(revisions[:-1]), "base"]:  # down one revision at a time
    command.downgrade(config, target)
    steps.append({"at": target, **state()})
for target in revisions:  # and back up
    command.upgrade(config, target)
    steps.append({"at": target, **state()})
print(json.dumps({"revisions": revisions, "all_tables": sorted(metadata.tables), "steps": steps}))
"""


def test_canvas_migrations_up_and_down_on_postgres(stage: Stage) -> None:
    topo = stage.topo
    assert isinstance(topo, Topology)
    topo.psql("create database canvas_migrations")
    env = {
        **topo.component_env("migrations"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": topo.pg_url("canvas_migrations"),
    }
    cwd = topo.root / "migrations"

    def run(*argv: str) -> str:
        r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        return r.stdout

    run(str(AIRFLOW), "db", "migrate")  # Airflow's, FAB's and the canvas tables, as an operator does
    constraints = "select conname from pg_constraint where conname like '%canvas%' order by conname"
    from_orm = topo.psql(constraints, db="canvas_migrations").split()
    walk = json.loads(run(sys.executable, "-c", _WALK).strip().splitlines()[-1])
    revisions, every = walk["revisions"], walk["all_tables"]
    steps = walk["steps"]
    assert steps[0] == {"at": "head", "tables": every, "revision": revisions[-1]}
    at_base = next(s for s in steps if s["at"] == "base")
    assert at_base["tables"] == [] and at_base["revision"] is None
    assert steps[-1] == {"at": revisions[-1], "tables": every, "revision": revisions[-1]}
    for step in steps[1:]:
        if step["at"] != "base":
            assert step["revision"] == step["at"], step
    # The migration files build the schema a fresh install gets, constraint names included (a
    # name over Postgres's 63 characters failed here before).
    assert topo.psql(constraints, db="canvas_migrations").split() == from_orm
    # Airflow's own tables were left alone by the canvas downgrade, and a second migrate is a no-op.
    assert topo.psql("select count(*) from dag", db="canvas_migrations").strip() == "0"
    run(str(AIRFLOW), "db", "migrate")
    version_table = "alembic_version_canvas"
    assert topo.psql(f"select version_num from {version_table}", db="canvas_migrations").split() == [
        revisions[-1]
    ]


def _save(client: httpx.Client, wid: str, spec: dict[str, Any], base: int, message: str) -> httpx.Response:
    return client.put(
        f"{API}/workflows/{wid}",
        json={"spec": spec, "base_version": base, "message": message, "branch": "main"},
    )


def test_twenty_clients_on_one_base_exactly_one_winner(stage: Stage) -> None:
    topo = stage.topo
    assert isinstance(topo, Topology)
    wid = "dist_race"
    with topo.client("User") as user:
        r = user.post(f"{API}/workflows", json={"spec": chain_spec(wid), "message": "first"})
        assert r.status_code == 201, r.text
    token = topo.token("User")
    clients = [
        httpx.Client(base_url=topo.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=180)
        for _ in range(CLIENTS)
    ]
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def client_saves(i: int) -> None:
        spec = chain_spec(wid)
        spec["nodes"][1]["name"] = f"writer {i}"
        barrier.wait()
        r = _save(clients[i], wid, spec, 1, f"writer {i}")
        with lock:
            results.append((r.status_code, r.json()))

    threads = [threading.Thread(target=client_saves, args=(i,)) for i in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        for c in clients:
            c.close()
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * (CLIENTS - 1), results
    winner = next(body for code, body in results if code == 200)
    assert all(body["head_version"] == winner["version"] for code, body in results if code == 409)

    with topo.client("Viewer") as viewer, topo.client("User") as user:
        hist = viewer.get(f"{API}/workflows/{wid}/versions", params={"limit": 100}).json()
        assert [v["version"] for v in hist["items"]] == [winner["version"], 1]
        head = viewer.get(f"{API}/workflows/{wid}").json()
        assert head["spec"]["nodes"][1]["name"] == winner["message"]
        # Then the 19 losers save again, each on the head it was told about, one after another: every
        # one is kept, numbered without holes after the winner.
        base, accepted = winner["version"], []
        for i in range(CLIENTS - 1):
            spec = chain_spec(wid)
            spec["nodes"][1]["name"] = f"retry {i}"
            r = _save(user, wid, spec, base, f"retry {i}")
            assert r.status_code == 200, r.text
            base = r.json()["version"]
            accepted.append(base)
        hist = viewer.get(f"{API}/workflows/{wid}/versions", params={"limit": 100}).json()
    assert accepted == list(range(winner["version"] + 1, winner["version"] + CLIENTS))
    assert [v["version"] for v in hist["items"]] == [*reversed(accepted), winner["version"], 1]
