"""The process the runner starts: ``python -m airflow_canvas.tools.sandbox_child REQ RES [MB [FILE_MB]]``.

It reads a request (the tool, the mode, the inputs) from REQ, runs the tool, and writes the result
to RES. REQ and RES are paths or ``fd:N``, a file descriptor the runner passed in (inside the
bubblewrap sandbox no host path is visible). Files rather than pipes keep the tool's own
stdout/stderr separate from the result and avoid pipe-buffer deadlocks with large outputs. The
parent enforces the time limit and the whole run's memory cap; this side sets the per-process
limits it can never raise again, then only reports what happened.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from types import SimpleNamespace
from typing import Any

# What the child reads of a Tool and of a ToolTest, with the models' defaults. The parent sends
# ``Tool.model_dump(mode="json")`` of a tool it has validated (runner.run_in_sandbox), so every field
# is present and checked; the defaults only keep a hand-built request working. A plain view instead
# of ``Tool.model_validate``: importing the spec models (pydantic) was ~120 ms of a ~200 ms node test
# here (``python -X importtime``), and the child needs no check the parent has not made.
_TOOL_FIELDS: dict[str, Any] = {
    "name": "tool", "version": "0.0.0", "language": "python", "code": "", "entry_point": "run",
    "input_schema": {}, "output_schema": {}, "parameters": {}, "tests": [],
}  # fmt: skip
_CASE_FIELDS: dict[str, Any] = {
    "name": "", "kind": "unit", "input": {}, "expected": None, "assertions": [], "fixtures": [],
    "files": {}, "time_budget_ms": None, "required": False,
}  # fmt: skip


def tool_view(data: dict[str, Any]) -> SimpleNamespace:
    """The tool the request carries, as attributes (``tool.code``, ``tool.ref``, ``case.input`` ...)."""
    tool = SimpleNamespace(**{**_TOOL_FIELDS, **{k: data[k] for k in _TOOL_FIELDS if k in data}})
    tool.ref = f"{tool.name}@{tool.version}"
    tool.tests = [
        SimpleNamespace(**{**_CASE_FIELDS, **{k: case[k] for k in _CASE_FIELDS if k in case}})
        for case in tool.tests
    ]
    return tool


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(
            {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        )


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    }


def _call(tool: Any, inputs: dict[str, Any], parameters: dict[str, Any], fixtures: Any = ()) -> Any:
    from airflow_canvas.tools.loader import call_arguments

    arguments = call_arguments(tool, inputs, parameters)
    if tool.language == "sql":  # a fresh in-memory SQLite database: the sandbox reaches no other
        from airflow_canvas.tools.sql_tool import SqlToolError, run_in_memory

        try:
            output = run_in_memory(tool.code, arguments, fixtures)
        except Exception as exc:
            if fixtures:
                raise
            # A node test: no fixtures, so no tables. Say where the query ran and what to do.
            raise SqlToolError(
                f"{exc} (in the sandbox a SQL tool runs on an empty in-memory SQLite database; test it "
                "with the tool's tests and their fixtures, or an integration test on a connection)"
            ) from None
    elif tool.language == "shell":
        import os

        from airflow_canvas.tools.shell_tool import run_shell

        output = run_shell(
            tool.code, arguments, base_env=dict(os.environ), cwd=os.getcwd(), ref=f"Tool {tool.ref}"
        )
    else:
        from airflow_canvas.tools.loader import load_entry_point

        output = load_entry_point(tool)(**arguments)
    json.dumps(output)  # XCom and the parent need JSON: fail here, with the tool's traceback
    return output


def _schema_errors(value: Any, schema: dict[str, Any]) -> list[str]:
    if not schema:
        return []
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in validator.iter_errors(value)
    ]


def _write_files(files: dict[str, str]) -> Any:
    """A test's fixture files in a fresh working directory (names were checked by ToolTest)."""
    import tempfile
    from pathlib import Path

    workdir = tempfile.TemporaryDirectory(prefix="canvas-test-")
    root = Path(workdir.name).resolve()
    try:
        for name, content in files.items():
            path = Path(root, name)
            if not path.resolve().is_relative_to(root):  # ToolTest's own check, kept as a last line
                raise ValueError(f"fixture file {name!r} is outside the test's working directory")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    except BaseException:
        workdir.cleanup()
        raise
    return workdir


def _run_case(tool: Any, case: Any) -> tuple[Any, float]:
    """One call of the tool for ``case``, in the case's working directory; output and seconds."""
    import os

    home = os.getcwd()
    workdir = _write_files(case.files) if case.files else None
    try:
        if workdir is not None:
            os.chdir(workdir.name)
        if tool.language == "sql":
            import sqlalchemy  # noqa: F401 - loaded before the clock starts: a budget times the query

        started = time.perf_counter()
        output = _call(tool, case.input, {}, case.fixtures)
        return output, time.perf_counter() - started
    finally:
        os.chdir(home)
        if workdir is not None:
            workdir.cleanup()


def _assertion_failures(case: Any, output: Any) -> list[str]:
    failures = []
    for expression in case.assertions:
        try:
            ok = eval(expression, {"__builtins__": __builtins__}, {"output": output, "input": case.input})
        except Exception as exc:
            failures.append(f"assertion {expression!r} raised {type(exc).__name__}: {exc}")
            continue
        if not ok:
            failures.append(f"assertion {expression!r} is false")
    return failures


def _run_tests(tool: Any, indexes: list[int] | None = None) -> list[dict[str, Any]]:
    results = []
    for index, case in enumerate(tool.tests):
        if indexes is not None and index not in indexes:
            continue
        name = case.name or f"test {index + 1}"
        result: dict[str, Any] = {
            "index": index, "name": name, "kind": case.kind, "passed": False, "failures": [], "output": None,
            "actual": None, "error": None, "time_budget_ms": case.time_budget_ms, "required": case.required,
        }  # fmt: skip
        started = time.monotonic()
        result["failures"] += [f"input {m}" for m in _schema_errors(case.input, tool.input_schema)]
        try:
            output, seconds = _run_case(tool, case)
        except MemoryError:
            raise
        except Exception as exc:
            result["error"] = _error(exc)
            result["failures"].append(f"raised {type(exc).__name__}: {exc}")
        else:
            result["output"] = result["actual"] = output
            result["duration_ms"] = round(seconds * 1000, 3)
            result["failures"] += [f"output {m}" for m in _schema_errors(output, tool.output_schema)]
            if case.expected is not None and output != case.expected:
                result["failures"].append(f"expected {case.expected!r}, got {output!r}")
            if case.kind == "performance" and case.time_budget_ms and seconds * 1000 > case.time_budget_ms:
                result["failures"].append(
                    f"took {seconds * 1000:.1f} ms, over its time budget of {case.time_budget_ms} ms"
                )
            result["failures"] += _assertion_failures(case, output)
        result["passed"] = not result["failures"]
        result["duration"] = time.monotonic() - started
        result.setdefault("duration_ms", round(result["duration"] * 1000, 3))
        results.append(result)
    return results


def limit_resources(memory_mb: int, max_file_mb: int = 0) -> None:
    import resource

    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # hard too: the tool cannot lift it
    if max_file_mb > 0:  # stdout, stderr and the result are files on the host's disk
        limit = max_file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashing tool must not dump its memory


def _open(target: str, mode: str) -> Any:
    """A path, or ``fd:N`` for a descriptor the runner passed in."""
    if target.startswith("fd:"):
        return open(int(target[3:]), mode, encoding="utf-8", closefd=True)
    return open(target, mode, encoding="utf-8")


def main(request_path: str, result_path: str, memory_mb: int = 0, max_file_mb: int = 0) -> int:
    # Take the result file before any tool code runs: the tool cannot close it under us.
    result_fh = _open(result_path, "w")
    limit_resources(memory_mb, max_file_mb)
    handler = _ListHandler()
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    result: dict[str, Any]
    try:
        with _open(request_path, "r") as fh:
            request = json.load(fh)
        tool = tool_view(request["tool"])
        if request.get("mode") == "assertions":  # an output made outside (a SQL test on a connection)
            case = tool.tests[request["cases"][0]]
            result = {"ok": True, "output": _assertion_failures(case, request["inputs"].get("output"))}
        elif request.get("mode") == "tests":
            result = {"ok": True, "tests": _run_tests(tool, request.get("cases"))}
        else:
            result = {
                "ok": True,
                "output": _call(tool, request.get("inputs") or {}, request.get("parameters") or {}),
            }
    except MemoryError as exc:
        result = {"ok": False, "error": {"type": "MemoryError", "message": str(exc) or "out of memory"}}
    except BaseException as exc:  # report everything, SystemExit included: the parent decides
        result = {"ok": False, "error": _error(exc)}
    result["logs"] = handler.records
    with result_fh:
        result_fh.seek(0)
        result_fh.truncate()
        json.dump(result, result_fh, default=repr)
    return 0


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[3:5]]
    sys.exit(main(sys.argv[1], sys.argv[2], *numbers))
