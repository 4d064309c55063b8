"""``airflow-canvas save``: put workflow spec files into the canvas store (a new version when
they changed) and optionally deploy them, recording versions, deployments and audit rows exactly
as the API does. ``make run`` uses it so the examples are both DAGs and editable on the canvas."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from typing import Any

from airflow_canvas.cli import EXIT_OK, CliError, Command, load_all_valid, register


@dataclass(frozen=True)
class CliUser:
    """The person at the terminal, named in versions and the audit log."""

    name: str

    def get_name(self) -> str:
        return self.name


def _save_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="workflow spec files")
    parser.add_argument("-m", "--message", default="Saved from the command line", help="version message")
    parser.add_argument("--author", default=None, help="name recorded as the author (default: your login)")
    parser.add_argument(
        "--deploy", metavar="ENV", default=None, help="also deploy each saved head to this environment"
    )


def _save_run(args: argparse.Namespace) -> int:
    from airflow_canvas.cli.protected import check_protected
    from airflow_canvas.service import workflows
    from airflow_canvas.service.environments import ConfigError, UnknownEnvironment, get_environment
    from airflow_canvas.store.session import new_session

    loaded = load_all_valid(args.files)  # all files valid before anything is stored
    user = CliUser(args.author or getpass.getuser())
    if args.deploy:
        try:
            env = get_environment(args.deploy)  # an unknown environment stops everything before a save
        except (UnknownEnvironment, ConfigError) as exc:
            raise CliError(str(exc)) from None
        check_protected(env, user.name)
    session = new_session()
    try:
        for path, wf in loaded:
            row, state = workflows.store(session, user, wf, message=args.message, source="cli")
            print(f"{path}: {state} as {wf.id} version {row.number}")
            if args.deploy:
                done = deploy_saved(session, user, row.workflow_id, row.number, args.deploy, path)
                print(f"  deployed to {args.deploy}: {done.path}", file=sys.stderr)
    finally:
        session.close()
    return EXIT_OK


def deploy_saved(
    session: Any, user: CliUser, workflow_id: str, version: int, environment: str, path: str
) -> Any:
    """Deploy a stored version from the shell (trusted: no code confirmation), recorded like the API's."""
    from airflow_canvas.service import deployments
    from airflow_canvas.service.promotion import PromotionRefused

    try:
        return deployments.deploy(
            session, user, workflow_id, environment=environment, version=version, cli=True, source="cli"
        )
    except (PromotionRefused, deployments.DeployConflict) as exc:
        raise CliError(f"{path}: not deployed: {exc}") from None
    except deployments.DeployFailed as exc:
        raise CliError(f"{path}: deploy failed; the deployed file is unchanged: {exc}") from None


register(
    Command(
        "save",
        "store workflow specs as new canvas versions (and --deploy them to an environment)",
        _save_args,
        _save_run,
    )
)
