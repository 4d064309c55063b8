"""How a worker runs one tool call, shared by the ToolOperator and the AgentOperator's tool calls.

Dependency-free tools (the built-ins, plain user code) run in-process: no interpreter start-up, so
a tool task costs about what a PythonOperator costs. Tools with pip dependencies run in a subprocess
with the cached venv's interpreter, which keeps their packages out of the worker.

This is Airflow's trusted execution: a task is DAG code, deployed after review (Canvas Code, the
deploy confirmation), and runs with the worker's files, connections and network like any operator.
It deliberately does not use the bubblewrap sandbox that guards the API server from code users run
there before deploying (``runner.run_in_sandbox``, ``sandbox.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.loader import call_arguments, load_entry_point
from airflow_canvas.tools.runner import DEFAULT_TIMEOUT_SECONDS, RunLimits, RunResult, run_on_worker


def runs_in_process(tool: Tool) -> bool:
    """No venv to start: python tools without dependencies, SQL tools (the connection's hook) and
    shell tools (bash is started by this process directly)."""
    return tool.language != "python" or not tool.dependencies


def execute_tool(
    tool: Tool,
    inputs: Mapping[str, Any],
    parameters: Mapping[str, Any] | None = None,
    *,
    timeout_seconds: float | None = None,
    memory_mb: int | None = None,
    log: Any = None,
) -> Any:
    """Run ``tool`` on ``inputs`` and return its output; raises what the tool raised (in-process)
    or a ToolRunError (in its venv)."""
    if tool.language == "sql":
        from airflow_canvas.tools.sql_tool import run_on_connection

        return run_on_connection(tool, call_arguments(tool, inputs, parameters))
    if tool.language == "shell":
        return _run_shell(tool, call_arguments(tool, inputs, parameters), timeout_seconds)
    if runs_in_process(tool):
        return load_entry_point(tool)(**call_arguments(tool, inputs, parameters))
    limits = RunLimits(timeout_seconds=timeout_seconds or DEFAULT_TIMEOUT_SECONDS, memory_mb=memory_mb)
    result = run_on_worker(tool, inputs, parameters=parameters, limits=limits)
    if log is not None:
        _relay(result, log)
    return result.raise_for_error().output


def _run_shell(tool: Tool, arguments: dict[str, Any], timeout_seconds: float | None) -> Any:
    """A shell tool on a worker: bash in a fresh working directory, the worker's environment
    without Airflow's secrets (as for tools in a venv), values only in INPUT_* and on stdin."""
    import tempfile

    from airflow_canvas.tools.runner import worker_env
    from airflow_canvas.tools.shell_tool import run_shell

    with tempfile.TemporaryDirectory(prefix=f"canvas-shell-{tool.name}-") as cwd:
        return run_shell(
            tool.code, arguments, base_env=worker_env(), cwd=cwd, timeout_seconds=timeout_seconds,
            ref=f"Tool {tool.ref}",
        )  # fmt: skip


def _relay(result: RunResult, log: Any) -> None:
    """Put the venv tool's stdout, stderr and log records into the task log."""
    if result.venv is not None:
        log.info(
            "Tool %s ran in venv %s (%s)",
            result.tool,
            result.venv.path,
            "built" if result.venv.created else "cached",
        )
    for record in result.logs:
        log.info(
            "[tool %s] %s %s: %s",
            result.tool,
            record.get("level"),
            record.get("logger"),
            record.get("message"),
        )
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        if text.strip():
            log.info("[tool %s %s]\n%s", result.tool, name, text.rstrip()[-20000:])


def load_pinned_tool(ref: str, dag_fileloc: str | Path | None, digest: str | None = None) -> Tool:
    """The bundled copy next to the deployed DAG file first, then the registry (built-ins).

    ``digest`` (SHA-256 of the tool's bundled file, written into every DAG compiled since tool
    files are content-addressed) makes the load exact: only the bundled file with that content, or
    a registry tool whose canonical file would have that content, is returned; anything else raises
    ToolIntegrityError. Without a digest (DAGs deployed earlier) the old lookup applies."""
    from airflow_canvas.tools.bundle import ToolIntegrityError, load_bundled_tool, tool_digest
    from airflow_canvas.tools.registry import ToolResolutionError, resolve_tool, split_ref

    name, version = split_ref(ref)
    bundled = load_bundled_tool(dag_fileloc, name, version, digest) if dag_fileloc else None
    if bundled is not None:
        return bundled
    if digest is None:
        return resolve_tool(f"{name}@{version}")
    try:
        found = resolve_tool(f"{name}@{version}")
    except ToolResolutionError:
        found = None
    if found is None or found.ref != f"{name}@{version}" or tool_digest(found) != digest:
        raise ToolIntegrityError(
            f"Tool {name}@{version} with SHA-256 {digest} is not bundled beside the DAG file "
            f"({dag_fileloc or 'no DAG file'}) and no installed or published tool has that content; "
            "redeploy the workflow."
        )
    return found
