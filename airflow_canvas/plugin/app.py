"""The canvas's FastAPI app, mounted by the plugin at /airflow-canvas on Airflow's API server.

JSON API under /api (every route authorized through Airflow's auth manager), the UI bundle under
/static (public, like Airflow's own static files). Routers are one module per area; an engineer adding
an area appends its module to ROUTER_MODULES."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from airflow_canvas import __version__
from airflow_canvas.plugin import config
from airflow_canvas.plugin.body_limit import BodyLimitMiddleware
from airflow_canvas.plugin.errors import install_error_handlers

log = logging.getLogger(__name__)

URL_PREFIX = "/airflow-canvas"
API_PREFIX = "/api"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

ROUTER_MODULES: list[str] = [
    "airflow_canvas.plugin.routes.me",
    "airflow_canvas.plugin.routes.workflows",
    "airflow_canvas.plugin.routes.versions",
    "airflow_canvas.plugin.routes.deploy",
    "airflow_canvas.plugin.routes.runs",
    "airflow_canvas.plugin.routes.catalogue",
    "airflow_canvas.plugin.routes.templates",
    "airflow_canvas.plugin.routes.metrics",
    "airflow_canvas.plugin.routes.notifiers",
    "airflow_canvas.plugin.routes.typechange",
    "airflow_canvas.plugin.routes.copilot",
    "airflow_canvas.plugin.routes.interop",
    "airflow_canvas.plugin.routes.tools",
]


def _include_routers(app: FastAPI) -> None:
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            # Areas land from several engineers; a listed module not written yet must not take the
            # whole API down with it.
            log.warning("Airflow Canvas: router module %s not found; its routes are missing", name)
            continue
        app.include_router(module.router, prefix=API_PREFIX)


def create_canvas_app() -> FastAPI:
    app = FastAPI(
        title="Airflow Canvas API",
        version=__version__,
        description="Workflows, versions, deployments and runs of Airflow Canvas. Authenticate like "
        "Airflow's own API: the UI's session cookie, or `Authorization: Bearer <token>` from POST /auth/token.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served below, behind authentication, like every other route
    )
    install_error_handlers(app)
    _include_routers(app)

    @app.get(f"{API_PREFIX}/openapi.json", tags=["meta"], include_in_schema=False)
    def openapi(user: GetUserDep) -> dict[str, Any]:
        return app.openapi()

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes())
    return app


app = create_canvas_app()
