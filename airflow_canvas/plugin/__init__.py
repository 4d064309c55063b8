"""The Airflow plugin: the canvas API + UI bundle on the API server and the React pages."""

from __future__ import annotations

import logging
from typing import Any

from airflow.plugins_manager import AirflowPlugin

BUNDLE_URL = "/airflow-canvas/static/main.js"


def _fastapi_apps() -> list[dict[str, Any]]:
    from airflow_canvas.plugin.app import URL_PREFIX, app

    return [{"app": app, "url_prefix": URL_PREFIX, "name": "Airflow Canvas"}]


class _BuiltOnFirstUse:
    """``fastapi_apps``, built the first time Airflow reads it rather than when the plugin is imported.

    Airflow imports every plugin in every task process (for macros), where building the app (all
    routes, the store, the compiler, the co-pilot) would add about a second to each task; only the
    API server reads ``fastapi_apps``. A descriptor serves both ways Airflow reads plugin
    attributes: from the plugin class and from an instance of it.
    """

    def __get__(self, instance: object, owner: type | None = None) -> list[dict[str, Any]]:
        try:
            return _fastapi_apps()
        except Exception:
            # Airflow does not guard this read: an error here would stop its whole API server. Log
            # it and leave the canvas API out, as a failed plugin import would.
            logging.getLogger(__name__).exception("Airflow Canvas: the canvas API could not be set up")
            return []


class AirflowCanvasPlugin(AirflowPlugin):
    name = "airflow_canvas"
    fastapi_apps = _BuiltOnFirstUse()
    react_apps = [
        {
            "name": "Canvas",
            "bundle_url": BUNDLE_URL,
            "destination": "nav",
            "url_route": "canvas",
            "nav_top_level": True,
        },
        {
            "name": "Co-pilot",
            "bundle_url": BUNDLE_URL,
            "destination": "nav",
            "url_route": "copilot",
            "nav_top_level": True,
        },
        {
            "name": "Canvas",
            "bundle_url": BUNDLE_URL,
            "destination": "dag",
            "url_route": "canvas-tab",
        },
    ]
