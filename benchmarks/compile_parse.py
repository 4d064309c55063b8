"""Compile time of the canvas compiler, and DagBag parse time of what it generates against a
hand-written DAG of the same shape (PythonOperators passing XComArgs, same TaskGroups and
dependencies), measured in the same run.

    .venv/bin/python benchmarks/compile_parse.py [--quick] [--json out.json]

Targets: compiling 1000 nodes < 150 ms, linear growth (1000 -> 5000 nodes at most x5.5), parse
time of the generated file at most the hand-written one's at 1000 tasks (ratio <= 1.0).
Parsing runs in fresh interpreters (as Airflow's DAG processor does
per file) with airflow.sdk already imported; each side pays for importing its own operators.
Bytecode is the same for both sides whatever the caller's environment (PYTHONDONTWRITEBYTECODE
would otherwise leave this checkout's modules, and so only the canvas side's operators, compiled
from source on every parse): every module and DAG file is cached under a private
PYTHONPYCACHEPREFIX by a warm-up parse. The target figure is the DAG processor's steady state,
re-parsing an unchanged file (its bytecode cached, as Python caches it next to the file); the
first parse after a deploy, with the DAG file compiled from source, is printed next to it.
Times are CPU time (``time.process_time``) of the process doing the work, so other load on the
machine does not blur the figures; both are single-threaded, so on an idle machine CPU time and
wall time agree.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

COMPILE_SIZES = (10, 100, 1000, 5000)
PARSE_SIZES = (100, 1000)
GROUP_SIZE = 25  # nodes per TaskGroup in the synthetic workflows
GROWTH_TARGET = 5.5  # compile time at 5000 nodes / at 1000 nodes
RATIO_TARGET = 1.0  # parse time of the generated file / the hand-written one, at 1000 tasks


def synthetic_workflow(n: int) -> dict[str, Any]:
    """An input node, then chains of process nodes in TaskGroups, each reading one field of the
    previous node's output (a data-flow edge with a mapping), every 10th also depending on the
    node 10 back; an output node at the end. Roughly what a big canvas looks like."""
    nodes: list[dict[str, Any]] = [
        {
            "id": "start",
            "type": "input",
            "input_schema": {"type": "object", "properties": {"value": {"type": "integer", "default": 1}}},
        }
    ]
    edges: list[dict[str, Any]] = []
    groups = []
    previous = "start"
    for i in range(1, n - 1):
        node_id = f"step_{i}"
        group = f"stage_{(i - 1) // GROUP_SIZE}"
        if not groups or groups[-1]["id"] != group:
            groups.append({"id": group, "label": f"Stage {(i - 1) // GROUP_SIZE}"})
        nodes.append(
            {
                "id": node_id,
                "type": "process",
                "group": group,
                "description": f"Step {i}: add one.",
                "process": {"language": "jmespath", "expression": "{value: value}"},
            }
        )
        edges.append(
            {"source": previous, "target": node_id, "mapping": [{"source": "value", "target": "value"}]}
        )
        if i > 10 and i % 10 == 0:
            edges.append({"source": f"step_{i - 10}", "target": node_id, "kind": "dependency"})
        previous = node_id
    nodes.append({"id": "finish", "type": "output"})
    edges.append({"source": previous, "target": "finish"})
    return {"id": f"bench_{n}", "name": f"Benchmark {n}", "nodes": nodes, "edges": edges, "groups": groups}


def hand_written_source(n: int, *, empty_only: bool = False) -> str:
    """The same graph as a person would write it with PythonOperator and EmptyOperator.

    ``empty_only``: every task an EmptyOperator and no data passed, the cheapest DAG of that
    shape, shown as a floor."""
    wf = synthetic_workflow(n)
    lines = [
        "from datetime import datetime, timezone",
        "",
        "from airflow.providers.standard.operators.empty import EmptyOperator",
        "from airflow.providers.standard.operators.python import PythonOperator",
        "from airflow.sdk import DAG, Param, TaskGroup",
        "",
        "",
        "def step(value=None, **_):",
        "    return {'value': value}",
        "",
        "",
        "with DAG(",
        f"    dag_id='{'empty' if empty_only else 'hand'}_{n}',",
        "    schedule=None,",
        "    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),",
        "    catchup=False,",
        "    params={'value': Param(1, type='integer')},",
        "):",
        "    start = PythonOperator(task_id='start', python_callable=step)",
    ]
    by_group: dict[str, list[dict[str, Any]]] = {}
    for node in wf["nodes"][1:-1]:
        by_group.setdefault(node["group"], []).append(node)
    previous = "start"
    for group, members in by_group.items():
        lines.append(f"    with TaskGroup(group_id='{group}'):")
        for node in members:
            if empty_only:
                lines.append(f"        {node['id']} = EmptyOperator(task_id='{node['id']}')")
                lines.append(f"        {previous} >> {node['id']}")
            else:
                lines.append(
                    f"        {node['id']} = PythonOperator(task_id='{node['id']}', python_callable=step, "
                    f"op_kwargs={{'value': {previous}.output['value']}}, doc_md='{node['description']}')"
                )
            previous = node["id"]
    lines.append("    finish = EmptyOperator(task_id='finish')")
    lines.append(f"    {previous} >> finish")
    for edge in wf["edges"]:
        if edge.get("kind") == "dependency":
            lines.append(f"    {edge['source']} >> {edge['target']}")
    return "\n".join(lines) + "\n"


def time_compile(n: int, repeat: int) -> float:
    from airflow_canvas.compiler import compile_workflow
    from airflow_canvas.spec.load import parse_workflow

    wf = parse_workflow(synthetic_workflow(n))
    compile_workflow(wf)  # warm caches (validation imports, tool registry)
    times = []
    for _ in range(repeat):
        started = time.process_time()  # CPU time: other processes on the machine do not count
        compile_workflow(wf)
        times.append(time.process_time() - started)
    return statistics.median(times)


_PARSE = """
import importlib.util, os, sys, time
import airflow.sdk  # the DAG processor has Airflow loaded before it parses a file
from airflow.dag_processing.dagbag import DagBag
cached = importlib.util.cache_from_source(sys.argv[1])
source = sys.argv[2] == "source"  # the first parse after a deploy: the DAG file compiled from source
if source:  # its cached bytecode set aside for this parse (and put back for the next)
    sys.dont_write_bytecode = True
    os.replace(cached, cached + ".aside")
started = time.process_time()  # CPU time of this interpreter: machine load does not count
bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
elapsed = time.process_time() - started
if source:
    os.replace(cached + ".aside", cached)
assert not bag.import_errors, bag.import_errors
assert len(bag.dags) == 1
print(elapsed)
"""


def time_parse(path: Path, env: dict[str, str], mode: str = "cached") -> float:
    """CPU seconds of one DagBag parse of ``path`` in a fresh interpreter; ``mode`` "cached": the
    DAG file's bytecode as the last parse left it, "source": compiled from source."""
    proc = subprocess.run(
        [sys.executable, "-c", _PARSE, str(path), mode], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"parsing {path} failed:\n{proc.stderr[-3000:]}")
    return float(proc.stdout.strip().splitlines()[-1])


def parse_times(n: int, repeat: int, workdir: Path, env: dict[str, str]) -> dict[str, float]:
    from airflow_canvas.compiler import compile_workflow
    from airflow_canvas.spec.load import parse_workflow

    generated = workdir / f"bench_{n}.py"
    generated.write_text(compile_workflow(parse_workflow(synthetic_workflow(n))).source)
    hand = workdir / f"hand_{n}.py"
    hand.write_text(hand_written_source(n))
    empty = workdir / f"empty_{n}.py"
    empty.write_text(hand_written_source(n, empty_only=True))
    runs = {
        "generated": (generated, "cached"),
        "hand_written": (hand, "cached"),
        "empty_only": (empty, "cached"),
        "generated_first": (generated, "source"),
        "hand_written_first": (hand, "source"),
    }
    # Warm-up: the bytecode of every module and DAG file cached, as on a running DAG processor.
    for path in (generated, hand, empty):
        time_parse(path, env)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):  # interleaved, so machine load affects all alike
        for name, (path, mode) in runs.items():
            times[name].append(time_parse(path, env, mode))
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    compile_repeat, parse_repeat = (3, 3) if args.quick else (7, 7)

    home = Path(tempfile.mkdtemp(prefix="canvas-bench-home-"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONPYCACHEPREFIX": str(home / "pycache"),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
    }
    os.environ.update(env)

    results: dict[str, Any] = {"compile": {}, "parse": {}}
    big_repeat = max(3, compile_repeat // 2)
    print(f"Compile time (spec -> DAG source), median of {compile_repeat} ({big_repeat} at 5000 nodes)\n")
    print(f"{'nodes':>6}  {'compile (ms)':>12}  {'ms / 1000 nodes':>15}")
    for n in COMPILE_SIZES:
        seconds = time_compile(n, compile_repeat if n < 5000 else big_repeat)
        results["compile"][n] = seconds
        print(f"{n:>6}  {seconds * 1000:>12.1f}  {seconds * 1000 * 1000 / n:>15.1f}")

    print()
    print(
        "DagBag parse time, generated file vs baseline = a hand-written DAG of the same shape\n"
        "(PythonOperators passing XComArgs, same TaskGroups and dependencies), each in a fresh\n"
        f"interpreter, interleaved in this run, median of {parse_repeat}; ratio = generated / hand-written;\n"
        "EmptyOperator-only = the cheapest DAG of that shape, shown as a floor\n"
    )
    print(
        f"{'tasks':>6}  {'generated (s)':>13}  {'hand-written (s)':>16}  {'ratio':>6}  "
        f"{'EmptyOperator-only (s)':>22}  {'first parse: generated / hand-written (s)':>41}  {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory(prefix="canvas-bench-dags-") as tmp:
        for n in PARSE_SIZES:
            t = parse_times(n, parse_repeat, Path(tmp), env)
            t["ratio"] = t["generated"] / t["hand_written"]
            t["ratio_first"] = t["generated_first"] / t["hand_written_first"]
            results["parse"][n] = t
            first = f"{t['generated_first']:.3f} / {t['hand_written_first']:.3f}"
            print(
                f"{n:>6}  {t['generated']:>13.3f}  {t['hand_written']:>16.3f}  {t['ratio']:>6.2f}  "
                f"{t['empty_only']:>22.3f}  {first:>41}  {t['ratio_first']:>6.2f}"
            )

    c1000 = results["compile"][1000]
    growth = results["compile"][5000] / results["compile"][1000]
    ratio = results["parse"][1000]["ratio"]
    ratio_first = results["parse"][1000]["ratio_first"]
    print()
    print(
        f"compile 1000 nodes: {c1000 * 1000:.0f} ms (target < 150 ms): {'OK' if c1000 < 0.150 else 'MISSED'}"
    )
    print(
        f"growth 1000 -> 5000 nodes: x{growth:.2f} (linear = x5.0, target <= x{GROWTH_TARGET}): "
        f"{'OK' if growth <= GROWTH_TARGET else 'MISSED'}"
    )
    print(
        f"parse ratio at 1000 tasks: {ratio:.2f} (target <= {RATIO_TARGET}): "
        f"{'OK' if ratio <= RATIO_TARGET else 'MISSED'}; first parse after a deploy: {ratio_first:.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
