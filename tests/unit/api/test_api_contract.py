"""The API's contract (issue 15, item 7): every route says what it returns, and the OpenAPI
document the UI's types are generated from (ui/openapi.json) is what the app describes now."""

from __future__ import annotations

import typing

import pytest
from fastapi.datastructures import DefaultPlaceholder
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from airflow_canvas.plugin import openapi_export
from airflow_canvas.plugin.api_models.common import ErrorBody
from airflow_canvas.plugin.app import API_PREFIX, app

# The document itself: a JSON document, not a model (served behind authentication, not in it).
NOT_MODELLED = {f"{API_PREFIX}/openapi.json"}


def _routes() -> list[APIRoute]:
    return [r for r in app.routes if isinstance(r, APIRoute) and r.path not in NOT_MODELLED]


def _names_a_model(annotation: object) -> bool:
    """A pydantic model, or a list/dict/union of them (never a bare ``dict[str, Any]`` or Any)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    args = typing.get_args(annotation)
    return bool(args) and any(_names_a_model(a) for a in args)


def _is_json(route: APIRoute) -> bool:
    """FastAPI's default (JSON) unless the route names another response class."""
    return isinstance(route.response_class, DefaultPlaceholder) or issubclass(
        route.response_class, JSONResponse
    )


def test_the_app_has_its_routes() -> None:
    assert len(_routes()) >= 45  # a router that failed to load would shrink this


@pytest.mark.parametrize("route", _routes(), ids=lambda r: f"{sorted(r.methods)[0]} {r.path}")
def test_every_route_declares_its_response(route: APIRoute) -> None:
    if _is_json(route):
        assert _names_a_model(route.response_model), (
            f"{route.path} ({route.endpoint.__module__}.{route.name}) has no response model: add "
            "response_model=<a model of airflow_canvas/plugin/api_models> to its decorator."
        )
    else:  # a file (export): its media types are declared instead
        content = route.responses.get(200, {}).get("content", {})
        assert content, (
            f"{route.path} returns {route.response_class.__name__}: declare responses={{200: ...}}"
        )


@pytest.mark.parametrize("route", _routes(), ids=lambda r: f"{sorted(r.methods)[0]} {r.path}")
def test_every_route_declares_the_error_body(route: APIRoute) -> None:
    for code in (401, 403, 422):
        assert route.responses.get(code, {}).get("model") is ErrorBody, (
            f"{route.path} does not declare its {code} answers: add responses=errors(...) "
            "(airflow_canvas/plugin/api_models/common.py)."
        )


def test_the_committed_openapi_document_is_current() -> None:
    committed = openapi_export.DOCUMENT.read_text(encoding="utf-8")
    now = openapi_export.render(app.openapi())
    assert committed == now, (
        f"ui/openapi.json differs from the API the app serves now: run `{openapi_export.COMMAND}` "
        "(it also regenerates ui/src/api/schema.d.ts) and commit both files."
    )


def test_the_document_is_deterministic() -> None:
    first = openapi_export.render(app.openapi())
    app.openapi_schema = None  # FastAPI caches it: build it again from the routes
    assert openapi_export.render(app.openapi()) == first
