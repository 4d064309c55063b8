"""The API's error shape ``{"detail": ..., "problems": [...]}`` and the handlers producing it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem, SpecError, pointer
from airflow_canvas.store import repository as repo
from airflow_canvas.store.diff import diff_specs
from airflow_canvas.store.errors import StaleBase, StoreError
from airflow_canvas.store.serialize import full_dict


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


def _request_problems(exc: RequestValidationError) -> tuple[int, str, list[dict[str, Any]]]:
    problems: list[dict[str, Any]] = []
    for err in exc.errors():
        loc = [p for p in err.get("loc", ()) if p != "body"]
        if err.get("type") == "json_invalid":
            where = err.get("ctx", {}).get("error", "")
            return 400, f"Malformed JSON body: {where}".strip(), []
        problems.append(
            Problem(
                code="E_REQUEST_INVALID",
                message=f"{'.'.join(str(p) for p in loc) or 'body'}: {err.get('msg', 'invalid')}",
                pointer=pointer(*loc),
            ).to_dict()
        )
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
    async def _request_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, detail, problems = _request_problems(exc)
        return JSONResponse(_body(detail, problems), status)

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(_body(exc.detail), exc.status_code, headers=getattr(exc, "headers", None))
