"""Alembic environment for the canvas tables (own version table, only our tables compared)."""

from __future__ import annotations

import contextlib

from airflow import settings
from alembic import context
from sqlalchemy.sql.schema import SchemaItem

from airflow_canvas.store.db_manager import CanvasDBManager
from airflow_canvas.store.session import airflow_engine

config = context.config
version_table = CanvasDBManager.version_table_name
target_metadata = CanvasDBManager.metadata


def include_object(
    _: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: SchemaItem | None
) -> bool:
    # Airflow's and FAB's tables share the database: never let autogenerate touch them.
    return not (type_ == "table" and name not in target_metadata.tables)


def run_migrations_offline() -> None:
    context.configure(
        url=settings.SQL_ALCHEMY_CONN,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        version_table=version_table,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with contextlib.ExitStack() as stack:
        connection = config.attributes.get("connection", None)
        if not connection:
            connection = stack.enter_context(airflow_engine().connect())
        context.configure(
            connection=connection,
            transaction_per_migration=True,
            target_metadata=target_metadata,
            compare_type=True,
            include_object=include_object,
            render_as_batch=True,
            version_table=version_table,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
