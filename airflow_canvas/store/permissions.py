"""The canvas's FAB permissions: created idempotently and granted to Airflow's default roles.

Under FabAuthManager, ``is_authorized_custom_view(method, resource_name)`` checks a real FAB
permission (``can_read``/``can_create``/``can_edit``/``can_delete`` on the resource). Those must
exist and be granted to roles, or even Admin is refused: this module makes that so. It is run by the
DB manager after ``airflow db migrate`` (so it lives in store, beside it: the migration needs nothing
from the layers above) and by ``airflow-canvas sync-permissions``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # "GET" | "POST" | "PUT" | "DELETE" for type checkers (an Enum at run time).
    from airflow.api_fastapi.auth.managers.base_auth_manager import ResourceMethod

log = logging.getLogger(__name__)

WORKFLOWS = "Canvas Workflows"
DEPLOYMENTS = "Canvas Deployments"
TOOLS = "Canvas Tools"
COPILOT = "Canvas Co-pilot"
# Saving a change that adds or alters executable code (spec/code_surface.py says what that is).
CODE = "Canvas Code"

# A protected deploy environment (``"protected": true`` in [airflow_canvas] environments) has its own
# resource, "Canvas Deploy <name>": deploying there needs its "edit" on top of Deployments "edit".
# Only Admin gets it by default: grant it to the roles (or a role of release managers) that may ship.
DEPLOY_PREFIX = "Canvas Deploy "
PROTECTED_DEPLOY_ROLES = ("Admin",)


def deploy_resource(environment: str) -> str:
    return f"{DEPLOY_PREFIX}{environment}"


def protected_environments() -> list[str]:
    """Names of the environments marked protected. Read leniently here (the DB manager runs below the
    service layer that validates the setting; a malformed setting is reported there, on first use)."""
    import json

    from airflow.configuration import conf

    try:
        data = json.loads(conf.get("airflow_canvas", "environments", fallback="") or "{}")
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    return sorted(n for n, v in data.items() if isinstance(v, dict) and v.get("protected") is True)


# Short names used by GET /me and the UI.
RESOURCE_KEYS: dict[str, str] = {
    WORKFLOWS: "workflows",
    DEPLOYMENTS: "deployments",
    TOOLS: "tools",
    COPILOT: "copilot",
    CODE: "code",
}

# Every (action, resource) the plugin checks. Deployments "edit" = deploy/undeploy; tools "edit" =
# write code that runs on workers; co-pilot "read" = use it; code "edit" = save a workflow change that
# adds or alters executable code (Airflow trusts DAG authors to run code: only Op and Admin are).
ALL_PERMISSIONS: dict[str, tuple[str, ...]] = {
    WORKFLOWS: ("read", "create", "edit", "delete"),
    DEPLOYMENTS: ("read", "edit"),
    TOOLS: ("read", "edit"),
    COPILOT: ("read",),
    CODE: ("edit",),
}

_EVERYTHING = [(a, r) for r, actions in ALL_PERMISSIONS.items() for a in actions]
DEFAULT_GRANTS: dict[str, list[tuple[str, str]]] = {
    "Admin": _EVERYTHING,
    "Op": _EVERYTHING,
    "User": [
        ("read", WORKFLOWS),
        ("create", WORKFLOWS),
        ("edit", WORKFLOWS),
        ("read", DEPLOYMENTS),
        ("read", TOOLS),
        ("read", COPILOT),
    ],
    "Viewer": [("read", WORKFLOWS), ("read", DEPLOYMENTS), ("read", TOOLS)],
}

# Airflow's UI builds its nav (our "Canvas" entry) from GET /api/v2/plugins, which needs can_read on
# "Plugins"; FAB gives that only to Admin and Op, so a Viewer or User would not see the Canvas at all.
HOST_GRANTS: dict[str, list[tuple[str, str]]] = {
    "User": [("read", "Plugins")],
    "Viewer": [("read", "Plugins")],
}

# The HTTP method the auth manager maps to each FAB action (FabAuthManager's own mapping).
ACTION_METHODS: dict[str, ResourceMethod] = {
    "read": "GET",
    "create": "POST",
    "edit": "PUT",
    "delete": "DELETE",
}


def _fab_auth_manager_configured() -> bool:
    from airflow.configuration import conf

    return "fab" in conf.get("core", "auth_manager", fallback="").lower()


def _ensure_fab_tables() -> None:
    """``airflow db migrate`` may run our DB manager before FAB's (they are ordered by package name);
    FAB's initdb is idempotent, so run it first when its tables are missing."""
    from sqlalchemy import inspect

    from airflow_canvas.store.session import airflow_engine, thread_session

    if inspect(airflow_engine()).has_table("ab_permission"):
        return
    from airflow.providers.fab.auth_manager.models.db import FABDBManager

    with thread_session() as session:
        FABDBManager(session).initdb()


def sync_permissions(*, ensure_fab_tables: bool = False) -> dict[str, list[str]]:
    """Create the canvas permissions and the default grants. Idempotent; returns what each role got.

    Only FabAuthManager stores permissions; with other auth managers this is a logged no-op."""
    if not _fab_auth_manager_configured():
        log.info("Auth manager is not FabAuthManager: canvas permissions are decided by it, not stored.")
        return {}
    if ensure_fab_tables:
        _ensure_fab_tables()
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    granted: dict[str, list[str]] = {}
    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        perms = {
            (action, resource): sm.create_permission(f"can_{action}", resource)
            for action, resource in _EVERYTHING
        }
        for role_name, grants in DEFAULT_GRANTS.items():
            role = sm.find_role(role_name) or sm.add_role(role_name)
            for key in grants:
                perm = perms[key]
                if perm not in role.permissions:
                    sm.add_permission_to_role(role, perm)
            granted[role_name] = [f"can_{a} on {r}" for a, r in grants]
        for role_name, grants in HOST_GRANTS.items():
            role = sm.find_role(role_name) or sm.add_role(role_name)
            for action, resource in grants:
                perm = sm.create_permission(f"can_{action}", resource)
                if perm not in role.permissions:
                    sm.add_permission_to_role(role, perm)
                granted[role_name].append(f"can_{action} on {resource}")
        for environment in protected_environments():
            perm = sm.create_permission("can_edit", deploy_resource(environment))
            for role_name in PROTECTED_DEPLOY_ROLES:
                role = sm.find_role(role_name) or sm.add_role(role_name)
                if perm not in role.permissions:
                    sm.add_permission_to_role(role, perm)
                granted.setdefault(role_name, []).append(f"can_edit on {deploy_resource(environment)}")
    return granted
