"""A real Airflow on loopback for end-to-end and browser tests: api-server (with the canvas plugin),
scheduler and dag-processor as separate processes, LocalExecutor, SQLite, a private AIRFLOW_HOME, a
free port, FAB users for each role, and helpers to get tokens and to log a browser in.

Use it from a test module or conftest::

    from tests.e2e.live_airflow import live_airflow  # noqa: F401  (the session fixture)

    def test_x(live_airflow):
        api = live_airflow.client("Admin")          # httpx.Client with a Bearer token
        api.get("/airflow-canvas/api/me")
        live_airflow.browser_login(page, "Viewer")  # Playwright page, via the /auth/login/ form

Every process is started by this module and stopped (by its own pid) when the session ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = Path(sys.executable).with_name("airflow")
PASSWORD = "canvas-e2e-pass"
# Role -> username. NoCanvas is a role with no canvas permissions at all (for 403 checks).
ROLE_USERS: dict[str, str] = {
    "Admin": "e2e_admin",
    "Op": "e2e_op",
    "User": "e2e_user",
    "Viewer": "e2e_viewer",
    "NoCanvas": "e2e_nocanvas",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def live_env(home: Path, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every live process shares (inherit PATH etc., replace Airflow's settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    base = f"http://127.0.0.1:{port}"
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__AUTH_MANAGER": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__API__BASE_URL": base,
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__SECRET_KEY": "canvas-e2e-secret-key",
            "AIRFLOW__API_AUTH__JWT_SECRET": "canvas-e2e-jwt-secret-not-for-production",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "3",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR": str(home / "dags"),
            # FAB limits logins to 5 per 40 s per client address; the browser tests log in as several
            # users many times from 127.0.0.1 against one live server (429 once there were 24 of them).
            # The limiter stays on, with room for the suite.
            "AIRFLOW__FAB__AUTH_RATE_LIMIT": "1000 per 40 second",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


@dataclass
class LiveAirflow:
    home: Path
    port: int
    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dags_folder(self) -> Path:
        return self.home / "dags"

    def username(self, role: str) -> str:
        return ROLE_USERS[role]

    def cli(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AIRFLOW), *args], env=self.env, capture_output=True, text=True, check=check, timeout=timeout
        )

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

    def client(self, role: str | None = None, timeout: float = 60) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(role)}"} if role else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def browser_login(self, page: Any, role: str) -> None:
        """Log a Playwright page in through FAB's login form; the cookie then carries the session."""
        page.goto(f"{self.base_url}/auth/login/")
        page.fill("input[name=username]", ROLE_USERS[role])
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(lambda url: "/auth/login" not in url, timeout=30_000)

    # ------------------------------------------------------------ lifecycle

    def _spawn(self, name: str, *args: str) -> None:
        out = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (kept open for the process's life)
        self.processes[name] = subprocess.Popen(
            [str(AIRFLOW), *args], env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self, timeout: float = 120) -> None:
        self._spawn(
            "api-server", "api-server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"
        )
        self._spawn("scheduler", "scheduler")
        self._spawn("dag-processor", "dag-processor")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited early ({proc.returncode}); see {self.log_dir / (name + '.log')}"
                    )
            try:
                if httpx.get(f"{self.base_url}/api/v2/monitor/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"api-server not healthy on port {self.port} after {timeout}s; see {self.log_dir}")

    def stop(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                # Each process leads its own session: the group holds its workers (uvicorn, executors).
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.processes.clear()

    def wait_for_dag(self, dag_id: str, role: str = "Admin", timeout: float = 120) -> dict[str, Any]:
        """Until the DAG processor has parsed ``dag_id`` (the core API knows it), without import errors."""
        deadline = time.monotonic() + timeout
        with self.client(role) as api:
            while time.monotonic() < deadline:
                r = api.get(f"/api/v2/dags/{dag_id}")
                if r.status_code == 200:
                    return r.json()
                time.sleep(1)
            errors = api.get("/api/v2/importErrors").text
        raise TimeoutError(f"DAG {dag_id} not parsed within {timeout}s; import errors: {errors[:2000]}")


def prepare(home: Path, port: int, log_dir: Path, extra_env: dict[str, str] | None = None) -> LiveAirflow:
    """Migrate a fresh DB and create one FAB user per role (NoCanvas: a role without canvas grants)."""
    (home / "dags").mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    live = LiveAirflow(home=home, port=port, env=live_env(home, port, extra_env), log_dir=log_dir)
    live.cli("db", "migrate")
    live.cli("roles", "create", "NoCanvas")
    for role, user in ROLE_USERS.items():
        live.cli(
            "users",
            "create",
            "-u",
            user,
            "-p",
            PASSWORD,
            "-r",
            role,
            "-f",
            user,
            "-l",
            "E2E",
            "-e",
            f"{user}@example.com",
        )
    return live


@pytest.fixture(scope="session")
def live_airflow() -> Iterator[LiveAirflow]:
    home = Path(tempfile.mkdtemp(prefix="canvas-live-"))
    log_dir = REPO / "tests" / "artifacts" / "live-airflow"
    if log_dir.exists():
        shutil.rmtree(log_dir, ignore_errors=True)
    live = prepare(home, free_port(), log_dir)
    try:
        live.start()
        yield live
    finally:
        live.stop()
        shutil.rmtree(home, ignore_errors=True)
