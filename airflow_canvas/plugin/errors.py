"""The API's error shape ``{"detail": ..., "problems": [...]}`` and the handlers producing it."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from airflow_canvas.spec.diff import diff_specs
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem, SpecError, did_you_mean, pointer
from airflow_canvas.store import repository as repo
from airflow_canvas.store.errors import StaleBase, StoreError
from airflow_canvas.store.serialize import full_dict

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, detail: str, problems: list[Problem] | None = None, **extra: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.problems = problems or []
        self.extra = extra


def stale_base_error(
    session: Session, workflow_id: str, exc: StaleBase, yours: Workflow | None = None
) -> ApiError:
    """The 409 for a save whose base version is no longer its branch's head: the store's fields
    (``head_version``, ``base_version``, ``branch``), the ``diff`` from base to head (what others
    changed) and, given the spec being saved, ``your_changes`` from base to it."""
    base = full_dict(repo.load_spec(repo.get_version(session, workflow_id, exc.base_version)))
    head = full_dict(repo.load_spec(repo.get_version(session, workflow_id, exc.head_version)))
    extra: dict[str, Any] = {**exc.extra, "diff": diff_specs(base, head)}
    if yours is not None:
        extra["your_changes"] = diff_specs(base, full_dict(yours))
    return ApiError(409, exc.detail, **extra)


def _body(detail: Any, problems: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "problems": problems or [], **extra}


def _body_fields(request: Request) -> list[str]:
    """The fields the route's request body takes (for "did you mean" on an unknown one)."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(getattr(body_field, "field_info", None), "annotation", None)
    fields = getattr(model, "model_fields", None) or {}
    return sorted(fields)


def _request_problem(err: dict[str, Any], request: Request) -> Problem:
    loc = [p for p in err.get("loc", ()) if p != "body"]
    where = ".".join(str(p) for p in loc) or "body"
    message = f"{where}: {err.get('msg', 'invalid')}"
    if err.get("type") != "extra_forbidden" or not loc:
        return Problem(code="E_REQUEST_INVALID", message=message, pointer=pointer(*loc))
    # An unknown field is refused as Airflow's own API refuses it (pydantic's extra_forbidden,
    # "Extra inputs are not permitted"); for the body's own fields, name the ones that exist.
    fields = _body_fields(request) if len(loc) == 1 and err["loc"][0] == "body" else []
    hint = f"This body takes: {', '.join(fields)}." if fields else "Remove it."
    guess = did_you_mean(str(loc[-1]), fields)
    return Problem(
        code="E_FIELD_UNKNOWN",
        message=message,
        pointer=pointer(*loc),
        hint=f"{guess[0].upper()}{guess[1:]} {hint}" if guess else hint,
    )


def _request_problems(exc: RequestValidationError, request: Request) -> tuple[int, str, list[dict[str, Any]]]:
    problems: list[dict[str, Any]] = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            where = err.get("ctx", {}).get("error", "")
            return 400, f"Malformed JSON body: {where}".strip(), []
        problems.append(_request_problem(err, request).to_dict())
    return 422, "The request does not match the API's schema.", problems


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(_body(exc.detail, [p.to_dict() for p in exc.problems], **exc.extra), exc.status)

    @app.exception_handler(SpecError)
    async def _spec_error(_: Request, exc: SpecError) -> JSONResponse:
        return JSONResponse(_body("The workflow spec is invalid.", [p.to_dict() for p in exc.problems]), 422)

    @app.exception_handler(StoreError)
    async def _store_error(_: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse(_body(exc.detail, **exc.extra), exc.status)

    @app.exception_handler(RequestValidationError)
    async def _request_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, detail, problems = _request_problems(exc, request)
        return JSONResponse(_body(detail, problems), status)

    # Starlette's class, not FastAPI's subclass: FastAPI raises Starlette's own for an unreadable body,
    # and routing raises it for 404/405, and those answers must have the API's shape too.
    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(_body(exc.detail), exc.status_code, headers=getattr(exc, "headers", None))

    # Backstops for input no check caught before it reached Python or the database: a number the
    # DB column cannot hold (SQLite: OverflowError past 64 bits; Postgres: DataError past 32),
    # a value too long for its column, data nested past the recursion limit. All are the
    # request's fault, so 422 rather than a 500; the DB's own text is logged, not returned.
    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        log.warning("Airflow Canvas: %s %s refused: %s", request.method, request.url.path, exc)
        problem = Problem(
            code="E_VALUE_OUT_OF_RANGE",
            message="A number or text in the request is out of range for the database "
            f"(numbers at most {2**31 - 1}).",
            pointer="",
        )
        return JSONResponse(_body("A value in the request is out of range.", [problem.to_dict()]), 422)

    @app.exception_handler(RecursionError)
    async def _too_deep(request: Request, exc: RecursionError) -> JSONResponse:
        log.warning("Airflow Canvas: %s %s nests too deep: %s", request.method, request.url.path, exc)
        problem = Problem(code="E_JSON_TOO_DEEP", message="The data is nested too deeply.", pointer="")
        return JSONResponse(_body("The request's data is nested too deeply.", [problem.to_dict()]), 422)
