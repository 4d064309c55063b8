"""The chain library and user template tables: migration 0003 goes up and down on a scratch SQLite
database (leaving the other canvas tables alone) and builds what the ORM declares; chain versions
are immutable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from airflow_canvas.store import chains
from airflow_canvas.store.errors import Conflict, NotFound
from airflow_canvas.store.models import metadata
from tests.unit.store.test_drafts_store import _migrate, _state

DRAFTS = "c4a1f0000002"
CHAINS = "c4a1f0000003"
NEW_TABLES = {"canvas_chain", "canvas_user_template"}


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = create_engine(f"sqlite:///{tmp_path / 'canvas.db'}")

    @event.listens_for(eng, "connect")
    def _fk(dbapi_con: Any, _: Any) -> None:
        dbapi_con.execute("PRAGMA foreign_keys=ON")

    yield eng
    eng.dispose()


def test_chain_migration_up_and_down(engine: Engine) -> None:
    _migrate(engine, "upgrade", "head")
    assert _state(engine) == (set(metadata.tables), CHAINS)
    _migrate(engine, "downgrade", DRAFTS)
    assert _state(engine) == (set(metadata.tables) - NEW_TABLES, DRAFTS)
    _migrate(engine, "upgrade", CHAINS)
    assert _state(engine) == (set(metadata.tables), CHAINS)


def test_chain_versions_are_immutable_and_templates_replace(engine: Engine) -> None:
    metadata.create_all(engine)
    with Session(engine) as session:
        spec = {"fragment": {"root": "g", "nodes": []}, "interface": {}}
        chains.add_chain(
            session, name="clean", version="1.0.0", description="d", changelog="", spec=spec, author="ann"
        )
        with pytest.raises(Conflict, match="immutable"):
            chains.add_chain(
                session, name="clean", version="1.0.0", description="", changelog="", spec={}, author="bob"
            )
        assert chains.chain_spec(chains.get_chain(session, "clean", "1.0.0")) == spec
        with pytest.raises(NotFound, match="Its versions: 1.0.0"):
            chains.get_chain(session, "clean", "2.0.0")
        _, new = chains.put_template(
            session, name="t", title="T", description="", parameters={}, body={"a": 1}, author="ann"
        )
        row, again = chains.put_template(
            session, name="t", title="T2", description="", parameters={}, body={"a": 2}, author="ann"
        )
        assert new and not again and chains.template_json(row) == ({}, {"a": 2}) and row.title == "T2"
        assert chains.delete_template(session, "t") and not chains.delete_template(session, "t")
