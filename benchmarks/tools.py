"""Benchmark the tool runtime.

1. Per-task overhead of ToolOperator against a PythonOperator calling the same function, measured
   in the same DAG run (``airflow dags test``; tasks alternate tool/python/reference in one chain,
   rotated each round so no kind always follows the same one, and all see the same machine
   state). Reported: median task duration of each kind and their ratio (target: ToolOperator
   within 1.05x of PythonOperator), plus the in-process cost of execute()
   alone, which isolates what the canvas layer adds (input/output schema checks, bundle lookup).
   Each Execution API request a task makes costs several ms here, so the report also counts the
   XCom writes per task of each kind: a ToolOperator task writes only its return value, like the
   PythonOperator (its one tool call is counted from the task instance, policies/history.py, and
   a node's inputs in a run are derived on the server from the upstream outputs,
   service/run_inputs.py; neither is stored). For reference the chain also has a PythonOperator
   that writes one extra XCom, showing what one more write would cost.
2. The node test round trip (POST /nodes/test's work, tools/node_test.test_node): a tool node run
   with an input generated from its schema in the bubblewrap sandbox, against the baseline of a
   plain ``python -c`` subprocess calling the same function (no sandbox, no schema checks).
3. The venv cache: time to build a venv for a requirement set (cold, pip from PyPI) and to get it
   again (hit), and a sandboxed run of a tool using it.

    .venv/bin/python benchmarks/tools.py [--tasks 6] [--no-venv] [--json out.json]

Runs against a private AIRFLOW_HOME (SQLite) created under /tmp and removed afterwards.
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
import time
from pathlib import Path
from typing import Any

HOME = Path(tempfile.mkdtemp(prefix="canvas-bench-tools-"))
DAGS = HOME / "dags"
os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
        "AIRFLOW__AIRFLOW_CANVAS__VENV_CACHE_DIR": str(HOME / "venvs"),
    }
)
AIRFLOW = Path(sys.executable).with_name("airflow")
DAG_ID = "bench_tool_overhead"

# The function both operators call: a small but real piece of work.
CODE = (
    "def run(text, times=50):\n"
    "    words = (text + ' ') * times\n"
    "    counts = {}\n"
    "    for word in words.split():\n"
    "        counts[word] = counts.get(word, 0) + 1\n"
    "    return {'distinct': len(counts), 'total': sum(counts.values())}\n"
)
TOOL = {
    "name": "bench_count",
    "version": "1.0.0",
    "code": CODE,
    "input_schema": {
        "type": "object",
        "properties": {"text": {"type": "string"}, "times": {"type": "integer"}},
        "required": ["text"],
    },  # fmt: skip
    "output_schema": {
        "type": "object",
        "properties": {"distinct": {"type": "integer"}, "total": {"type": "integer"}},
        "required": ["distinct", "total"],
    },  # fmt: skip
    "tests": [{"input": {"text": "a b", "times": 2}, "expected": {"distinct": 2, "total": 4}}],
}

DAG_TEMPLATE = """
from datetime import datetime, timezone

from airflow.sdk import DAG, chain
from airflow.providers.standard.operators.python import PythonOperator
from airflow_canvas.operators import ToolOperator

CODE = {code!r}
namespace = {{}}
exec(CODE, namespace)
count_words = namespace["run"]


class PythonPlusXComOperator(PythonOperator):
    # Reference: the baseline plus one extra XCom write, as a ToolOperator task used to make (the
    # canvas_metrics summary of its one tool call, later the canvas_inputs record of its inputs).
    def execute(self, context):
        output = super().execute(context)
        context["ti"].xcom_push(key="canvas_metrics", value={metrics!r})
        return output


with DAG(dag_id={dag_id!r}, schedule=None, start_date=datetime(2024, 1, 1, tzinfo=timezone.utc), catchup=False):
    tasks = []
    for i in range({n}):
        one_of_each = [
            ToolOperator(task_id=f"tool_{{i}}", tool="bench_count@1.0.0", tool_digest={digest!r},
                         parameters={{"text": "the quick brown fox", "times": 50}}),
            PythonOperator(task_id=f"python_{{i}}", python_callable=count_words,
                           op_kwargs={{"text": "the quick brown fox", "times": 50}}),
            PythonPlusXComOperator(task_id=f"pyxcom_{{i}}", python_callable=count_words,
                                   op_kwargs={{"text": "the quick brown fox", "times": 50}}),
        ]
        # Rotated each round: every kind takes every place, so none always follows the same kind
        # (the tool task used to run right after the two-write reference task).
        k = i % len(one_of_each)
        tasks += one_of_each[k:] + one_of_each[:k]
    chain(*tasks)
"""
# What a ToolOperator task used to store under canvas_metrics for this tool (same keys, sizes).
METRICS = {"duration_seconds": 0.0002, "payload_bytes_in": 38, "payload_bytes_out": 30,
           "tool_calls": 1, "tokens": {}, "cost": 0.0}  # fmt: skip
KINDS = ("tool", "python", "pyxcom")
TARGET_RATIO = 1.05


def _durations() -> tuple[dict[str, list[float]], dict[str, int]]:
    """Task durations (seconds) and XComs written, per kind of task."""
    from airflow import settings
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from sqlalchemy import select

    with settings.Session() as session:
        rows = session.execute(
            select(
                TaskInstance.task_id, TaskInstance.start_date, TaskInstance.end_date, TaskInstance.state
            ).where(TaskInstance.dag_id == DAG_ID)
        ).all()
        xcom_tasks = session.scalars(select(XComModel.task_id).where(XComModel.dag_id == DAG_ID)).all()
    out: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for row in rows:
        if str(row.state) != "success":
            raise SystemExit(f"task {row.task_id} ended {row.state}")
        kind = row.task_id.split("_")[0]
        out[kind].append((row.end_date - row.start_date).total_seconds())
    xcoms = {kind: 0 for kind in KINDS}
    for task_id in xcom_tasks:
        xcoms[task_id.split("_")[0]] += 1
    return out, xcoms


def dag_run_overhead(n: int) -> dict[str, Any]:
    from airflow_canvas.spec.models import Tool
    from airflow_canvas.tools.bundle import tool_digest, write_tool_files

    DAGS.mkdir(parents=True, exist_ok=True)
    tool = Tool.model_validate(TOOL)
    write_tool_files(DAGS, [tool])
    source = DAG_TEMPLATE.format(code=CODE, dag_id=DAG_ID, n=n, metrics=METRICS, digest=tool_digest(tool))
    (DAGS / f"{DAG_ID}.py").write_text(source)
    subprocess.run([str(AIRFLOW), "db", "migrate"], check=True, capture_output=True)
    started = time.monotonic()
    proc = subprocess.run([str(AIRFLOW), "dags", "test", DAG_ID], capture_output=True, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stdout[-3000:] + proc.stderr[-3000:])
    d, xcoms = _durations()
    tool, python, pyxcom = (statistics.median(d[kind]) for kind in KINDS)
    return {
        "tasks_per_kind": n,
        "run_wall_seconds": round(wall, 2),
        "tool_median_seconds": round(tool, 4),
        "python_median_seconds": round(python, 4),
        "python_plus_xcom_median_seconds": round(pyxcom, 4),
        "xcoms_per_task": {kind: xcoms[kind] / n for kind in KINDS},
        "ratio": round(tool / python, 3),
        "python_plus_xcom_ratio": round(pyxcom / python, 3),
        "target_ratio": TARGET_RATIO,
        "within_target": tool / python <= TARGET_RATIO,
    }


def execute_overhead(repeat: int = 200) -> dict[str, Any]:
    """execute() alone, in-process, with a minimal context (no task runner around it)."""
    from airflow.providers.standard.operators.python import PythonOperator

    from airflow_canvas.operators import ToolOperator
    from airflow_canvas.spec.models import Tool
    from airflow_canvas.tools import registry

    registry.register_source(lambda: [Tool.model_validate(TOOL)])
    namespace: dict[str, Any] = {}
    exec(CODE, namespace)
    kwargs = {"text": "the quick brown fox", "times": 50}
    tool_op = ToolOperator(task_id="t", tool="bench_count@1.0.0", parameters=kwargs)
    py_op = PythonOperator(task_id="p", python_callable=namespace["run"], op_kwargs=kwargs)

    class _TI:  # XCom writes are left out here: the DAG run measures them
        def xcom_push(self, *args: Any, **kwargs: Any) -> None:
            pass

    context: dict[str, Any] = {"ti": _TI(), "params": {}}

    def timed(op: Any) -> float:
        op.execute(context)  # warm-up: imports, tool load
        started = time.perf_counter()
        for _ in range(repeat):
            op.execute(context)
        return (time.perf_counter() - started) / repeat

    tool_s, py_s = timed(tool_op), timed(py_op)
    return {"tool_execute_ms": round(tool_s * 1000, 3), "python_execute_ms": round(py_s * 1000, 3),
            "added_ms": round((tool_s - py_s) * 1000, 3)}  # fmt: skip


def node_test_round_trip(repeat: int = 5) -> dict[str, Any]:
    """A node test as POST /nodes/test runs it (generated input, sandboxed, schema checks), against
    a plain subprocess of the same interpreter calling the same function on the same input."""
    from airflow_canvas.spec.models import Workflow
    from airflow_canvas.tools.node_test import test_node

    wf = Workflow.model_validate(
        {"id": "bench_node_test", "tools": [TOOL],
         "nodes": [{"id": "count", "type": "tool", "tool": "bench_count@1.0.0"}]}
    )  # fmt: skip
    first = test_node(wf, "count", None)
    if not first["ok"]:
        raise SystemExit(f"node test failed: {first['error']}")
    sample = test_node(wf, "count", None, debug=True)["debug"]["resolved_inputs"]
    script = CODE + f"\nimport json\nprint(json.dumps(run(**{sample!r})))\n"

    def timed(fn: Any) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    sandboxed = timed(lambda: test_node(wf, "count", None)["ok"] or sys.exit("node test failed"))
    plain = timed(
        lambda: subprocess.run([sys.executable, "-I", "-c", script], check=True, capture_output=True)
    )
    return {"generated_input": sample, "node_test_median_ms": round(sandboxed * 1000, 1),
            "plain_subprocess_median_ms": round(plain * 1000, 1), "ratio": round(sandboxed / plain, 2)}  # fmt: skip


def venv_cache() -> dict[str, Any]:
    from airflow_canvas.spec.models import Tool
    from airflow_canvas.tools.runner import run_in_sandbox
    from airflow_canvas.tools.venvs import ensure_venv

    reqs = ["pyjokes==0.8.3"]
    cold = ensure_venv(reqs)
    hits = [ensure_venv(reqs).seconds for _ in range(20)]
    tool = Tool(name="joke", version="1.0.0", dependencies=reqs,
                code="import pyjokes\n\ndef run():\n    return {'joke': pyjokes.get_joke()}\n")  # fmt: skip
    started = time.monotonic()
    run_in_sandbox(tool).raise_for_error()
    sandbox = time.monotonic() - started
    return {
        "build_seconds": round(cold.seconds, 2) if cold.created else None,
        "hit_median_ms": round(statistics.median(hits) * 1000, 3),
        "sandboxed_run_with_cached_venv_seconds": round(sandbox, 3),
    }


def report(results: dict[str, Any]) -> None:
    run, ex = results["dag_run"], results["execute"]
    xcoms = run["xcoms_per_task"]
    print("ToolOperator vs baseline = PythonOperator calling the same function, alternating in one chain")
    print(f"of the same `airflow dags test` run ({run['tasks_per_kind']} tasks of each kind)\n")
    print(f"{'measure':<44} {'ToolOperator':>13} {'PythonOperator':>15} {'ratio':>7}")
    print(
        f"{'median task duration (s), same DAG run':<44} {run['tool_median_seconds']:>13.4f} "
        f"{run['python_median_seconds']:>15.4f} {run['ratio']:>6.2f}x"
    )
    print(f"{'XCom writes per task':<44} {xcoms['tool']:>13g} {xcoms['python']:>15g}")
    print(
        f"{'execute() alone, in-process, no XCom (ms)':<44} {ex['tool_execute_ms']:>13.3f} "
        f"{ex['python_execute_ms']:>15.3f} {ex['tool_execute_ms'] / ex['python_execute_ms']:>6.2f}x"
    )
    print(
        f"\nToolOperator adds {ex['added_ms']} ms of work per execute() (schema checks, bundle lookup)."
        f"\nReference: a PythonOperator making one extra XCom write ({xcoms['pyxcom']:g} per task, like the"
        f" canvas_metrics summary or canvas_inputs record ToolOperator no longer stores) took"
        f" {run['python_plus_xcom_median_seconds']:.4f} s, {run['python_plus_xcom_ratio']:.2f}x the"
        " PythonOperator."
    )
    verdict = "OK" if run["within_target"] else "MISSED"
    print(f"task duration ratio {run['ratio']:.2f} (target <= {run['target_ratio']}): {verdict}")
    nt = results["node_test"]
    print(
        f"node test round trip (generated input {json.dumps(nt['generated_input'])}, sandboxed, checked): "
        f"{nt['node_test_median_ms']} ms; baseline plain `python -I -c` subprocess of the same function: "
        f"{nt['plain_subprocess_median_ms']} ms ({nt['ratio']:.2f}x)"
    )
    if "venv_cache" in results:
        v = results["venv_cache"]
        build = "already cached" if v["build_seconds"] is None else f"{v['build_seconds']} s"
        print(
            f"venv cache: first build {build}, hit {v['hit_median_ms']} ms, sandboxed run "
            f"with the cached venv {v['sandboxed_run_with_cached_venv_seconds']} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=6, help="tasks of each kind in the DAG run")
    parser.add_argument("--no-venv", action="store_true", help="skip the venv cache part (needs PyPI)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    try:
        results: dict[str, Any] = {
            "dag_run": dag_run_overhead(args.tasks),
            "execute": execute_overhead(),
            "node_test": node_test_round_trip(),
        }
        if not args.no_venv:
            results["venv_cache"] = venv_cache()
    finally:
        shutil.rmtree(HOME, ignore_errors=True)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
