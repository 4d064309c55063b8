"""The deploy environments: where each one deploys to and what it binds. The one place the API and
the CLI both ask.

``[airflow_canvas] environments`` is a JSON object, name -> environment. An environment is
- a folder: ``"/bundles/staging"`` or ``{"folder": "/bundles/staging", ...}``, or
- a Git DAG bundle: ``{"git": {"url": "...", "branch": "main", "path": "dags", "conn_id": "git_prod"}}``
  (deploy commits and pushes there; service/git_target.py),
with optional bindings applied when compiling for it (service/bindings.py): ``connections``
(logical connection id -> Airflow connection id), ``variables`` (logical Variable key -> key),
``params`` (param name -> default), ``pools`` (logical pool -> pool name), ``dag_id_suffix``
(appended to the dag_id: one Airflow serving several environments needs distinct ids); and promotion rules
(service/promotion.py): ``requires`` (the environment a version must have run successfully in
first) and ``protected`` (deploying needs the "Canvas Deploy <name>" permission).

``dev`` defaults to ``[airflow_canvas] deploy_dir`` (``AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR``), else
Airflow's ``[core] dags_folder``. Outside Airflow (the CLI's file-only ``deploy`` where no Airflow
configuration gives a folder) ``dev`` falls back to ``./dags_generated``, as documented for the CLI.

The whole setting is checked when it is read (every use reads it: a changed airflow.cfg needs no
restart); a mistake is a ConfigError naming the environment and the key."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SECTION = "airflow_canvas"
DEPLOY_DIR_ENV = "AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR"
OUTSIDE_AIRFLOW_DIR = "dags_generated"  # the CLI's folder when Airflow's configuration names none

# Environment names appear in URLs, permission names ("Canvas Deploy <name>") and file names.
ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")
# Connection ids, Variable keys and pool names as Airflow allows them (letters, digits, _ - .).
AIRFLOW_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-.]{0,249}$")
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,249}$")
# A branch name git accepts (git check-ref-format) and that can never be read as an option.
BRANCH = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)(?!.*@\{)(?!.*\.lock$)(?!/)(?!.*/$)[A-Za-z0-9._/\-]{1,200}$")
BINDING_KEYS = ("connections", "variables", "params", "pools")
ENV_KEYS = {"folder", "git", "requires", "protected", "dag_id_suffix", *BINDING_KEYS}
DAG_ID_SUFFIX = re.compile(r"^[A-Za-z0-9_\-]{1,50}$")
GIT_KEYS = {"url", "branch", "path", "conn_id"}


class ConfigError(ValueError):
    """The ``[airflow_canvas]`` configuration cannot be used as it is."""


class UnknownEnvironment(LookupError):
    def __init__(self, name: str, configured: list[str]):
        self.name = name
        self.configured = configured
        super().__init__(f"Unknown environment {name!r}; configured: {', '.join(configured)}.")


def redact_url(url: str) -> str:
    """``url`` without a password in its userinfo (``https://user:***@host/x``): for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    if parts.password is None and "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}" if user else f"***@{host}"))


@dataclass(frozen=True)
class GitTarget:
    url: str
    branch: str = "main"
    path: str = ""  # folder inside the repository ("" = its root)
    conn_id: str | None = None  # Airflow connection holding the credentials

    def describe(self) -> str:
        where = f"{self.path}/" if self.path else "/"
        return f"{redact_url(self.url)} branch {self.branch} {where}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": redact_url(self.url),
            "branch": self.branch,
            "path": self.path,
            "conn_id": self.conn_id,
        }


@dataclass(frozen=True)
class Bindings:
    connections: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    pools: dict[str, str] = field(default_factory=dict)
    # Appended to the dag_id: environments served by one Airflow need distinct DAG ids.
    dag_id_suffix: str = ""

    def __bool__(self) -> bool:
        return any((self.connections, self.variables, self.params, self.pools, self.dag_id_suffix))

    def to_dict(self) -> dict[str, Any]:
        return {
            "connections": dict(self.connections),
            "variables": dict(self.variables),
            "params": dict(self.params),
            "pools": dict(self.pools),
            "dag_id_suffix": self.dag_id_suffix,
        }


@dataclass(frozen=True)
class Environment:
    name: str
    folder: Path | None = None  # exactly one of folder and git is set
    git: GitTarget | None = None
    bindings: Bindings = field(default_factory=Bindings)
    requires: str | None = None
    protected: bool = False

    @property
    def kind(self) -> str:
        return "git" if self.git is not None else "folder"

    def to_dict(self) -> dict[str, Any]:
        """What the API shows: never a credential (URLs are redacted, connections named by id)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "folder": str(self.folder) if self.folder is not None else None,
            "git": self.git.to_dict() if self.git is not None else None,
            "bindings": self.bindings.to_dict(),
            "requires": self.requires,
            "protected": self.protected,
        }


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


def _where(name: str, key: str = "") -> str:
    return f"[{SECTION}] environments: environment {name!r}" + (f", key {key!r}" if key else "")


def _ids(name: str, key: str, value: Any, pattern: re.Pattern[str], what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{_where(name, key)} must be a JSON object {{logical name: {what}}}")
    for k, v in value.items():
        for item, label in ((k, "logical name"), (v, what)):
            if not isinstance(item, str) or not pattern.match(item):
                raise ConfigError(
                    f"{_where(name, key)}: {label} {item!r} is not a valid {what} "
                    "(letters, digits, '_', '-', '.'; at most 250 characters)"
                )
    return dict(value)


def _params(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{_where(name, 'params')} must be a JSON object {{param name: default}}")
    for k in value:
        if not PARAM_NAME.match(k):
            raise ConfigError(f"{_where(name, 'params')}: {k!r} is not a param name (a Python identifier)")
    return dict(value)  # JSON values: the compiler writes them as Python literals only


def _suffix(name: str, value: Any) -> str:
    if value != "" and (not isinstance(value, str) or not DAG_ID_SUFFIX.match(value)):
        raise ConfigError(
            f"{_where(name, 'dag_id_suffix')}: {value!r} must be letters, digits, '_' or '-' (at most 50)"
        )
    return str(value)


def _git(name: str, value: Any) -> GitTarget:
    if not isinstance(value, dict):
        raise ConfigError(f'{_where(name, "git")} must be a JSON object {{"url": ..., "branch": ...}}')
    unknown = set(value) - GIT_KEYS
    if unknown:
        raise ConfigError(
            f"{_where(name, 'git')}: unknown key(s) {sorted(unknown)}; allowed: {sorted(GIT_KEYS)}"
        )
    url = value.get("url")
    if not isinstance(url, str) or not url or url.startswith("-") or any(c in url for c in "\n\r\0 "):
        raise ConfigError(
            f"{_where(name, 'git.url')} must be a repository URL or path (not starting with '-')"
        )
    branch = value.get("branch", "main")
    if not isinstance(branch, str) or not BRANCH.match(branch):
        raise ConfigError(f"{_where(name, 'git.branch')}: {branch!r} is not a valid branch name")
    path = value.get("path", "")
    if not isinstance(path, str):
        raise ConfigError(f"{_where(name, 'git.path')} must be a relative folder inside the repository")
    parts = PurePosixPath(path).parts if path not in ("", ".") else ()
    if path.startswith(("/", "-")) or any(p in ("..", ".git") or p.startswith("-") for p in parts):
        raise ConfigError(
            f"{_where(name, 'git.path')}: {path!r} must be a relative folder inside the repository"
        )
    conn_id = value.get("conn_id")
    if conn_id is not None and (not isinstance(conn_id, str) or not AIRFLOW_ID.match(conn_id)):
        raise ConfigError(f"{_where(name, 'git.conn_id')}: {conn_id!r} is not a connection id")
    if conn_id is None and redact_url(url) != url:
        raise ConfigError(
            f"{_where(name, 'git.url')}: put credentials in an Airflow connection (git.conn_id), "
            "not in the URL"
        )
    return GitTarget(url, branch, "/".join(parts), conn_id)


def _environment(name: str, value: Any) -> Environment:
    if not ENV_NAME.match(name):
        raise ConfigError(
            f"[{SECTION}] environments: {name!r} is not a valid environment name "
            "(letters, digits, '_', '-'; at most 64 characters)"
        )
    if isinstance(value, str):
        return Environment(name, folder=Path(value).expanduser())
    if not isinstance(value, dict):
        raise ConfigError(
            f'{_where(name)} must be a folder ("/path") or a JSON object {{"folder"|"git": ...}}'
        )
    unknown = set(value) - ENV_KEYS
    if unknown:
        raise ConfigError(f"{_where(name)}: unknown key(s) {sorted(unknown)}; allowed: {sorted(ENV_KEYS)}")
    folder, git = value.get("folder"), value.get("git")
    if (folder is None) == (git is None) and not (folder is None and name == "dev"):
        raise ConfigError(f"{_where(name)} needs exactly one of 'folder' and 'git'")
    if folder is not None and (not isinstance(folder, str) or not folder):
        raise ConfigError(f"{_where(name, 'folder')} must be a folder path")
    bindings = Bindings(
        connections=_ids(name, "connections", value.get("connections", {}), AIRFLOW_ID, "connection id"),
        variables=_ids(name, "variables", value.get("variables", {}), AIRFLOW_ID, "Variable key"),
        params=_params(name, value.get("params", {})),
        pools=_ids(name, "pools", value.get("pools", {}), AIRFLOW_ID, "pool name"),
        dag_id_suffix=_suffix(name, value.get("dag_id_suffix", "")),
    )
    requires = value.get("requires")
    if requires is not None and (not isinstance(requires, str) or not ENV_NAME.match(requires)):
        raise ConfigError(f"{_where(name, 'requires')} must name another environment")
    protected = value.get("protected", False)
    if not isinstance(protected, bool):
        raise ConfigError(f"{_where(name, 'protected')} must be true or false")
    return Environment(
        name,
        folder=Path(folder).expanduser() if folder is not None else None,
        git=_git(name, git) if git is not None else None,
        bindings=bindings,
        requires=requires,
        protected=protected,
    )


def parse_environments(raw: str, *, dev_folder: Path) -> dict[str, Environment]:
    """Check and parse the ``environments`` setting. Raises ConfigError naming environment and key."""
    try:
        data = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise ConfigError(f"[{SECTION}] environments is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ConfigError(f'[{SECTION}] environments must be a JSON object {{"name": "/folder", ...}}')
    envs = {name: _environment(name, value) for name, value in data.items()}
    dev = envs.get("dev")
    if dev is None:
        envs["dev"] = Environment("dev", folder=dev_folder)
    elif dev.folder is None and dev.git is None:  # dev with bindings only: the default folder
        envs["dev"] = Environment("dev", dev_folder, None, dev.bindings, dev.requires, dev.protected)
    for env in envs.values():
        if env.requires is not None and env.requires not in envs:
            raise ConfigError(f"{_where(env.name, 'requires')}: no environment named {env.requires!r}")
        if env.requires == env.name:
            raise ConfigError(f"{_where(env.name, 'requires')} cannot name the environment itself")
    _no_requirement_cycle(envs)
    return envs


def _no_requirement_cycle(envs: dict[str, Environment]) -> None:
    for start in envs.values():
        seen, env = {start.name}, start
        while env.requires is not None:
            if env.requires in seen:
                raise ConfigError(f"{_where(start.name, 'requires')}: the chain of 'requires' loops back")
            seen.add(env.requires)
            env = envs[env.requires]


def environment_configs(*, outside_airflow: bool = False) -> dict[str, Environment]:
    """Every environment, checked. Raises ConfigError for a malformed setting."""
    from airflow.configuration import conf

    raw = conf.get(SECTION, "environments", fallback="") or "{}"
    return parse_environments(raw, dev_folder=deploy_dir(outside_airflow=outside_airflow))


def get_environment(name: str, *, outside_airflow: bool = False) -> Environment:
    """Environment ``name``. Raises UnknownEnvironment or ConfigError."""
    envs = environment_configs(outside_airflow=outside_airflow)
    if name not in envs:
        raise UnknownEnvironment(name, sorted(envs))
    return envs[name]


def environments(*, outside_airflow: bool = False) -> dict[str, Path]:
    """Environment name -> deploy folder, for the folder environments (Git ones have none here)."""
    return {
        name: env.folder
        for name, env in environment_configs(outside_airflow=outside_airflow).items()
        if env.folder is not None
    }


def environment_folder(name: str, *, outside_airflow: bool = False) -> Path:
    """The folder of environment ``name``. Raises UnknownEnvironment or ConfigError (also for a Git
    environment: it has no folder of its own; deploy through service/deployments.py)."""
    env = get_environment(name, outside_airflow=outside_airflow)
    if env.folder is None:
        raise ConfigError(
            f"environment {name!r} is a Git repository ({env.git.describe() if env.git else ''}), not a "
            "folder: deploy to it with a recorded deploy (the API, or the CLI with Airflow's DB)"
        )
    return env.folder
