"""The CLI's side of the deploy rules of service/promotion.py: a protected environment
(``"protected": true``) takes a CLI deploy only as a FAB user holding "edit" on "Canvas Deploy
<name>" (``--author`` names that user; the default is your login). A shell on the server can do
anything, but the rule must not be skippable by choosing the CLI over the API by mistake or habit."""

from __future__ import annotations

from airflow_canvas.cli import CliError
from airflow_canvas.service.environments import Environment
from airflow_canvas.service.promotion import DeployNotPermitted, deploy_resource


def fab_user_may_deploy(username: str, environment: str) -> bool:
    """Does FAB user ``username`` hold can_edit on the environment's deploy resource (via a role)?"""
    from airflow.configuration import conf

    if "fab" not in conf.get("core", "auth_manager", fallback="").lower():
        return False  # no stored permissions to check: protected environments take API deploys only
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    resource = deploy_resource(environment)
    with get_application_builder() as appbuilder:
        user = appbuilder.sm.find_user(username=username)
        if user is None or not user.is_active:
            return False
        return any(
            perm.action.name == "can_edit" and perm.resource.name == resource
            for role in user.roles
            for perm in role.permissions
        )


def check_protected(env: Environment, username: str) -> None:
    """Raise CliError when ``env`` is protected and ``username`` may not deploy there."""
    if env.protected and not fab_user_may_deploy(username, env.name):
        raise CliError(
            f"{DeployNotPermitted(env.name, username)} From the CLI, --author must name an Airflow "
            "(FAB) user holding it."
        )
