"""End to end on the production topology (tests/distributed/topology.py): a workflow created through
the canvas API is deployed to the Git remote, parsed by the DAG processor from its GitDagBundle
clone, and run by the Celery worker from its own clone of the same commit: a tool with a pip
dependency builds its virtualenv on the worker, the HTTP tool calls a loopback server, and an agent
node talks to the loopback OpenAI-compatible server and calls a tool. The run's status and the
nodes' outputs come back through the canvas API, which reads them from Postgres."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.distributed.conftest import LLM_KEY, Stage
from tests.distributed.topology import BRANCH, BUNDLE, Topology
from tests.integration.tools.specs import workflow

API = "/airflow-canvas/api"
WID = "dist_tools_agent"

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def deploy_to_git(topo: Topology, wid: str, environment: str = "prod") -> dict[str, Any]:
    """Deploy through the canvas API to the Git environment (service/git_target.py commits and pushes
    to the remote); returns the deployment."""
    body = {"environment": environment, "message": "first run on Celery"}
    with topo.client("Op") as op:
        r = op.post(f"{API}/workflows/{wid}/deploy", json=body)
        # The tools' code is new: the deploy answers with the code review and a confirmation token,
        # which the Op sends back (what the Deploy tab does after the review).
        assert r.status_code == 428, r.text
        r = op.post(f"{API}/workflows/{wid}/deploy", json={**body, "confirm_code": r.json()["confirm_code"]})
        assert r.status_code == 201, r.text
        return r.json()


def wait_for_dag(topo: Topology, dag_id: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    with topo.client("Admin") as admin:
        while time.monotonic() < deadline:
            r = admin.get(f"/api/v2/dags/{dag_id}")
            if r.status_code == 200:
                return r.json()
            dead = topo.dead()
            assert dead is None, dead
            time.sleep(1)
        errors = admin.get("/api/v2/importErrors").text
    raise TimeoutError(f"DAG {dag_id} not parsed in {timeout}s; import errors: {errors[:3000]}")


def wait_for_run(topo: Topology, wid: str, run_id: str, timeout: float = 420) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    status: dict[str, Any] = {}
    with topo.client("User") as user:
        while time.monotonic() < deadline:
            status = user.get(f"{API}/workflows/{wid}/runs/{run_id}").json()
            if status.get("state") in ("success", "failed"):
                return status
            dead = topo.dead()
            assert dead is None, dead
            time.sleep(2)
    raise TimeoutError(f"run {run_id} not finished in {timeout}s: {status}")


@pytest.fixture(scope="module")
def git_run(stage: Stage) -> dict[str, Any]:
    topo = stage.topo
    assert isinstance(topo, Topology)
    topo.check_isolation()
    with topo.client("Op") as op:  # inline tool code needs the Canvas Code permission (Op has it)
        r = op.post(f"{API}/workflows", json={"spec": workflow(WID), "message": "distributed"})
        assert r.status_code == 201, r.text
    # Lower roles cannot publish to the Git environment: refused before anything reaches the remote.
    before = topo.git("rev-parse", BRANCH, cwd=topo.remote).strip()
    for role in ("Viewer", "User", "NoCanvas"):
        with topo.client(role) as low:
            r = low.post(f"{API}/workflows/{WID}/deploy", json={"environment": "prod"})
            assert r.status_code == 403, (role, r.status_code, r.text)
    assert topo.git("rev-parse", BRANCH, cwd=topo.remote).strip() == before
    deployment = deploy_to_git(topo, WID)
    commit = topo.git("rev-parse", BRANCH, cwd=topo.remote).strip()
    dag = wait_for_dag(topo, WID)
    stage.llm.add_tool_call("to_fahrenheit", {"celsius": 21.5})
    stage.llm.add_json({"summary": "Mild, 70.7 F", "fahrenheit": 70.7})
    with topo.client("User") as user:
        r = user.post(f"{API}/workflows/{WID}/runs", json={})
        assert r.status_code == 201, r.text
        run_id = r.json()["run_id"]
    status = wait_for_run(topo, WID, run_id)
    return {
        "topo": topo,
        "commit": commit,
        "deployment": deployment,
        "dag": dag,
        "run_id": run_id,
        "status": status,
    }


def test_every_node_succeeds_on_the_celery_worker(git_run: dict[str, Any]) -> None:
    status = git_run["status"]
    assert status["state"] == "success", json.dumps(status, indent=1)
    assert set(status["nodes"]) == {"joke", "weather", "writer"}
    for node in status["nodes"].values():
        assert node["state"] == "success" and node["try_number"] == 1, node
    topo: Topology = git_run["topo"]
    worker_log = (topo.log_dir / "worker.log").read_text(errors="replace")
    # The Celery worker received and ran each task (the scheduler only queued them on Redis).
    for task in status["nodes"].values():
        assert task["task_id"] in worker_log, f"{task['task_id']} not run by the Celery worker"
    assert "execute_workload" in worker_log


def test_the_run_is_pinned_to_the_pushed_commit(git_run: dict[str, Any]) -> None:
    """The canvas pushed one commit with the DAG file and its tool files, and Airflow ran the DAG
    from the Git bundle at exactly that commit."""
    topo: Topology = git_run["topo"]
    commit = git_run["commit"]
    assert git_run["deployment"]["path"].endswith("@" + commit[:12]), git_run["deployment"]
    files = topo.git("show", "--name-only", "--format=", commit, cwd=topo.remote).split()
    assert f"{WID}.py" in files and any(f.startswith("_canvas_tools/") for f in files), files
    message = topo.git("log", "-1", "--format=%an%n%B", commit, cwd=topo.remote)
    assert "e2e_op" in message and "first run on Celery" in message, message  # who and why
    assert f"Workflow: {WID}" in message and "Version: 1" in message, message
    assert git_run["dag"]["bundle_name"] == BUNDLE
    with topo.client("Admin") as admin:
        run = admin.get(f"/api/v2/dags/{WID}/dagRuns/{git_run['run_id']}").json()
    assert run["bundle_version"] == git_run["commit"]
    # Each side cloned the remote into its own home; the api-server's disk has no bundle clone.
    for side in ("dag-processor", "worker"):
        clones = list((topo.root / side / "dag_bundles").rglob(f"{WID}.py"))
        assert clones, f"no clone of the bundle under the {side}'s home"
    # The worker ran the run's version: a checkout of exactly that commit in its own home.
    assert (
        topo.root / "worker" / "dag_bundles" / BUNDLE / "versions" / git_run["commit"] / f"{WID}.py"
    ).is_file()
    assert not (topo.root / "api-server" / "dag_bundles").exists()


def test_outputs_come_back_through_the_canvas_api(git_run: dict[str, Any], stage: Stage) -> None:
    topo: Topology = git_run["topo"]
    with topo.client("User") as user:
        out = {
            node: user.get(f"{API}/workflows/{WID}/runs/{git_run['run_id']}/nodes/{node}/output")
            for node in ("joke", "weather", "writer")
        }
    for node, r in out.items():
        assert r.status_code == 200, (node, r.text)
    joke = out["joke"].json()["value"]
    assert joke["library"] == "0.8.3" and joke["joke"]
    # The pip dependency came from a virtualenv built on the worker, under the worker's own home.
    assert Path(joke["source"]).is_relative_to(topo.root / "worker"), joke["source"]
    assert out["weather"].json()["value"]["json"] == {"celsius": 21.5}
    assert out["writer"].json()["value"] == {"summary": "Mild, 70.7 F", "fahrenheit": 70.7}
    # The agent's requests reached the loopback LLM from the worker, with the upstream data, and the
    # key stayed in the worker's connection.
    requests = stage.llm.chat_requests()
    assert len(requests) == 2
    assert requests[0].messages[1]["content"] == f"Temperature 21.5 C. Add this joke: {joke['joke']}"
    assert json.loads(requests[1].messages[-1]["content"]) == {"output": {"fahrenheit": 70.7}}
    for request in stage.llm.requests:
        assert LLM_KEY not in json.dumps(request.body)
