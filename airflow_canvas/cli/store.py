"""``airflow-canvas save``: put workflow spec files into the canvas store (a new version when
they changed) and optionally deploy them, recording versions, deployments and audit rows exactly
as the API does. ``make run`` uses it so the examples are both DAGs and editable on the canvas."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass

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
    from airflow import settings

    from airflow_canvas.plugin import config
    from airflow_canvas.plugin.deployments import DeployFailed, deploy_version
    from airflow_canvas.service.audit import audit
    from airflow_canvas.store import repository as repo
    from airflow_canvas.store.errors import NotFound
    from airflow_canvas.store.serialize import content_hash

    loaded = load_all_valid(args.files)  # all files valid before anything is stored
    user = CliUser(args.author or getpass.getuser())
    folder = None
    if args.deploy:
        envs = config.environments()
        if args.deploy not in envs:
            raise CliError(f"unknown environment {args.deploy!r}; configured: {', '.join(sorted(envs))}")
        folder = envs[args.deploy]
    session = settings.Session.session_factory()
    try:
        for path, wf in loaded:
            try:
                head = repo.head(session, wf.id)
            except NotFound:
                row = repo.create_workflow(session, wf, author=user.name, message=args.message)
                audit(
                    "canvas.workflow.create", user=user, workflow_id=wf.id, version=row.number, source="cli"
                )
                state = "created"
            else:
                if head.spec_hash == content_hash(wf):
                    row, state = head, "unchanged"
                else:
                    row = repo.save_version(
                        session, wf.id, wf, base_version=head.number, author=user.name, message=args.message
                    )
                    audit(
                        "canvas.workflow.save", user=user, workflow_id=wf.id, version=row.number, source="cli"
                    )
                    state = "saved"
            print(f"{path}: {state} as {wf.id} version {row.number}")
            if folder is None:
                continue
            try:
                done = deploy_version(
                    session, row, environment=args.deploy, folder=folder, user=user, cli=True, source="cli"
                )
            except DeployFailed as exc:
                raise CliError(f"{path}: deploy failed; the deployed file is unchanged: {exc}") from None
            print(f"  deployed to {args.deploy}: {done.path}", file=sys.stderr)
    finally:
        session.close()
    return EXIT_OK


register(
    Command(
        "save",
        "store workflow specs as new canvas versions (and --deploy them to an environment)",
        _save_args,
        _save_run,
    )
)
