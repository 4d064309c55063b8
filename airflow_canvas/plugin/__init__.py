"""The Airflow plugin: the canvas API + UI bundle on the API server and the React pages."""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

BUNDLE_URL = "/airflow-canvas/static/main.js"


def _fastapi_apps() -> list[dict[str, Any]]:
    from airflow_canvas.plugin.app import URL_PREFIX, app

    return [{"app": app, "url_prefix": URL_PREFIX, "name": "Airflow Canvas"}]


class AirflowCanvasPlugin(AirflowPlugin):
    name = "airflow_canvas"
    fastapi_apps = _fastapi_apps()
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
