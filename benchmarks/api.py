"""Benchmark the canvas API in the real Airflow API server app (in-process, FastAPI TestClient).

Measures the median and p95 latency of save (PUT /workflows/{id}: parse + validate + store a new
version + audit) and of validate (POST /validate) for 50/500/2000-node workflows, and the throughput
of 20 concurrent clients each reading and saving its own workflow. Targets: 500 nodes < 100 ms median
and <= 100 ms p95; 2000 nodes save p95 <= the baseline's p95. Each save and each validate carries a
body not seen before (validation memoises by content, so a repeated body would not be validated).
Also counts the server's validations per applied co-pilot change (chat, apply, the editor's
/validate, save; target 1).

Baseline, measured in the same run, in the same app, with the same user, token and database:
Airflow's own REST API storing the same document, ``PATCH /api/v2/variables/{key}`` whose JSON value
is the very workflow spec being saved. Why this one: it is the cheapest request Airflow itself
offers that does what a save must do at the least - carry a JSON document of that size through the
API server (routing, JWT auth, permission check, pydantic body parsing), write it to the metadata DB
in a transaction and answer. What a canvas save costs above it is the canvas's own work (spec
parsing, validation, versioning); a read such as ``GET /api/v2/dags/{id}`` would neither carry the
document nor write anything. Airflow's request has extras of its own: its audit log stores a
secrets-masked copy of the body and its reply returns the value redacted, both walking the whole
document, so it may cost more than a canvas save; a ratio below 1 then reads "the canvas parses,
validates and versions a workflow for less than Airflow charges to store the same JSON". Validate
is shown against the same baseline (same document in, nothing stored). Each iteration times save,
validate and the baseline back to back, so machine load hits all three alike. The throughput test
runs the same 20 clients twice: canvas GET+PUT of a workflow, then Airflow GET+PATCH of a Variable
holding the same spec.

The app is started as uvicorn starts it (its lifespan runs, so the canvas app freezes the startup
heap out of garbage collections: plugin/app.py freeze_startup_heap); each size's row also shows
the full (generation 2) collections that ran during its iterations and the longest of them.

    .venv/bin/python benchmarks/api.py [--quick] [--json out.json]

It runs against a private AIRFLOW_HOME (SQLite, FabAuthManager) created under /tmp and removed after.
"""

from __future__ import annotations

import argparse
import gc
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
        "AIRFLOW__AIRFLOW_CANVAS__COPILOT_CONN_ID": "no_such_llm_conn",  # the offline co-pilot engine
    }
)
API = "/airflow-canvas/api"
AIRFLOW = Path(sys.executable).with_name("airflow")


def spec(workflow_id: str, n: int, label: str = "") -> dict[str, Any]:
    """A realistic wide-and-deep graph: an input, n-2 process nodes in 10 parallel chains, an output."""
    nodes: list[dict[str, Any]] = [
        {
            "id": "start",
            "type": "input",
            "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
        }
    ]
    edges: list[dict[str, Any]] = []
    lanes = 10
    for i in range(n - 2):
        node_id = f"p{i}"
        nodes.append(
            {
                "id": node_id,
                "type": "process",
                "name": f"Step {i} {label}",
                "process": {"language": "jmespath", "expression": "@"},
                "ui": {"position": {"x": 200 * (i // lanes), "y": 80 * (i % lanes)}},
            }
        )
        edges.append({"source": "start" if i < lanes else f"p{i - lanes}", "target": node_id})
    nodes.append({"id": "end", "type": "output"})
    last = range(max(0, n - 2 - lanes), n - 2)
    edges.extend({"source": f"p{i}", "target": "end", "kind": "dependency"} for i in last)
    return {"id": workflow_id, "name": f"bench {n}", "nodes": nodes, "edges": edges}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def setup() -> tuple[Any, dict[str, str]]:
    """The API server app in a TestClient entered as a context, so its lifespan runs as under
    uvicorn (the canvas app freezes the startup heap there: plugin/app.py freeze_startup_heap)."""
    env = os.environ.copy()
    subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            str(AIRFLOW),
            "users",
            "create",
            "-u",
            "bench",
            "-p",
            "bench",
            "-r",
            "Admin",
            "-f",
            "b",
            "-l",
            "b",
            "-e",
            "bench@example.com",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    client = TestClient(create_app())
    client.__enter__()  # runs the lifespan; main() exits it
    token = client.post("/auth/token", json={"username": "bench", "password": "bench"}).json()["access_token"]
    return client, {"Authorization": f"Bearer {token}"}


VARIABLES = "/api/v2/variables"


class FullCollections:
    """Python's full (generation 2) garbage collections while it is active: how many, and the
    longest pause, from gc.callbacks. They are what decides a p95 when they walk a large heap."""

    def __init__(self) -> None:
        self.count = 0
        self.longest_ms = 0.0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.longest_ms = max(self.longest_ms, (time.perf_counter() - self._started) * 1000)

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def latency(client: Any, headers: dict[str, str], n: int, iterations: int) -> dict[str, Any]:
    wid = f"bench_{n}"
    r = client.post(f"{API}/workflows", json={"spec": spec(wid, n)}, headers=headers)
    assert r.status_code == 201, r.text
    base = r.json()["version"]
    r = client.post(VARIABLES, json={"key": wid, "value": spec(wid, n)}, headers=headers)
    assert r.status_code == 201, r.text[:500]
    saves, validates, baseline, save_cpu = [], [], [], []
    with FullCollections() as full:
        for i in range(iterations):
            body = spec(wid, n, label=str(i))
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.put(
                f"{API}/workflows/{wid}",
                json={"spec": body, "base_version": base, "message": f"b{i}"},
                headers=headers,
            )
            saves.append((time.perf_counter() - t0) * 1000)
            save_cpu.append((time.process_time() - c0) * 1000)
            assert r.status_code == 200, r.text[:500]
            base = r.json()["version"]
            # Another body than the save's: the save validated that one, and validation memoises by content.
            t0 = time.perf_counter()
            r = client.post(f"{API}/validate", json={"spec": spec(wid, n, label=f"v{i}")}, headers=headers)
            validates.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200 and r.json()["valid"], r.text[:500]
            t0 = time.perf_counter()
            r = client.patch(f"{VARIABLES}/{wid}", json={"key": wid, "value": body}, headers=headers)
            baseline.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text[:500]
    save_median, validate_median = statistics.median(saves), statistics.median(validates)
    baseline_median = statistics.median(baseline)
    return {
        "nodes": n,
        "body_kb": round(len(json.dumps(spec(wid, n, label="0"))) / 1024, 1),
        "iterations": iterations,
        "save_median_ms": round(save_median, 1),
        "save_p95_ms": round(pct(saves, 0.95), 1),
        "validate_median_ms": round(validate_median, 1),
        "validate_p95_ms": round(pct(validates, 0.95), 1),
        "baseline_variable_patch_median_ms": round(baseline_median, 1),
        "baseline_variable_patch_p95_ms": round(pct(baseline, 0.95), 1),
        "save_vs_baseline": round(save_median / baseline_median, 2),
        "save_p95_vs_baseline_p95": round(pct(saves, 0.95) / pct(baseline, 0.95), 2),
        "validate_vs_baseline": round(validate_median / baseline_median, 2),
        # CPU time of this process (server and client share it) per save: what a save costs
        # whatever else runs on the machine (wall-clock figures grow with the machine's load).
        "save_cpu_median_ms": round(statistics.median(save_cpu), 1),
        "save_cpu_p95_ms": round(pct(save_cpu, 0.95), 1),
        "full_collections": full.count,
        "longest_full_collection_ms": round(full.longest_ms, 1),
    }


def throughput(
    client: Any, headers: dict[str, str], clients: int, seconds: float, n: int = 50, *, baseline: bool = False
) -> dict[str, Any]:
    """``clients`` threads, each reading and saving its own workflow for ``seconds``; with
    ``baseline``, each reading and patching its own Airflow Variable holding the same spec instead."""
    for c in range(clients):
        if baseline:
            client.post(VARIABLES, json={"key": f"tp_{c}", "value": spec(f"tp_{c}", n)}, headers=headers)
        else:
            client.post(f"{API}/workflows", json={"spec": spec(f"tp_{c}", n)}, headers=headers)
    counts = [0] * clients
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def worker(c: int) -> None:
        wid = f"tp_{c}"
        i = 0
        while time.monotonic() < stop:
            if baseline:
                client.get(f"{VARIABLES}/{wid}", headers=headers).raise_for_status()
                r = client.patch(
                    f"{VARIABLES}/{wid}", json={"key": wid, "value": spec(wid, n, str(i))}, headers=headers
                )
            else:
                head = client.get(f"{API}/workflows/{wid}", headers=headers).json()["version"]
                r = client.put(
                    f"{API}/workflows/{wid}",
                    json={"spec": spec(wid, n, str(i)), "base_version": head},
                    headers=headers,
                )
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
    return {
        "clients": clients,
        "nodes": n,
        "seconds": round(elapsed, 1),
        "requests": sum(counts),
        "requests_per_second": round(sum(counts) / elapsed, 1),
        "failed_writes": sum(errors),
    }


def validations_per_change(
    client: Any, headers: dict[str, str], changes: int = 5, n: int = 50
) -> dict[str, Any]:
    """Server-side validations per applied co-pilot change, as the editor makes one: chat (offline
    engine, JSON reply), POST /copilot/apply, the editor's POST /validate of the new spec, the save.
    Counted where every real validation ends (validation.engine.run_checks). Target: 1."""
    from unittest import mock

    from airflow_canvas.validation import engine

    wid = "bench_copilot"
    r = client.post(f"{API}/workflows", json={"spec": spec(wid, n)}, headers=headers)
    assert r.status_code == 201, r.text[:500]
    loaded = client.get(f"{API}/workflows/{wid}", headers=headers).json()  # the editor opens it
    current, version = loaded["spec"], loaded["version"]
    assert client.post(f"{API}/validate", json={"spec": current}, headers=headers).json()["valid"]
    calls = [0]
    lock = threading.Lock()
    real = engine.run_checks

    def counting(*args: Any, **kwargs: Any) -> Any:
        with lock:
            calls[0] += 1
        return real(*args, **kwargs)

    with mock.patch.object(engine, "run_checks", counting):
        for i in range(changes):
            chat = {"message": f"add process node extra{i} after p{i}", "workflow_id": wid, "stream": False}
            r = client.post(
                f"{API}/copilot/chat", json=chat | {"context": {"workflow": current}}, headers=headers
            )
            assert r.status_code == 200 and r.json()["reply"]["proposal"], r.text[:500]
            ops = r.json()["reply"]["proposal"]["ops"]
            r = client.post(f"{API}/copilot/apply", json={"spec": current, "ops": ops}, headers=headers)
            assert r.status_code == 200, r.text[:500]
            current = r.json()["spec"]
            r = client.post(f"{API}/validate", json={"spec": current}, headers=headers)
            assert r.status_code == 200 and r.json()["valid"], r.text[:500]
            r = client.put(
                f"{API}/workflows/{wid}", json={"spec": current, "base_version": version}, headers=headers
            )
            assert r.status_code == 200, r.text[:500]
            version = r.json()["version"]
    return {"changes": changes, "nodes": n, "validations": calls[0], "per_change": calls[0] / changes}


def report(results: dict[str, Any]) -> None:
    print(
        "Canvas API vs baseline = Airflow's PATCH /api/v2/variables/{key} storing the same spec as its "
        "JSON value"
    )
    print("(same app, user, token and SQLite DB; the three requests timed back to back in each iteration)\n")
    print(
        f"{'nodes':>5}  {'body':>7}  {'canvas save':>17}  {'canvas validate':>17}  "
        f"{'baseline (Variable)':>19}  {'save/base':>9}  {'validate/base':>13}"
    )
    print(
        f"{'':>5}  {'':>7}  {'median / p95 ms':>17}  {'median / p95 ms':>17}  {'median / p95 ms':>19}"
        f"  {'':>9}  {'':>13}  full GCs (longest)"
    )
    for x in results["latency"]:
        print(
            f"{x['nodes']:>5}  {x['body_kb']:>5} KB  "
            f"{x['save_median_ms']:>7} / {x['save_p95_ms']:>7}  "
            f"{x['validate_median_ms']:>7} / {x['validate_p95_ms']:>7}  "
            f"{x['baseline_variable_patch_median_ms']:>9} / {x['baseline_variable_patch_p95_ms']:>7}  "
            f"{x['save_vs_baseline']:>8.2f}x  {x['validate_vs_baseline']:>12.2f}x"
            f"  {x['full_collections']} ({x['longest_full_collection_ms']} ms)"
        )
    print(
        f"\nObjects frozen at startup (gc.freeze, left out of every collection): {results['gc_frozen_objects']}; "
        f"objects the collector tracks after the runs: {results['gc_tracked_objects']}"
    )
    ours, base = results["throughput"], results["throughput_baseline"]
    print(
        f"\n{ours['clients']} concurrent clients, {ours['nodes']} nodes: canvas GET+PUT workflow "
        f"{ours['requests_per_second']} req/s ({ours['failed_writes']} failed saves); baseline GET+PATCH "
        f"Variable {base['requests_per_second']} req/s ({base['failed_writes']} failed); canvas/baseline "
        f"{ours['requests_per_second'] / base['requests_per_second']:.2f}x"
    )
    per = results["validations_per_change"]
    print(
        f"\nValidations per applied co-pilot change (chat, apply, /validate, save; {per['changes']} changes, "
        f"{per['nodes']} nodes): {per['per_change']:.2f} (target 1): {'OK' if per['per_change'] <= 1 else 'MISSED'}"
    )
    by_nodes = {x["nodes"]: x for x in results["latency"]}
    p95 = by_nodes[500]["save_p95_ms"]
    print(f"500 nodes save p95 {p95} ms (target <= 100 ms): {'OK' if p95 <= 100 else 'MISSED'}")
    print(
        "  save CPU time median / p95 (load-independent), "
        + ", ".join(
            f"{x['nodes']} nodes {x['save_cpu_median_ms']} / {x['save_cpu_p95_ms']} ms"
            for x in results["latency"]
        )
    )
    big = by_nodes[2000]
    print(
        f"2000 nodes save p95 {big['save_p95_ms']} ms vs Variable PATCH p95 "
        f"{big['baseline_variable_patch_p95_ms']} ms = {big['save_p95_vs_baseline_p95']:.2f}x (target <= 1.00x): "
        f"{'OK' if big['save_p95_vs_baseline_p95'] <= 1 else 'MISSED'}"
    )
    five_hundred = by_nodes[500]
    print(
        f"500 nodes save median {five_hundred['save_median_ms']} ms (target < 100 ms): "
        f"{'OK' if results['target_500_nodes_median_under_100ms'] else 'MISSED'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations (CI smoke)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    try:
        client, headers = setup()
        plan = {50: 30, 500: 20, 2000: 8} if not args.quick else {50: 5, 500: 5, 2000: 2}
        results: dict[str, Any] = {"latency": [latency(client, headers, n, it) for n, it in plan.items()]}
        results["gc_frozen_objects"] = gc.get_freeze_count()
        results["gc_tracked_objects"] = len(gc.get_objects())
        results["validations_per_change"] = validations_per_change(client, headers)
        seconds = 5 if args.quick else 15
        results["throughput"] = throughput(client, headers, 20, seconds)
        results["throughput_baseline"] = throughput(client, headers, 20, seconds, baseline=True)
        five_hundred = next(x for x in results["latency"] if x["nodes"] == 500)
        results["target_500_nodes_median_under_100ms"] = five_hundred["save_median_ms"] < 100
        report(results)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        client.__exit__(None, None, None)
        return 0
    finally:
        shutil.rmtree(HOME, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
