"""`airflow db migrate` creates the canvas tables (own alembic version table) and permissions, and
`airflow plugins` lists the plugin with its FastAPI app and React pages."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from airflow_canvas.store.db_manager import CanvasDBManager
from airflow_canvas.store.models import metadata
from airflow_canvas.store.permissions import ALL_PERMISSIONS
from tests.conftest import airflow_cli


def test_db_migrate_creates_tables_version_and_permissions(airflow_db: Path) -> None:
    con = sqlite3.connect(airflow_db)
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        assert set(metadata.tables) <= tables
        heads = CanvasDBManager(None).get_script_object().get_heads()
        assert [
            r[0] for r in con.execute(f"select version_num from {CanvasDBManager.version_table_name}")
        ] == heads
        grants = set(
            con.execute(
                "select r.name, p.name, v.name from ab_permission_view pv "
                "join ab_permission p on p.id = pv.permission_id join ab_view_menu v on v.id = pv.view_menu_id "
                "join ab_permission_view_role pvr on pvr.permission_view_id = pv.id "
                "join ab_role r on r.id = pvr.role_id where v.name like 'Canvas %'"
            )
        )
    finally:
        con.close()
    assert ("Viewer", "can_read", "Canvas Workflows") in grants
    assert ("Op", "can_edit", "Canvas Deployments") in grants
    assert ("User", "can_edit", "Canvas Deployments") not in grants
    assert ("Viewer", "can_edit", "Canvas Workflows") not in grants
    assert ("Op", "can_edit", "Canvas Code") in grants
    assert ("User", "can_edit", "Canvas Code") not in grants
    # Idempotent: a second migrate changes nothing and does not fail.
    airflow_cli("db", "migrate")
    con = sqlite3.connect(airflow_db)
    try:
        count = con.execute("select count(*) from ab_view_menu where name like 'Canvas %'").fetchone()[0]
    finally:
        con.close()
    assert count == len(ALL_PERMISSIONS)


def test_airflow_plugins_lists_the_canvas(airflow_db: Path) -> None:
    out = airflow_cli("plugins", "-o", "json").stdout
    plugins = {p["name"]: p for p in json.loads(out[out.index("[") :])}
    canvas = plugins["airflow_canvas"]
    assert canvas["fastapi_apps"] == [
        {"app": "fastapi.applications.FastAPI", "url_prefix": "/airflow-canvas", "name": "Airflow Canvas"}
    ]
    routes = {(a["destination"], a["url_route"]) for a in canvas["react_apps"]}
    assert routes == {("nav", "canvas"), ("nav", "copilot"), ("dag", "canvas-tab")}
    assert all(a["bundle_url"] == "/airflow-canvas/static/main.js" for a in canvas["react_apps"])


def test_loading_the_plugin_does_not_build_the_api(airflow_db: Path) -> None:
    """Airflow imports every plugin in every task process: the FastAPI app (routes, store, compiler,
    co-pilot) must only be built when the API server asks for ``fastapi_apps``."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from airflow import plugins_manager\n"
        "plugins_manager.ensure_plugins_loaded()\n"
        "names = [p.name for p in plugins_manager._get_plugins()[0]]\n"
        "assert 'airflow_canvas' in names, names\n"
        "print(sorted(m for m in sys.modules if m.startswith('airflow_canvas')))\n"
        "from airflow_canvas.plugin import AirflowCanvasPlugin\n"
        "print(AirflowCanvasPlugin().fastapi_apps[0]['url_prefix'], AirflowCanvasPlugin.fastapi_apps == AirflowCanvasPlugin().fastapi_apps)\n"
    )
    env = {**__import__("os").environ}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    ).stdout
    loaded, apps = out.strip().splitlines()[-2:]
    assert "airflow_canvas.plugin.app" not in loaded, loaded
    assert "airflow_canvas.store" not in loaded and "airflow_canvas.copilot" not in loaded, loaded
    assert apps == "/airflow-canvas True"
