"""Route dependencies that ask Airflow's auth manager whether the caller may act.

``requires(resource, action)`` checks a plugin resource (a FAB permission under FabAuthManager);
``requires_dag(method, entity)`` also checks Airflow's own DAG permission for the workflow's DAG
(the workflow id is the dag_id). No credentials -> 401 (from Airflow's get_user), refused -> 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import HTTPException, Request, status

from airflow_canvas.plugin.permissions import ACTION_METHODS, ALL_PERMISSIONS, DEFAULT_GRANTS, RESOURCE_KEYS

# Airflow's default roles, weakest first (SimpleAuthManager's roles, uppercased, have this order too).
ROLE_ORDER = ["Viewer", "User", "Op", "Admin"]


def minimum_role(resource: str, action: str) -> str:
    """The weakest default role granted (action, resource): what SimpleAuthManager users need."""
    return next(r for r in ROLE_ORDER if (action, resource) in DEFAULT_GRANTS[r])


def _simple_allowed(user: BaseUser, resource: str, action: str) -> bool:
    # SimpleAuthManager.is_authorized_custom_view ignores method and resource (any Viewer may do
    # anything); apply the FAB default grants by role rank instead, so a Viewer cannot deploy.
    role = str(getattr(user, "role", "") or "").capitalize()
    if role not in ROLE_ORDER:
        return False
    return ROLE_ORDER.index(role) >= ROLE_ORDER.index(minimum_role(resource, action))


def is_allowed(user: BaseUser, resource: str, action: str) -> bool:
    manager = get_auth_manager()
    if type(manager).__name__ == "SimpleAuthManager":
        return _simple_allowed(user, resource, action)
    return manager.is_authorized_custom_view(method=ACTION_METHODS[action], resource_name=resource, user=user)


def requires(resource: str, action: str) -> Callable[..., Any]:
    if action not in ALL_PERMISSIONS.get(resource, ()):
        raise ValueError(f"unknown permission {action!r} on {resource!r}")

    def check(user: GetUserDep) -> BaseUser:
        if not is_allowed(user, resource, action):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"You lack the '{action}' permission on '{resource}'."
            )
        return user

    check.__name__ = f"requires_{action}_{RESOURCE_KEYS[resource]}"
    # Read by the route-enumerating RBAC test (and anyone auditing the routes).
    check.canvas_permission = (resource, action)  # type: ignore[attr-defined]
    return check


def requires_dag(method: str, entity: DagAccessEntity | None = None) -> Callable[..., Any]:
    """Airflow's DAG-level check for the workflow in the path (``{workflow_id}`` = dag_id)."""

    def check(request: Request, user: GetUserDep) -> None:
        dag_id = request.path_params.get("workflow_id")
        ok = get_auth_manager().is_authorized_dag(
            method=method, access_entity=entity, details=DagDetails(id=dag_id), user=user
        )
        if not ok:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"Airflow denies {method} on DAG {dag_id!r} ({entity})."
            )

    check.__name__ = f"requires_dag_{method.lower()}"
    check.dag_permission = (method, entity)  # type: ignore[attr-defined]
    return check


def permissions_of(user: BaseUser) -> dict[str, list[str]]:
    return {
        RESOURCE_KEYS[resource]: [a for a in actions if is_allowed(user, resource, a)]
        for resource, actions in ALL_PERMISSIONS.items()
    }
