"""Where each deploy environment's folder is: the one place the API and the CLI both ask.

``[airflow_canvas] environments`` (JSON ``{"name": "/folder"}``) names them; ``dev`` defaults to
``[airflow_canvas] deploy_dir`` (``AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR``), else Airflow's
``[core] dags_folder``. Outside Airflow (the CLI's file-only ``deploy`` where no Airflow
configuration gives a folder) ``dev`` falls back to ``./dags_generated``, as documented for the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

SECTION = "airflow_canvas"
DEPLOY_DIR_ENV = "AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR"
OUTSIDE_AIRFLOW_DIR = "dags_generated"  # the CLI's folder when Airflow's configuration names none


class ConfigError(ValueError):
    """The ``[airflow_canvas]`` configuration cannot be used as it is."""


class UnknownEnvironment(LookupError):
    def __init__(self, name: str, configured: list[str]):
        self.name = name
        self.configured = configured
        super().__init__(f"Unknown environment {name!r}; configured: {', '.join(configured)}.")


def deploy_dir(*, outside_airflow: bool = False) -> Path:
    """The ``dev`` environment's folder: ``deploy_dir``, else Airflow's dags folder. With
    ``outside_airflow``, a configuration that cannot be read, or names neither, gives ./dags_generated."""
    if os.environ.get(DEPLOY_DIR_ENV):  # what Airflow's conf would read too; no config file needed
        return Path(os.environ[DEPLOY_DIR_ENV]).expanduser()
    try:
        from airflow.configuration import conf

        configured = conf.get(SECTION, "deploy_dir", fallback="")
        if not outside_airflow:
            configured = configured or conf.get("core", "dags_folder")
    except Exception:  # an unreadable airflow.cfg must not stop a CLI deploy to the default folder
        if not outside_airflow:
            raise
        configured = ""
    return Path(configured or OUTSIDE_AIRFLOW_DIR).expanduser()


def environments(*, outside_airflow: bool = False) -> dict[str, Path]:
    """Environment name -> deploy folder. ``environments`` is a JSON object; ``dev`` defaults to
    ``deploy_dir()`` when the JSON leaves it out. Raises ConfigError for a malformed setting."""
    from airflow.configuration import conf

    raw = conf.get(SECTION, "environments", fallback="") or "{}"
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"[{SECTION}] environments is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ConfigError(f'[{SECTION}] environments must be a JSON object {{"name": "/folder", ...}}')
    envs = {name: Path(folder).expanduser() for name, folder in data.items()}
    if "dev" not in envs:
        envs["dev"] = deploy_dir(outside_airflow=outside_airflow)
    return envs


def environment_folder(name: str, *, outside_airflow: bool = False) -> Path:
    """The folder of environment ``name``. Raises UnknownEnvironment or ConfigError."""
    envs = environments(outside_airflow=outside_airflow)
    if name not in envs:
        raise UnknownEnvironment(name, sorted(envs))
    return envs[name]
