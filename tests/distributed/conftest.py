"""The distributed stage's one topology per session (see topology.py), with the loopback LLM and HTTP
servers the workflow's nodes call. These tests run only from ``make test-distributed``
(CANVAS_DISTRIBUTED=1): ``make test`` skips collecting them, since they need Postgres and Redis."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from tests.conftest import ARTIFACTS
from tests.fakes import ScriptedOpenAIServer
from tests.fakes.http_server import LoopbackHTTPServer

if TYPE_CHECKING:
    from tests.distributed.topology import Topology

if os.environ.get("CANVAS_DISTRIBUTED") != "1":
    collect_ignore_glob = ["test_*.py"]

LLM_KEY = "sk-canvas-distributed-secret-42"


@dataclass
class Stage:
    topo: Topology
    llm: ScriptedOpenAIServer
    weather: LoopbackHTTPServer


@pytest.fixture(scope="session")
def stage() -> Iterator[Stage]:
    from tests.distributed.topology import start_topology

    log_dir = ARTIFACTS / "distributed"
    shutil.rmtree(log_dir, ignore_errors=True)
    with ScriptedOpenAIServer() as llm, LoopbackHTTPServer({"/weather": (200, {"celsius": 21.5})}) as weather:
        # The node's connections live on the worker only, as AIRFLOW_CONN_* (a secrets backend's job
        # in production): the api-server, the DAG processor and the Git repository never hold them.
        worker_conns = {
            "AIRFLOW_CONN_CANVAS_WEATHER": json.dumps({"conn_type": "http", "host": weather.url}),
            # The spec names "canvas_llm"; the prod environment binds it to "canvas_llm_prod".
            "AIRFLOW_CONN_CANVAS_LLM_PROD": json.dumps(
                {"conn_type": "generic", "host": llm.url + "/v1", "password": LLM_KEY,
                 "extra": {"model": "gpt-4o-mini"}}
            ),
        }  # fmt: skip
        topo = start_topology(api_extra=api_settings, worker_extra=worker_conns, log_dir=log_dir)
        try:
            RAN_WITH.append(topo.describe())
            yield Stage(topo, llm, weather)
        finally:
            topo.stop()
            shutil.rmtree(topo.root, ignore_errors=True)


def api_settings(topo: object) -> dict[str, str]:
    """The api-server's canvas environments: ``prod`` is the Git remote (the canvas commits and pushes
    there; the DAG processor and the worker read it), binding the spec's logical LLM connection to
    prod's; ``dev`` is a folder on the api-server's own disk that no other component sees (the
    benchmark's deploy-to-folder baseline)."""
    from tests.distributed.topology import BRANCH, Topology

    assert isinstance(topo, Topology)
    envs = {
        "dev": str(topo.root / "api-server" / "dags_dev"),
        "prod": {
            "git": {"url": str(topo.remote), "branch": BRANCH},
            "connections": {"canvas_llm": "canvas_llm_prod"},
        },
    }
    return {"AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS": json.dumps(envs)}


RAN_WITH: list[str] = []  # what the session's topology really ran, read from the running servers


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in RAN_WITH:
        terminalreporter.write_line(f"distributed stage ran with: {line}")
