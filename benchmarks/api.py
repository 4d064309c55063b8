"""Benchmark the canvas API in the real Airflow API server app (in-process, FastAPI TestClient).

Measures the median and p95 latency of save (PUT /workflows/{id}: parse + validate + store a new
version) and of validate (POST /validate) for 50/500/2000-node workflows, and the throughput of
20 concurrent clients each reading and saving its own workflow. Target: 500 nodes < 100 ms median.

    .venv/bin/python benchmarks/api.py [--quick] [--json out.json]

It runs against a private AIRFLOW_HOME (SQLite, FabAuthManager) created under /tmp and removed after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HOME = Path(tempfile.mkdtemp(prefix="canvas-bench-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(HOME / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
        "AIRFLOW__API_AUTH__JWT_SECRET": "canvas-bench-jwt-secret-not-for-production-use-only",
        "AIRFLOW__API__SECRET_KEY": "canvas-bench",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
        "AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR": str(HOME / "dags"),
    }
)
API = "/airflow-canvas/api"
AIRFLOW = Path(sys.executable).with_name("airflow")


def spec(workflow_id: str, n: int, label: str = "") -> dict[str, Any]:
    """A realistic wide-and-deep graph: an input, n-2 process nodes in 10 parallel chains, an output."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "input",
                                    "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}]
    edges: list[dict[str, Any]] = []
    lanes = 10
    for i in range(n - 2):
        node_id = f"p{i}"
        nodes.append({"id": node_id, "type": "process", "name": f"Step {i} {label}",
                      "process": {"language": "jmespath", "expression": "@"},
                      "ui": {"position": {"x": 200 * (i // lanes), "y": 80 * (i % lanes)}}})
        edges.append({"source": "start" if i < lanes else f"p{i - lanes}", "target": node_id})
    nodes.append({"id": "end", "type": "output"})
    last = range(max(0, n - 2 - lanes), n - 2)
    edges.extend({"source": f"p{i}", "target": "end", "kind": "dependency"} for i in last)
    return {"id": workflow_id, "name": f"bench {n}", "nodes": nodes, "edges": edges}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def setup() -> tuple[Any, dict[str, str]]:
    env = os.environ.copy()
    subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([str(AIRFLOW), "users", "create", "-u", "bench", "-p", "bench", "-r", "Admin", "-f", "b",
                    "-l", "b", "-e", "bench@example.com"], env=env, check=True, capture_output=True)
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    client = TestClient(create_app())
    token = client.post("/auth/token", json={"username": "bench", "password": "bench"}).json()["access_token"]
    return client, {"Authorization": f"Bearer {token}"}


def latency(client: Any, headers: dict[str, str], n: int, iterations: int) -> dict[str, Any]:
    wid = f"bench_{n}"
    r = client.post(f"{API}/workflows", json={"spec": spec(wid, n)}, headers=headers)
    assert r.status_code == 201, r.text
    base = r.json()["version"]
    saves, validates = [], []
    for i in range(iterations):
        body = spec(wid, n, label=str(i))
        t0 = time.perf_counter()
        r = client.put(f"{API}/workflows/{wid}", json={"spec": body, "base_version": base, "message": f"b{i}"},
                       headers=headers)
        saves.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text[:500]
        base = r.json()["version"]
        t0 = time.perf_counter()
        r = client.post(f"{API}/validate", json={"spec": body}, headers=headers)
        validates.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200 and r.json()["valid"], r.text[:500]
    return {
        "nodes": n,
        "iterations": iterations,
        "save_median_ms": round(statistics.median(saves), 1),
        "save_p95_ms": round(pct(saves, 0.95), 1),
        "validate_median_ms": round(statistics.median(validates), 1),
        "validate_p95_ms": round(pct(validates, 0.95), 1),
    }


def throughput(client: Any, headers: dict[str, str], clients: int, seconds: float, n: int = 50) -> dict[str, Any]:
    for c in range(clients):
        client.post(f"{API}/workflows", json={"spec": spec(f"tp_{c}", n)}, headers=headers)
    counts = [0] * clients
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def worker(c: int) -> None:
        wid = f"tp_{c}"
        i = 0
        while time.monotonic() < stop:
            head = client.get(f"{API}/workflows/{wid}", headers=headers).json()["version"]
            r = client.put(f"{API}/workflows/{wid}", json={"spec": spec(wid, n, str(i)), "base_version": head},
                           headers=headers)
            counts[c] += 2
            errors[c] += r.status_code != 200
            i += 1

    threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    return {"clients": clients, "nodes": n, "seconds": round(elapsed, 1), "requests": sum(counts),
            "requests_per_second": round(sum(counts) / elapsed, 1), "failed_saves": sum(errors)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations (CI smoke)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    try:
        client, headers = setup()
        plan = {50: 30, 500: 20, 2000: 8} if not args.quick else {50: 5, 500: 5, 2000: 2}
        results: dict[str, Any] = {"latency": [latency(client, headers, n, it) for n, it in plan.items()]}
        results["throughput"] = throughput(client, headers, 20, 5 if args.quick else 15)
        five_hundred = next(x for x in results["latency"] if x["nodes"] == 500)
        results["target_500_nodes_median_under_100ms"] = five_hundred["save_median_ms"] < 100
        print(json.dumps(results, indent=2))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        return 0
    finally:
        shutil.rmtree(HOME, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
