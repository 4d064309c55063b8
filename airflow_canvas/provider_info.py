"""Provider metadata read by Airflow's ProvidersManager (entry point apache_airflow_provider)."""

from __future__ import annotations

from typing import Any

from airflow_canvas import __version__


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-canvas",
        "name": "Airflow Canvas",
        "description": "Visual AI workflows compiled to readable Airflow DAGs.",
        "versions": [__version__],
        "db-managers": ["airflow_canvas.store.db_manager.CanvasDBManager"],
    }
