"""Route dependencies that ask Airflow's auth manager whether the caller may act.

``requires(resource, action)`` checks a plugin resource (a FAB permission under FabAuthManager);
``requires_dag(method, entity)`` also checks Airflow's own DAG permission for the workflow's DAG
(the workflow id is the dag_id). No credentials -> 401 (from Airflow's get_user), refused -> 403."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import HTTPException, Request, status

from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.spec.code_surface import CodeChange, code_items, introduced_code
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem
from airflow_canvas.store.permissions import (
    ACTION_METHODS,
    ALL_PERMISSIONS,
    CODE,
    DEFAULT_GRANTS,
    RESOURCE_KEYS,
)

if TYPE_CHECKING:
    # "GET" | "POST" | "PUT" | "DELETE" for type checkers (an Enum at run time).
    from airflow.api_fastapi.auth.managers.base_auth_manager import ResourceMethod

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


def requires_dag(method: ResourceMethod, entity: DagAccessEntity | None = None) -> Callable[..., Any]:
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


# -- who may put code into a workflow ----------------------------------------------------------------
# Code whose meaning depends on where it is used (an argument of some operator) is never trusted for
# coming from a template; self-contained code (a Python snippet, a tool) is.
_CONTEXT_KINDS = frozenset(
    {"operator_argument", "operator_input", "operator_source", "notifier_argument", "callable"}
)


@cache
def shipped_code() -> frozenset[tuple[str, str | None, str]]:
    """(kind, code) of the code in the plugin's own template gallery, instantiated as shipped.

    That code comes with the plugin, as trusted as the plugin itself, so a User may create a
    workflow from a template (or paste a sub-graph template) that contains it, unchanged. Template
    parameters are substituted before this is computed: only the shipped defaults are trusted."""
    from airflow_canvas import templates as gallery
    from airflow_canvas.spec.models import Workflow

    found: set[tuple[str, str | None, str]] = set()
    for info in gallery.list_templates():
        try:
            if info.kind == "workflow":
                wf = gallery.instantiate_template(info.name)
            else:
                part = gallery.instantiate_subgraph(info.name)
                wf = Workflow(
                    id="t", nodes=part.nodes, edges=part.edges, groups=part.groups, tools=part.tools
                )
        except Exception:  # a template that needs parameters trusts nothing; never fail a save on it
            continue
        found.update(
            _trust_key(i.kind, i.tool, i.value)
            for i in code_items(wf).values()
            if i.kind not in _CONTEXT_KINDS
        )
    return frozenset(found)


# A tool's code and test assertions are self-contained; its other fields (network, entry point,
# dependencies, language) mean something only for that tool's code, so they are trusted only on the
# tool they shipped with (else `network: true` from a template could be put on any inline tool).
_SELF_CONTAINED_TOOL_KINDS = frozenset({"tool_code", "tool_test_assertion"})


def _trust_key(kind: str, tool: str | None, value: object) -> tuple[str, str | None, str]:
    placed = kind.startswith("tool_") and kind not in _SELF_CONTAINED_TOOL_KINDS
    return (kind, tool if placed else None, json.dumps(value, sort_keys=True))


def _from_gallery(change: CodeChange) -> bool:
    return _trust_key(change.kind, change.tool, change.after) in shipped_code()


def may_write_code(user: BaseUser) -> bool:
    return is_allowed(user, CODE, "edit")


def require_code_permission(user: BaseUser, before: Workflow | None, after: Workflow, action: str) -> None:
    """403 naming each node and field when ``after`` adds or alters executable code relative to
    ``before`` (None: a new workflow) and the caller lacks the Canvas Code permission. Removing code,
    and editing anything that is not code, never needs it."""
    changes = [c for c in introduced_code(before, after) if not _from_gallery(c)]
    if not changes or may_write_code(user):
        return
    problems = [
        Problem(
            code="E_CODE_PERMISSION",
            message=f"{c.label} is {c.change}: changing executable code needs the '{CODE}' permission.",
            pointer=c.pointer,
            node_id=c.node_id,
            hint="Ask someone with the Op or Admin role (or the Canvas Code permission) to make this "
            "change, or undo it and save the rest.",
        )
        for c in changes
    ]
    where = ", ".join(
        f"{'node ' + repr(c.node_id) if c.node_id else c.tool or 'workflow'} {c.pointer}" for c in changes[:5]
    )
    raise ApiError(
        403,
        f"You lack the 'edit' permission on '{CODE}', needed to {action} a change that adds or alters "
        f"executable code ({where}{', ...' if len(changes) > 5 else ''}). Nothing was stored.",
        problems,
        code_changes=[c.to_dict() for c in changes],
    )


def code_check(user: BaseUser, action: str) -> Callable[[Workflow | None, Workflow], None]:
    """``require_code_permission`` as the service layer's ``authorize(before, after)`` callback: the
    service calls it once the change is known and before it writes anything."""

    def authorize(before: Workflow | None, after: Workflow) -> None:
        require_code_permission(user, before, after, action)

    return authorize
