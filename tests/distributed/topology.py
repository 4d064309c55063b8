"""The production topology on one machine, each part a separate process on loopback: PostgreSQL and
Redis with throwaway data directories, a bare Git repository as the DAG remote, and Airflow with the
CeleryExecutor as five processes (api-server, scheduler, dag-processor, triggerer, one Celery
worker), each with its own AIRFLOW_HOME and working directory.

What the Airflow processes share is only what separate machines would share: the Postgres URL, the
Redis broker URL, the Git remote (a path standing in for a Git server's URL) and the secrets every
component of one deployment is configured with (JWT secret, API secret key, Fernet key). The DAG
processor and the worker read DAGs from the Git remote through Airflow's GitDagBundle
(``[dag_processor] dag_bundle_config_list`` + a git connection); their homes and working
directories are their own, and no path of the api-server's home appears in their environment
(``Topology.check_isolation`` asserts it).

Every process is started here in its own session (process group) and stopped by that group's id,
also when a start fails half-way. Nothing else on the machine is touched.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.e2e.live_airflow import PASSWORD, ROLE_USERS

AIRFLOW = Path(sys.executable).with_name("airflow")
BUNDLE = "canvas_git"
BRANCH = "main"
GIT_CONN_ID = "canvas_git"
# Who commits to the remote in the tests' own git operations (not the canvas's deploy identity).
GIT_ENV = {
    "GIT_AUTHOR_NAME": "canvas-distributed-test",
    "GIT_AUTHOR_EMAIL": "distributed@example.com",
    "GIT_COMMITTER_NAME": "canvas-distributed-test",
    "GIT_COMMITTER_EMAIL": "distributed@example.com",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, ready: Callable[[], bool], timeout: float, alive: Callable[[], str | None]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = alive()
        if dead:
            raise RuntimeError(f"{what}: {dead}")
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.3)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s")


def postgres_bin(name: str) -> str:
    """Debian puts the server binaries under /usr/lib/postgresql/<major>/bin, not on PATH."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]), None
    )
    if not found:
        raise FileNotFoundError(f"{name} not found: install Debian's postgresql (make test-distributed does)")
    return found


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    stop_signal: int = signal.SIGTERM

    def dead(self) -> str | None:
        if self.popen.poll() is None:
            return None
        tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        return f"{self.name} exited with {self.popen.returncode}; log {self.log}:\n{tail}"


@dataclass
class Topology:
    root: Path
    log_dir: Path
    procs: list[Proc] = field(default_factory=list)
    pg_port: int = 0
    redis_port: int = 0
    api_port: int = 0
    remote: Path = Path()
    envs: dict[str, dict[str, str]] = field(default_factory=dict)
    executor: str = "CeleryExecutor"  # LocalExecutor: the benchmark's baseline (no worker started)
    _tokens: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ processes

    def spawn(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        stop_signal: int = signal.SIGTERM,
    ) -> Proc:
        log = self.log_dir / f"{name}.log"
        out = open(log, "wb")  # noqa: SIM115 (kept open for the process's life)
        popen = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends it and all its children
        )
        proc = Proc(name, popen, log, stop_signal)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        """Stop what this topology started, newest first (Airflow before its database and broker)."""
        for proc in reversed(self.procs):
            if proc.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.popen.pid, proc.stop_signal)
            try:
                proc.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait(timeout=10)
            # Children that outlived their leader (a Celery pool process) are still in the group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
        self.procs.clear()

    def dead(self) -> str | None:
        return next((d for p in self.procs if (d := p.dead())), None)

    # ------------------------------------------------------------------ PostgreSQL

    def start_postgres(self) -> None:
        """initdb + postgres on 127.0.0.1:<free port>, trust auth on loopback, fsync off (a
        throwaway cluster). As root, the server runs as the ``postgres`` system user (Postgres refuses
        root); the data directory is chowned to it."""
        self.pg_port = free_port()
        pg_root = self.root / "postgres"
        data, sock = pg_root / "data", pg_root / "sock"
        data.mkdir(parents=True)
        sock.mkdir()
        prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            # The postgres user must reach its directories through ours.
            for d in (self.root, pg_root):
                d.chmod(0o711)
            for d in (data, sock):
                os.chown(d, user.pw_uid, user.pw_gid)
            prefix = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [*prefix, postgres_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
             "--no-sync", "--locale=C.UTF-8"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        self.spawn(
            "postgres",
            [*prefix, postgres_bin("postgres"), "-D", str(data), "-p", str(self.pg_port), "-k", str(sock),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=200"],
            stop_signal=signal.SIGINT,  # Postgres's "fast" shutdown: ends sessions, then exits
        )  # fmt: skip
        _wait("postgres", lambda: self.psql("select 1").strip() == "1", 60, self.dead)
        self.psql("create database airflow")

    def psql(self, sql: str, db: str = "postgres") -> str:
        r = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", db, "-tAc", sql],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        if r.returncode:
            raise RuntimeError(f"psql {sql!r}: {r.stderr}")
        return r.stdout

    def pg_url(self, db: str = "airflow", driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.pg_port}/{db}"

    # ------------------------------------------------------------------ Redis

    def start_redis(self) -> None:
        self.redis_port = free_port()
        d = self.root / "redis"
        d.mkdir()
        self.spawn(
            "redis",
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.redis_port),
             "--bind", "127.0.0.1", "--dir", str(d), "--save", "", "--appendonly", "no"],
        )  # fmt: skip

        def ping() -> bool:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        _wait("redis", ping, 30, self.dead)

    @property
    def broker_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    # ------------------------------------------------------------------ Git remote

    def git(self, *args: str, cwd: Path | None = None) -> str:
        r = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, env={**os.environ, **GIT_ENV}
        )
        if r.returncode:
            raise RuntimeError(f"git {' '.join(args)}: {r.stderr}")
        return r.stdout

    def create_remote(self) -> None:
        """A bare repository with one commit on ``main`` (GitDagBundle needs its tracking ref)."""
        self.remote = self.root / "remote" / "dags.git"
        self.git("init", "-q", "--bare", "-b", BRANCH, str(self.remote))
        seed = self.root / "remote" / "seed"
        self.git("clone", "-q", str(self.remote), str(seed))
        (seed / "README.md").write_text("DAGs deployed by Airflow Canvas (distributed test).\n")
        self.git("add", "README.md", cwd=seed)
        self.git("commit", "-q", "-m", "start", cwd=seed)
        self.git("push", "-q", "origin", f"HEAD:{BRANCH}", cwd=seed)
        shutil.rmtree(seed)

    # ------------------------------------------------------------------ Airflow

    def component_env(self, name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        """One component's environment: its own home, the shared URLs and secrets, nothing else of
        another component's. ``extra`` adds this component's own settings."""
        home = self.root / name
        (home / "dags").mkdir(parents=True, exist_ok=True)
        base = f"http://127.0.0.1:{self.api_port}"
        bundle = {
            "name": BUNDLE,
            "classpath": "airflow.providers.git.bundles.git.GitDagBundle",
            "kwargs": {"git_conn_id": GIT_CONN_ID, "tracking_ref": BRANCH, "refresh_interval": 2},
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env.update(
            {
                "HOME": str(home),  # git, pip and caches write under the component's own home
                "AIRFLOW_HOME": str(home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__EXECUTOR": self.executor,
                "AIRFLOW__CORE__PARALLELISM": "8",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
                "AIRFLOW__CORE__AUTH_MANAGER": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
                "AIRFLOW__CORE__FERNET_KEY": self.fernet_key,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.pg_url(),
                "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + self.pg_url(driver="postgresql"),
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
                "AIRFLOW__API__BASE_URL": base,
                "AIRFLOW__API__SECRET_KEY": "canvas-distributed-secret-key",
                "AIRFLOW__API_AUTH__JWT_SECRET": "canvas-distributed-jwt-secret-not-for-production",
                "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps([bundle]),
                # Bundle clones under the component's own home (the default is the shared /tmp).
                "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH": str(home / "dag_bundles"),
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "3",
                "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
                "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
                "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
                "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
                # Log servers on free ports: other test sessions on this machine use the defaults.
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.worker_log_port),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self.trigger_log_port),
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(extra or {})
        self.envs[name] = env
        return env

    def cli(self, component: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(
            [str(AIRFLOW), *args], env=self.envs[component], cwd=self.root / component,
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if r.returncode:
            raise RuntimeError(
                f"airflow {' '.join(args)} ({component}): {r.stdout[-2000:]}{r.stderr[-3000:]}"
            )
        return r

    def create_users(self) -> None:
        """One FAB user per role (NoCanvas: a role with no canvas grants), what `airflow roles create`
        and `airflow users create` do, in one process instead of six (each CLI start costs seconds)."""
        script = (
            "import json, sys\n"
            "from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder\n"
            "users, password = json.loads(sys.argv[1]), sys.argv[2]\n"
            "with get_application_builder() as ab:\n"
            "    ab.sm.add_role('NoCanvas')\n"
            "    for role, name in users.items():\n"
            "        if not ab.sm.add_user(name, name, 'Distributed', name + '@example.com', ab.sm.find_role(role), password):\n"
            "            raise SystemExit('could not create ' + name)\n"
        )
        r = subprocess.run(
            [sys.executable, "-c", script, json.dumps(ROLE_USERS), PASSWORD],
            env=self.envs["api-server"], cwd=self.root / "api-server", capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if r.returncode:
            raise RuntimeError(f"creating the FAB users: {r.stdout[-2000:]}{r.stderr[-3000:]}")

    def start_airflow(
        self, *, api_extra: dict[str, str], worker_extra: dict[str, str], bundle_extra: dict[str, str]
    ) -> None:
        """Migrate, create one FAB user per role, then start the five components (four with the
        LocalExecutor, whose scheduler runs the tasks)."""
        git_conn = json.dumps({"conn_type": "git", "host": str(self.remote)})
        bundle_conn = {"AIRFLOW_CONN_CANVAS_GIT": git_conn, **bundle_extra}
        self.component_env("api-server", {"AIRFLOW__API__PORT": str(self.api_port), **api_extra})
        self.component_env("dag-processor", bundle_conn)
        self.component_env("triggerer")
        # With the LocalExecutor the scheduler runs the tasks: it then needs what the worker needs.
        local = self.executor == "LocalExecutor"
        self.component_env("scheduler", {**bundle_conn, **worker_extra} if local else None)
        if not local:
            self.component_env("worker", {**bundle_conn, **worker_extra})
        self.cli("api-server", "db", "migrate")
        self.create_users()
        commands = {
            "api-server": [
                "api-server",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.api_port),
                "--workers",
                "1",
            ],
            "scheduler": ["scheduler"],
            "dag-processor": ["dag-processor"],
            "triggerer": ["triggerer"],
            "worker": ["celery", "worker", "--concurrency", "2", "--celery-hostname", "canvas-worker@%h"],
        }
        if local:
            del commands["worker"]
        for name, args in commands.items():
            self.spawn(name, [str(AIRFLOW), *args], env=self.envs[name], cwd=self.root / name)
        _wait(
            "api-server",
            lambda: httpx.get(f"{self.base_url}/api/v2/monitor/health", timeout=2).status_code == 200,
            180,
            self.dead,
        )

    fernet_key: str = ""
    worker_log_port: int = 0
    trigger_log_port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def describe(self) -> str:
        """Which executor, database and DAG bundle this topology runs, with versions read from the
        running servers and the installed packages."""
        from importlib.metadata import version

        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=5) as s:
            s.sendall(b"INFO server\r\n")
            info = s.recv(65536).decode(errors="replace")
        redis = next(
            (ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("redis_version:")), "?"
        )
        broker = (
            f"celery {version('celery')}, Redis {redis} broker, 1 worker"
            if self.executor == "CeleryExecutor"
            else "no worker"
        )
        return (
            f"executor {self.executor} ({broker}); "
            f"database PostgreSQL {self.psql('show server_version').strip()}; "
            f"DAG bundle GitDagBundle (apache-airflow-providers-git {version('apache-airflow-providers-git')}) "
            f"on a bare repository, branch {BRANCH}; Airflow {version('apache-airflow')}"
        )

    def check_isolation(self) -> None:
        """No path of the api-server's home is in the DAG processor's or the worker's environment
        (or the other way round): their only common ground is the URLs and secrets."""
        api_home = str(self.root / "api-server")
        for name in ("dag-processor", "worker", "scheduler", "triggerer"):
            if name not in self.envs:
                continue
            leaked = {k: v for k, v in self.envs[name].items() if api_home in v}
            assert not leaked, f"{name} sees the api-server's disk: {leaked}"
            mine = str(self.root / name)
            assert not {k: v for k, v in self.envs["api-server"].items() if mine in v}

    # ------------------------------------------------------------------ API

    def token(self, role: str) -> str:
        if role not in self._tokens:
            r = httpx.post(
                f"{self.base_url}/auth/token",
                json={"username": ROLE_USERS[role], "password": PASSWORD},
                timeout=30,
            )
            r.raise_for_status()
            self._tokens[role] = r.json()["access_token"]
        return self._tokens[role]

    def client(self, role: str, timeout: float = 120) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.token(role)}"}, timeout=timeout
        )


def start_topology(
    *,
    api_extra: Callable[[Topology], dict[str, str]],
    worker_extra: dict[str, str],
    bundle_extra: dict[str, str] | None = None,
    log_dir: Path,
    executor: str = "CeleryExecutor",
) -> Topology:
    """Start everything; on any failure stop what was started and re-raise."""
    from cryptography.fernet import Fernet

    log_dir.mkdir(parents=True, exist_ok=True)
    topo = Topology(root=Path(tempfile.mkdtemp(prefix="canvas-dist-")), log_dir=log_dir, executor=executor)
    topo.fernet_key = Fernet.generate_key().decode()
    topo.api_port, topo.worker_log_port, topo.trigger_log_port = free_port(), free_port(), free_port()
    try:
        topo.start_postgres()
        topo.start_redis()
        topo.create_remote()
        topo.start_airflow(
            api_extra=api_extra(topo), worker_extra=worker_extra, bundle_extra=bundle_extra or {}
        )
    except BaseException:
        topo.stop()
        shutil.rmtree(topo.root, ignore_errors=True)
        raise
    return topo
