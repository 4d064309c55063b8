"""The canvas_draft table: its migration goes up and down on a scratch SQLite database (leaving the
other canvas tables alone), builds what the ORM declares, and the store functions keep one draft per
user and workflow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from airflow_canvas.spec.models import Workflow
from airflow_canvas.store import drafts
from airflow_canvas.store import repository as repo
from airflow_canvas.store.db_manager import CanvasDBManager
from airflow_canvas.store.errors import NotFound
from airflow_canvas.store.models import metadata
from tests.integration.api.conftest import chain_spec

BEFORE = "c4a1f0000001"
DRAFTS = "c4a1f0000002"
HEAD = "c4a1f0000003"  # 0003 (chains, user templates) came after; tests/unit/store/test_chains_store.py
LATER = {"canvas_chain", "canvas_user_template"}


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = create_engine(f"sqlite:///{tmp_path / 'canvas.db'}")

    @event.listens_for(eng, "connect")
    def _fk(dbapi_con: Any, _: Any) -> None:
        dbapi_con.execute("PRAGMA foreign_keys=ON")

    yield eng
    eng.dispose()


def _migrate(engine: Engine, action: str, target: str) -> None:
    manager = CanvasDBManager(None)
    config = manager.get_alembic_config()
    with engine.begin() as con:
        config.attributes["connection"] = con
        getattr(command, action)(config, target)


def _state(engine: Engine) -> tuple[set[str], str | None]:
    with engine.connect() as con:
        tables = set(inspect(con).get_table_names()) & set(metadata.tables)
        ctx = MigrationContext.configure(con, opts={"version_table": CanvasDBManager.version_table_name})
        return tables, ctx.get_current_revision()


def test_draft_migration_up_and_down(engine: Engine) -> None:
    _migrate(engine, "upgrade", "head")
    tables, rev = _state(engine)
    assert tables == set(metadata.tables) and rev == HEAD
    # The migration files build exactly what the ORM declares (no pending autogenerate diff).
    with engine.connect() as con:
        ctx = MigrationContext.configure(con, opts={"compare_type": True})
        diffs = compare_metadata(ctx, metadata)
    assert [d for d in diffs if not (d[0] == "remove_table" and d[1].name.startswith("alembic_"))] == []
    _migrate(engine, "downgrade", BEFORE)
    tables, rev = _state(engine)
    assert tables == set(metadata.tables) - {"canvas_draft"} - LATER and rev == BEFORE
    _migrate(engine, "upgrade", DRAFTS)
    assert _state(engine) == (set(metadata.tables) - LATER, DRAFTS)
    _migrate(engine, "downgrade", "base")
    assert _state(engine) == (set(), None)


def test_one_draft_per_user_and_workflow(engine: Engine) -> None:
    metadata.create_all(engine)
    with Session(engine) as session:
        repo.create_workflow(session, Workflow.model_validate(chain_spec("wf_a")), author="a", message="")
        with pytest.raises(NotFound):
            drafts.put_draft(session, "missing", "ann", {}, base_version=None, branch="main")
        drafts.put_draft(session, "wf_a", "ann", {"v": 1}, base_version=1, branch="main")
        drafts.put_draft(session, "wf_a", "ann", {"v": 2, "bad": None}, base_version=1, branch="dev")
        drafts.put_draft(session, "wf_a", "bob", {"v": "bob"}, base_version=None, branch="main")
        ann = drafts.get_draft(session, "wf_a", "ann")
        assert ann is not None and drafts.draft_spec(ann) == {"v": 2, "bad": None} and ann.branch == "dev"
        bob = drafts.get_draft(session, "wf_a", "bob")
        assert bob is not None and drafts.draft_spec(bob) == {"v": "bob"}
        assert drafts.get_draft(session, "wf_a", "cid") is None
        assert drafts.delete_draft(session, "wf_a", "ann") is True
        assert drafts.delete_draft(session, "wf_a", "ann") is False
        assert drafts.get_draft(session, "wf_a", "bob") is not None
        # Deleting the workflow deletes every user's draft of it.
        repo.delete_workflow(session, "wf_a")
        with pytest.raises(NotFound):
            drafts.get_draft(session, "wf_a", "bob")
        assert session.scalar(text("select count(*) from canvas_draft")) == 0
