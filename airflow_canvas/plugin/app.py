"""The canvas's FastAPI app, mounted by the plugin at /airflow-canvas on Airflow's API server.

JSON API under /api (every route authorized through Airflow's auth manager), the UI bundle under
/static (public, like Airflow's own static files). Routers are one module per area; an engineer adding
an area appends its module to ROUTER_MODULES."""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.configuration import conf
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
    "airflow_canvas.plugin.routes.drafts",
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
    "airflow_canvas.plugin.routes.chains",
    "airflow_canvas.plugin.routes.user_templates",
    "airflow_canvas.plugin.routes.connections",
    "airflow_canvas.plugin.routes.debug",
    "airflow_canvas.plugin.routes.rerun",
    "airflow_canvas.plugin.routes.tool_studio",
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


YOUNG_GENERATION_THRESHOLD = 10_000  # allocations between collections of the youngest generation


def freeze_startup_heap() -> bool:
    """Move every object alive now into the collector's permanent generation (``gc.freeze()``).

    Why: Python's full (generation 2) collections walk every object the collector tracks, and an
    API server process holds about 750,000 of them once started, nearly all Airflow's (modules,
    classes, its FastAPI app, SQLAlchemy metadata) and all alive until the process ends. Every
    full collection walked them again: a 400-500 ms pause, which a request that happened to
    trigger it paid (2 of 20 saves of a 500-node workflow took 400-570 ms instead of ~50 ms,
    benchmarks/api.py). Frozen objects are left out of every collection; what requests create
    afterwards is collected as before. The collection first frees startup garbage that is only
    reachable through cycles, which freezing would otherwise keep for the life of the process.
    Airflow does the same in its scheduler's executors and its DAG processor manager. Cost: one
    full collection per API server worker at startup.

    With the heap frozen, Python's rule that a full collection waits until the objects promoted
    since the last one reach 25% of the long-lived ones sees few long-lived objects, so full
    collections come often (9 in 20 saves of a 500-node workflow, ~20 ms each). A youngest-
    generation threshold of 10,000 allocations instead of 700 (Python 3.13 moved to 2,000) makes
    all collections rarer: 1 full collection in 20 such saves, save CPU p95 88 -> 70 ms. A higher
    threshold set by the deployment is kept. ``[airflow_canvas] freeze_startup_heap = False``
    turns both off. Returns whether it froze."""
    if not conf.getboolean(config.SECTION, "freeze_startup_heap", fallback=True):
        return False
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_GENERATION_THRESHOLD), middle, old)
    log.info("Airflow Canvas: %d objects of the API server's startup heap frozen", gc.get_freeze_count())
    return True


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Airflow's API server enters the lifespan of every mounted FastAPI app once its own app is
    # built (airflow.api_fastapi.app.lifespan), in each worker process: the whole startup heap exists.
    freeze_startup_heap()
    yield


def create_canvas_app() -> FastAPI:
    app = FastAPI(
        title="Airflow Canvas API",
        version=__version__,
        description="Workflows, versions, deployments and runs of Airflow Canvas. Authenticate like "
        "Airflow's own API: the UI's session cookie, or `Authorization: Bearer <token>` from POST /auth/token.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served below, behind authentication, like every other route
        lifespan=_lifespan,
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
