"""Test-wide Airflow environment: a private AIRFLOW_HOME with its own SQLite metadata DB and dags
folder, set before anything imports airflow. Fixtures here are shared by every test package."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"  # screenshots and logs the tests leave for people to look at

_HOME = Path(os.environ.get("CANVAS_TEST_AIRFLOW_HOME") or tempfile.mkdtemp(prefix="canvas-airflow-"))
_DAGS = _HOME / "dags"
_DAGS.mkdir(parents=True, exist_ok=True)
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(_DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME}/airflow.db",
        "AIRFLOW__API_AUTH__JWT_SECRET": "canvas-tests-jwt-secret-not-for-production",
        "AIRFLOW__API__SECRET_KEY": "canvas-tests-secret-key",
        "AIRFLOW__CORE__FERNET_KEY": "",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR": str(_DAGS),
    }
)


def airflow_cli(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real `airflow` command against the test AIRFLOW_HOME."""
    exe = Path(sys.executable).with_name("airflow")
    return subprocess.run(
        [str(exe), *args], env=os.environ.copy(), capture_output=True, text=True, check=check, timeout=timeout
    )


@pytest.fixture(scope="session")
def airflow_home() -> Path:
    return _HOME


@pytest.fixture(scope="session")
def dags_folder() -> Path:
    return _DAGS


@pytest.fixture(scope="session")
def airflow_db(airflow_home: Path) -> Path:
    """A migrated metadata DB (Airflow's tables, FAB's and ours), once per test session."""
    airflow_cli("db", "migrate")
    return airflow_home / "airflow.db"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
