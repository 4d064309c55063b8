"""Who the caller is and what the canvas lets them do (the UI goes read-only from this)."""

from __future__ import annotations

from typing import Any

from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import APIRouter

from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.api_models.me import Me
from airflow_canvas.plugin.authz import permissions_of

router = APIRouter(tags=["me"])


def _roles(user: Any) -> list[str]:
    roles = getattr(user, "roles", None)  # FAB users
    if roles:
        return sorted(getattr(r, "name", str(r)) for r in roles)
    role = getattr(user, "role", None)  # SimpleAuthManager users
    return [str(role)] if role else []


@router.get("/me", response_model=Me, responses=errors())
def me(user: GetUserDep) -> dict[str, Any]:
    return {"username": user.get_name(), "roles": _roles(user), "permissions": permissions_of(user)}
