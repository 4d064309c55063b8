"""Tool code run from the API server cannot write the metadata DB: the review's node test inserted
a row into ab_user_role and the Op user became Admin."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.integration.api.conftest import ROLE_USERS
from tests.security.sandbox_probe import via_api, via_runner


def _promoter(db: Path, username: str) -> str:
    return f"""
import sqlite3
try:
    con = sqlite3.connect({str(db)!r}, timeout=5)
    con.execute(
        "INSERT INTO ab_user_role (user_id, role_id) SELECT u.id, r.id FROM ab_user u, ab_role r "
        "WHERE u.username = ? AND r.name = 'Admin'", ({username!r},))
    con.commit()
    return {{"wrote": True}}
except Exception as exc:
    return {{"wrote": False, "error": repr(exc)}}
"""


def _roles(db: Path, username: str) -> set[str]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT r.name FROM ab_user u JOIN ab_user_role ur ON ur.user_id = u.id "
            "JOIN ab_role r ON r.id = ur.role_id WHERE u.username = ?",
            (username,),
        ).fetchall()
    return {name for (name,) in rows}


def test_node_test_as_op_cannot_make_op_an_admin(client, auth, airflow_db: Path) -> None:  # noqa: F811
    op = ROLE_USERS["Op"]
    assert _roles(airflow_db, op) == {"Op"}
    report = via_api(client, auth("Op"), _promoter(airflow_db, op))
    assert _roles(airflow_db, op) == {"Op"}, "the node test wrote the metadata DB"
    assert report["ok"] and report["output"]["wrote"] is False, report


def test_runner_cannot_write_the_metadata_db(client, airflow_db: Path) -> None:  # noqa: F811
    viewer = ROLE_USERS["Viewer"]
    assert _roles(airflow_db, viewer) == {"Viewer"}
    result = via_runner(_promoter(airflow_db, viewer))
    assert _roles(airflow_db, viewer) == {"Viewer"}, "the tool wrote the metadata DB"
    assert result.ok and result.output["wrote"] is False, result
