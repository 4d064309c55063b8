"""``airflow-canvas deploy``: compile, import-check and atomically deploy spec files, to a folder
(``--dir``) or, once ``airflow db migrate`` has made the canvas tables, recorded like the API's
deploys (versions, deployment rows, audit), to an environment (``--env``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_canvas.cli import EXIT_OK, CliError, Command, load_all_valid, print_problems, register
from airflow_canvas.service.environments import DEPLOY_DIR_ENV
from airflow_canvas.service.environments import OUTSIDE_AIRFLOW_DIR as DEFAULT_DEPLOY_DIR

if TYPE_CHECKING:
    from airflow_canvas.spec.models import Workflow


def default_deploy_dir() -> Path:
    """The ``dev`` folder outside Airflow: $AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR, else
    [airflow_canvas] deploy_dir in airflow.cfg, else ./dags_generated (service/environments.py)."""
    from airflow_canvas.service.environments import deploy_dir

    return deploy_dir(outside_airflow=True)


def _deploy_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="workflow spec (.json, .yaml)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--env",
        "-e",
        default="dev",
        help="environment to deploy to (default: dev); with Airflow's DB migrated the spec is saved as a "
        "canvas version and the deploy recorded, as the API does",
    )
    where.add_argument(
        "--dir",
        help=f"deploy into this folder instead, file only, nothing recorded (outside Airflow, dev is "
        f"${DEPLOY_DIR_ENV}, airflow.cfg, ./{DEFAULT_DEPLOY_DIR})",
    )
    parser.add_argument("-m", "--message", default="Deployed from the command line", help="version message")
    parser.add_argument("--author", default=None, help="name recorded as the author (default: your login)")


def _canvas_store_ready() -> bool:
    """Is Airflow's metadata DB reachable with the canvas tables migrated (``airflow db migrate``)?
    When not, the CLI runs outside Airflow: a deploy writes the file and records nothing."""
    try:
        from airflow import settings
        from sqlalchemy import inspect

        return settings.engine is not None and inspect(settings.engine).has_table("canvas_deployment")
    except Exception:  # no DB configured or reachable: outside Airflow
        return False


def _deploy_run(args: argparse.Namespace) -> int:
    from airflow_canvas.compiler import compile_workflow
    from airflow_canvas.spec.problems import SpecError

    loaded = load_all_valid(args.files)
    compiled = []
    for path, wf in loaded:  # compile everything first: a spec the compiler rejects stops all
        try:
            compiled.append(compile_workflow(wf))
        except SpecError as exc:
            print_problems(path, exc.problems, sys.stderr)
            raise CliError("nothing was deployed: fix the problems above first") from None
    if args.dir is None and _canvas_store_ready():
        return _deploy_recorded(args, loaded)
    from airflow_canvas.service.environments import ConfigError, UnknownEnvironment, environment_folder

    try:
        folder = (
            Path(args.dir).expanduser() if args.dir else environment_folder(args.env, outside_airflow=True)
        )
    except (UnknownEnvironment, ConfigError) as exc:
        raise CliError(str(exc)) from None
    _deploy_files(loaded, compiled, folder)
    return EXIT_OK


def _not_deployed(loaded: list[tuple[str, Workflow]], path: str, done: list[str]) -> CliError:
    left = [p for p, _ in loaded if p != path and p not in done]
    return CliError(
        f"{path} was not deployed (its old DAG file, if any, is unchanged)"
        + (f"; deployed before it: {', '.join(done)}" if done else "")
        + (f"; not attempted: {', '.join(left)}" if left else "")
    )


def _deploy_files(loaded: list[tuple[str, Workflow]], compiled: list[Any], folder: Path) -> None:
    """Outside Airflow (or --dir): write the DAG files only."""
    from airflow_canvas.compiler.deploy import DeployError, deploy_workflow

    done: list[str] = []
    for (path, wf), dag in zip(loaded, compiled, strict=True):
        try:
            result = deploy_workflow(wf, folder, compiled=dag)
        except DeployError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            if exc.details:
                print(exc.details, file=sys.stderr)
            raise _not_deployed(loaded, path, done) from None
        done.append(path)
        state = "deployed" if result.changed else "unchanged"
        print(f"{result.path}: {state} (dag_id {result.dag_id}, spec hash {result.spec_hash[:12]})")


def _deploy_recorded(args: argparse.Namespace, loaded: list[tuple[str, Workflow]]) -> int:
    """Inside Airflow: each spec becomes a canvas version (when it changed) and is deployed to the
    environment through the service layer, so the deployment row and audit rows are the API's."""
    import getpass

    from airflow_canvas.cli.protected import check_protected
    from airflow_canvas.cli.store import CliUser
    from airflow_canvas.service import deployments, workflows
    from airflow_canvas.service.environments import ConfigError, UnknownEnvironment, get_environment
    from airflow_canvas.service.promotion import PromotionRefused
    from airflow_canvas.store.session import new_session

    try:
        env = get_environment(args.env)  # an unknown environment stops everything before a save
    except (UnknownEnvironment, ConfigError) as exc:
        raise CliError(str(exc)) from None
    user = CliUser(args.author or getpass.getuser())
    check_protected(env, user.name)  # before a save: a refused deploy stores nothing either
    done: list[str] = []
    session = new_session()
    try:
        for path, wf in loaded:
            row, state = workflows.store(session, user, wf, message=args.message, source="cli")
            print(f"{path}: {state} as {wf.id} version {row.number}", file=sys.stderr)
            try:
                result = deployments.deploy(
                    session,
                    user,
                    wf.id,
                    environment=args.env,
                    version=row.number,
                    cli=True,
                    message=args.message,
                    source="cli",
                )
            except (PromotionRefused, deployments.DeployConflict) as exc:
                print(f"{path}: {exc}", file=sys.stderr)
                raise _not_deployed(loaded, path, done) from None
            except deployments.DeployFailed as exc:
                print(f"{path}: {exc}", file=sys.stderr)
                if exc.details:
                    print(exc.details, file=sys.stderr)
                raise _not_deployed(loaded, path, done) from None
            done.append(path)
            print(
                f"{result.path}: deployed (dag_id {result.dag_id}, spec hash {(result.spec_hash or '')[:12]})"
            )
    finally:
        session.close()
    return EXIT_OK


register(
    Command("deploy", "compile, import-check and atomically deploy workflows", _deploy_args, _deploy_run)
)
