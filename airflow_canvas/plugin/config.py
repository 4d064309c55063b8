"""The ``[airflow_canvas]`` settings (airflow.cfg or AIRFLOW__AIRFLOW_CANVAS__* env vars)."""

from __future__ import annotations

import json
from pathlib import Path

from airflow.configuration import conf

SECTION = "airflow_canvas"
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024


class ConfigError(ValueError):
    pass


def deploy_dir() -> Path:
    """The ``dev`` environment's folder: ``deploy_dir``, else Airflow's dags folder."""
    value = conf.get(SECTION, "deploy_dir", fallback="") or conf.get("core", "dags_folder")
    return Path(value).expanduser()


def environments() -> dict[str, Path]:
    """Environment name -> deploy folder. ``environments`` is a JSON object; ``dev`` defaults to
    ``deploy_dir`` when the JSON leaves it out."""
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
    envs.setdefault("dev", deploy_dir())
    return envs


def max_body_bytes() -> int:
    return conf.getint(SECTION, "max_body_bytes", fallback=DEFAULT_MAX_BODY_BYTES)


def airflow_ui_base() -> str:
    """Prefix for links into Airflow's UI (relative by default: same origin as the plugin)."""
    return conf.get(SECTION, "ui_base_url", fallback="").rstrip("/")
