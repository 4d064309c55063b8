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
from typing import Any


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


def _call(tool: Any, inputs: dict[str, Any], parameters: dict[str, Any]) -> Any:
    from airflow_canvas.tools.loader import call_arguments, load_entry_point

    output = load_entry_point(tool)(**call_arguments(tool, inputs, parameters))
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


def _run_tests(tool: Any) -> list[dict[str, Any]]:
    results = []
    for index, case in enumerate(tool.tests):
        name = case.name or f"test {index + 1}"
        result: dict[str, Any] = {"name": name, "passed": False, "failures": [], "output": None}
        started = time.monotonic()
        result["failures"] += [f"input {m}" for m in _schema_errors(case.input, tool.input_schema)]
        try:
            output = _call(tool, case.input, {})
        except MemoryError:
            raise
        except Exception as exc:
            result["error"] = _error(exc)
            result["failures"].append(f"raised {type(exc).__name__}: {exc}")
        else:
            result["output"] = output
            result["failures"] += [f"output {m}" for m in _schema_errors(output, tool.output_schema)]
            if case.expected is not None and output != case.expected:
                result["failures"].append(f"expected {case.expected!r}, got {output!r}")
            for expression in case.assertions:
                try:
                    ok = eval(
                        expression, {"__builtins__": __builtins__}, {"output": output, "input": case.input}
                    )
                except Exception as exc:
                    result["failures"].append(f"assertion {expression!r} raised {type(exc).__name__}: {exc}")
                    continue
                if not ok:
                    result["failures"].append(f"assertion {expression!r} is false")
        result["passed"] = not result["failures"]
        result["duration"] = time.monotonic() - started
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
        from airflow_canvas.spec.models import Tool

        tool = Tool.model_validate(request["tool"])
        if request.get("mode") == "tests":
            result = {"ok": True, "tests": _run_tests(tool)}
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
