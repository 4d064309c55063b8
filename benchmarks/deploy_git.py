"""Benchmark deploy to a Git environment against deploy to a folder, measured in the same run.

Both write the same compiled DAG file and tool files of a 10-node workflow; each repeat deploys a
changed version (so every deploy is a real change), folder and Git alternating so both see the same
machine state. The Git deploy is the whole of service/git_target.commit_change: lock, fetch and
reset the work clone, write, commit, push to a bare repository on this machine. The sandboxed
import check, which both kinds run once per deploy before writing, is measured separately and
reported beside them (it is the same for both and usually dominates).

    .venv/bin/python benchmarks/deploy_git.py [--repeats 10] [--json out.json]

Runs against a private AIRFLOW_HOME under /tmp, removed afterwards.
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

HOME = Path(tempfile.mkdtemp(prefix="canvas-bench-git-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(HOME / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
        "AIRFLOW__AIRFLOW_CANVAS__GIT_CACHE_DIR": str(HOME / "git_cache"),
    }
)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_canvas.compiler import compile_workflow  # noqa: E402
from airflow_canvas.compiler.deploy import check_import, deploy_workflow  # noqa: E402
from airflow_canvas.service import git_target  # noqa: E402
from airflow_canvas.service.environments import GitTarget  # noqa: E402
from airflow_canvas.spec.models import Workflow  # noqa: E402


def workflow(marker: int, nodes: int = 10) -> Workflow:
    items: list[dict[str, Any]] = [
        {
            "id": "start",
            "type": "input",
            "input_schema": {"type": "object", "properties": {"x": {"type": "integer"}}},
        }
    ]
    items += [
        {"id": f"p{i}", "type": "process", "process": {"language": "jmespath", "expression": "@"}}
        for i in range(1, nodes - 1)
    ]
    items.append({"id": "end", "type": "output"})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(items, items[1:], strict=False)]
    return Workflow.model_validate(
        {"id": "bench_git_deploy", "description": f"repeat {marker}", "nodes": items, "edges": edges}
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    bare = HOME / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(bare)], check=True)
    target = GitTarget(str(bare), "main", "dags")
    folder = HOME / "folder_env"
    folder_ms: list[float] = []
    git_ms: list[float] = []
    try:
        started = time.perf_counter()
        check_import(compile_workflow(workflow(0)).source, "bench_git_deploy")
        import_check_ms = (time.perf_counter() - started) * 1000
        for n in range(1, args.repeats + 2):  # the first round warms both up and is not counted
            compiled = compile_workflow(workflow(n))
            wf = workflow(n)
            started = time.perf_counter()
            deploy_workflow(wf, folder, import_check=False, compiled=compiled)
            folder_took = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            commit = git_target.commit_change(
                "bench",
                target,
                lambda f, wf=wf, compiled=compiled: (
                    deploy_workflow(wf, f, import_check=False, compiled=compiled) and None
                ),
                message=f"Deploy bench_git_deploy version {n}",
                author_name="bench",
            )
            git_took = (time.perf_counter() - started) * 1000
            assert commit.changed, "every repeat deploys a changed version"
            if n > 1:
                folder_ms.append(folder_took)
                git_ms.append(git_took)
        commits = subprocess.run(
            ["git", "--git-dir", str(bare), "rev-list", "--count", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    finally:
        shutil.rmtree(HOME, ignore_errors=True)
    folder_med, git_med = statistics.median(folder_ms), statistics.median(git_ms)
    result = {
        "repeats": args.repeats,
        "folder_write_ms_median": round(folder_med, 1),
        "git_commit_push_ms_median": round(git_med, 1),
        "git_vs_folder": round(git_med / folder_med, 1),
        "import_check_ms": round(import_check_ms, 1),
        "folder_deploy_total_ms": round(import_check_ms + folder_med, 1),
        "git_deploy_total_ms": round(import_check_ms + git_med, 1),
        "commits_pushed": int(commits),
    }
    print(
        f"deploy of a 10-node workflow, median of {args.repeats}: folder write {folder_med:.1f} ms, "
        f"git fetch+reset+write+commit+push {git_med:.1f} ms ({git_med / folder_med:.0f}x); "
        f"with the sandboxed import check both run ({import_check_ms:.0f} ms): folder "
        f"{result['folder_deploy_total_ms']:.0f} ms, git {result['git_deploy_total_ms']:.0f} ms "
        f"(+{(git_med - folder_med) / (import_check_ms + folder_med) * 100:.0f}%)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
