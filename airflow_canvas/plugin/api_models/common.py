"""What every area shares: the error body, the ``responses=`` for it, and the page fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from airflow_canvas.spec.problems import Problem


class ApiModel(BaseModel):
    """A response model. ``extra="forbid"``: a key a route returns that its model does not declare
    fails the response (a 500 in tests) instead of vanishing from it, so the models stay the truth.
    FastAPI sends every field, defaults included, so the schema marks them all required."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class ErrorBody(BaseModel):
    """Every error: ``detail`` and the ``problems`` (``plugin/errors.py``). Some errors add fields
    of their own (a stale save's ``diff``, a merge's ``conflicts``, a deploy's ``code_changes``)."""

    model_config = ConfigDict(extra="allow")

    detail: str
    problems: list[Problem] = []


_WHY = {
    400: "Malformed JSON body.",
    401: "Not authenticated.",
    403: "Not allowed (the permission the route needs is named in `detail`).",
    404: "Not found.",
    409: "Conflict with the stored state.",
    413: "Body larger than `max_body_bytes`.",
    422: "Invalid input: every problem is listed.",
    428: "The deploy changes code: confirm it.",
    429: "Too many co-pilot turns running: retry after `Retry-After` seconds.",
    500: "A server setting is invalid.",
    502: "The deploy target (a Git remote) refused or failed.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: 401, 403 and 422 (every route), plus the codes it adds."""
    return {code: {"model": ErrorBody, "description": _WHY[code]} for code in sorted({401, 403, 422, *codes})}


class Page(ApiModel):
    total: int
    offset: int
    limit: int
