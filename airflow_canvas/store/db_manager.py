"""Creates and migrates the canvas tables during ``airflow db migrate``, the way the FAB and edge3
providers do it: a BaseDBManager declared under ``db-managers`` in get_provider_info(), with its own
alembic scripts and version table. After migrating it creates the canvas FAB permissions."""

from __future__ import annotations

import logging
from pathlib import Path

from airflow.utils.db_manager import BaseDBManager

from airflow_canvas.store.models import metadata

PACKAGE_DIR = Path(__file__).parent
log = logging.getLogger(__name__)


class CanvasDBManager(BaseDBManager):
    metadata = metadata
    version_table_name = "alembic_version_canvas"
    migration_dir = (PACKAGE_DIR / "migrations").as_posix()
    alembic_file = (PACKAGE_DIR / "alembic.ini").as_posix()
    supports_table_dropping = True

    def upgradedb(
        self,
        to_revision: str | None = None,
        from_revision: str | None = None,
        show_sql_only: bool = False,
        use_migration_files: bool = False,
    ) -> None:
        # Airflow leaves BaseDBManager unannotated, and untyped_calls_exclude skips super() calls.
        super().upgradedb(  # type: ignore[no-untyped-call]
            to_revision=to_revision,
            from_revision=from_revision,
            show_sql_only=show_sql_only,
            use_migration_files=use_migration_files,
        )
        if not show_sql_only:
            self._sync_permissions()

    def create_db_from_orm(self) -> None:
        super().create_db_from_orm()  # type: ignore[no-untyped-call]  # unannotated in Airflow
        self._sync_permissions()

    def _sync_permissions(self) -> None:
        # Imported late: the FAB app it builds is heavy and only needed once the tables exist.
        from airflow_canvas.store.permissions import sync_permissions

        try:
            sync_permissions(ensure_fab_tables=True)
        except Exception:  # a failed grant must not fail Airflow's whole migration
            log.exception(
                "Could not create the Airflow Canvas permissions; run `airflow-canvas sync-permissions`"
            )
