"""Benchmark the production topology of tests/distributed/topology.py (PostgreSQL, Git DAG bundle,
each Airflow component a separate process with its own home), in one run:

1. A 10-node workflow (input -> 8 JMESPath process nodes -> output, a chain) triggered through the
   canvas API until the canvas reports success, on the CeleryExecutor (Redis broker, one worker with
   concurrency 2) against the baseline of the LocalExecutor in the same topology otherwise (the
   scheduler runs the tasks; no worker, no broker in the path). The two topologies are started one
   after the other; each runs one warm-up run (the first parse and run of a version) and then
   ``--runs`` measured runs. Reported: the median wall time from the trigger to the success seen by
   the API, and Airflow's own run duration (the run's start to end date).
2. Deploy through the canvas API to the Git environment (compile, sandboxed import check, commit,
   push to a bare repository on this machine) against the baseline of deploying the same workflow to
   a folder on the api-server (compile, import check, atomic write), alternated, ``--runs`` each,
   every deploy a new version so that each one writes (and commits) a changed file.

    .venv/bin/python benchmarks/distributed.py [--runs 3] [--json out.json]

Needs Debian's postgresql and redis-server and the [distributed] extra (``make test-distributed``
installs them). Every process it starts is stopped at the end, also on failure.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.distributed.topology import BRANCH, Topology, start_topology  # noqa: E402

API = "/airflow-canvas/api"
WID = "bench_chain10"


def chain10(name: str = "", wid: str = WID) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [
        {
            "id": "start",
            "type": "input",
            "output_schema": {"type": "object", "properties": {"x": {"type": "integer", "default": 1}}},
        }
    ]
    nodes += [
        {"id": f"p{i}", "type": "process", "name": f"step {i} {name}".strip(),
         "process": {"language": "jmespath", "expression": "@"}}
        for i in range(1, 9)
    ]  # fmt: skip
    nodes.append({"id": "end", "type": "output"})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]
    return {"id": wid, "name": "Benchmark chain of 10", "nodes": nodes, "edges": edges}


def environments(topo: Topology) -> dict[str, str]:
    envs = {
        "dev": str(topo.root / "api-server" / "dags_dev"),
        "prod": {"git": {"url": str(topo.remote), "branch": BRANCH}},
    }
    return {"AIRFLOW__AIRFLOW_CANVAS__ENVIRONMENTS": json.dumps(envs)}


def deploy(topo: Topology, environment: str, wid: str = WID) -> float:
    """Seconds for the deploy request (a 428 code review is answered and not counted)."""
    with topo.client("Op") as op:
        body: dict[str, Any] = {"environment": environment, "message": "benchmark"}
        t0 = time.perf_counter()
        r = op.post(f"{API}/workflows/{wid}/deploy", json=body)
        took = time.perf_counter() - t0
        if r.status_code == 428:
            body["confirm_code"] = r.json()["confirm_code"]
            t0 = time.perf_counter()
            r = op.post(f"{API}/workflows/{wid}/deploy", json=body)
            took = time.perf_counter() - t0
        if r.status_code != 201:
            raise RuntimeError(f"deploy to {environment}: {r.status_code} {r.text[:2000]}")
    return took


def create(topo: Topology, wid: str) -> None:
    with topo.client("User") as user:
        r = user.post(f"{API}/workflows", json={"spec": chain10(wid=wid), "message": "benchmark"})
        if r.status_code != 201:
            raise RuntimeError(f"create: {r.status_code} {r.text[:2000]}")


def save_new_version(topo: Topology, wid: str, name: str) -> None:
    with topo.client("User") as user:
        head = user.get(f"{API}/workflows/{wid}").json()["version"]
        r = user.put(
            f"{API}/workflows/{wid}",
            json={"spec": chain10(name, wid), "base_version": head, "message": name, "branch": "main"},
        )
        if r.status_code != 200:
            raise RuntimeError(f"save: {r.status_code} {r.text[:2000]}")


def wait_for_dag(topo: Topology, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    with topo.client("Admin") as admin:
        while time.monotonic() < deadline:
            if admin.get(f"/api/v2/dags/{WID}").status_code == 200:
                return
            if dead := topo.dead():
                raise RuntimeError(dead)
            time.sleep(0.5)
    raise TimeoutError(f"{WID} not parsed in {timeout}s")


def one_run(topo: Topology, timeout: float = 600) -> dict[str, float]:
    with topo.client("User") as user, topo.client("Admin") as admin:
        t0 = time.perf_counter()
        r = user.post(f"{API}/workflows/{WID}/runs", json={})
        if r.status_code != 201:
            raise RuntimeError(f"trigger: {r.status_code} {r.text[:2000]}")
        run_id = r.json()["run_id"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = user.get(f"{API}/workflows/{WID}/runs/{run_id}").json()["state"]
            if state in ("success", "failed"):
                break
            time.sleep(0.25)
        wall = time.perf_counter() - t0
        if state != "success":
            raise RuntimeError(f"run {run_id} ended {state!r} (or timed out); logs in {topo.log_dir}")
        run = admin.get(f"/api/v2/dags/{WID}/dagRuns/{run_id}").json()
    airflow = (
        datetime.fromisoformat(run["end_date"]) - datetime.fromisoformat(run["start_date"])
    ).total_seconds()
    return {"wall_s": wall, "airflow_s": airflow}


def measure_executor(executor: str, runs: int, log_root: Path, with_deploys: bool) -> dict[str, Any]:
    topo = start_topology(
        api_extra=environments, worker_extra={}, log_dir=log_root / executor, executor=executor
    )
    try:
        create(topo, WID)
        deploy(topo, "prod")
        wait_for_dag(topo)
        one_run(topo)  # warm-up: first parse/serialization of this version, first task processes
        samples = [one_run(topo) for _ in range(runs)]
        out: dict[str, Any] = {
            "executor": executor,
            "runs": samples,
            "median_wall_s": statistics.median(s["wall_s"] for s in samples),
            "median_airflow_s": statistics.median(s["airflow_s"] for s in samples),
        }
        if with_deploys:
            # Two workflows of the same shape: one DAG id lives in one environment only (the canvas
            # refuses a DAG id another environment's file already defines).
            folder, git = [], []
            create(topo, "bench_deploy_folder")
            create(topo, "bench_deploy_git")
            for i in range(runs):  # alternated, each deploy a new version
                save_new_version(topo, "bench_deploy_folder", f"f{i}")
                folder.append(deploy(topo, "dev", "bench_deploy_folder"))
                save_new_version(topo, "bench_deploy_git", f"g{i}")
                git.append(deploy(topo, "prod", "bench_deploy_git"))
            out["deploy"] = {"folder_s": folder, "git_s": git}
        return out
    finally:
        topo.stop()
        shutil.rmtree(topo.root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    log_root = Path(tempfile.mkdtemp(prefix="canvas-bench-dist-logs-"))
    local = measure_executor("LocalExecutor", args.runs, log_root, with_deploys=False)
    celery = measure_executor("CeleryExecutor", args.runs, log_root, with_deploys=True)
    ratio = celery["median_wall_s"] / local["median_wall_s"]
    print("10-node chain, trigger -> success seen through the canvas API (Postgres, Git bundle);")
    print(f"baseline: the LocalExecutor in the same topology; median of {args.runs} runs after a warm-up\n")
    print(f"{'executor':<16} {'wall s':>8} {'Airflow run s':>14} {'ratio':>7}")
    for res in (local, celery):
        r = res["median_wall_s"] / local["median_wall_s"]
        print(
            f"{res['executor']:<16} {res['median_wall_s']:>8.1f} {res['median_airflow_s']:>14.1f} {r:>7.2f}"
        )
    print(f"\nCelery / Local run time: x{ratio:.2f} (one worker, concurrency 2, Redis broker)\n")
    dep = celery["deploy"]
    folder, git = statistics.median(dep["folder_s"]), statistics.median(dep["git_s"])
    print(f"deploy through the API, baseline: deploy to a folder; median of {args.runs} each, alternated\n")
    print(f"{'target':<16} {'median s':>9} {'ratio':>7}")
    print(f"{'folder':<16} {folder:>9.2f} {1.0:>7.2f}")
    print(f"{'git (push)':<16} {git:>9.2f} {git / folder:>7.2f}")
    print(f"\nGit adds {git - folder:+.2f} s per deploy (fetch, commit, push to a local bare repository)")
    if args.json:
        args.json.write_text(json.dumps({"local": local, "celery": celery}, indent=1))
    shutil.rmtree(log_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
