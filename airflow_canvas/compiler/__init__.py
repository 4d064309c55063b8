"""Workflow spec -> validated IR -> the Python source of an Airflow DAG file.

Pure and deterministic: the same spec gives the same bytes, nothing is read or written, and
Airflow is not imported. ``deploy.py`` is the part that touches the file system.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from airflow_canvas.compiler.hashing import spec_hash
from airflow_canvas.spec.models import Tool, Workflow
from airflow_canvas.spec.problems import Problem, SpecError


@dataclass(frozen=True)
class CompiledWorkflow:
    dag_id: str
    source: str
    spec_hash: str
    tools: list[Tool] = field(default_factory=list)  # pinned tool versions the DAG runs
    warnings: list[Problem] = field(default_factory=list)


def validation_problems(wf: Workflow) -> list[Problem]:
    try:
        from airflow_canvas.spec.validate import validate_workflow
    except ImportError:  # structural validation is landing separately; the IR still checks basics
        return []
    return validate_workflow(wf)


def compile_workflow(wf: Workflow) -> CompiledWorkflow:
    """Compile a workflow; raises SpecError (every problem) when validation finds errors."""
    from airflow_canvas.compiler.emitter import emit
    from airflow_canvas.compiler.ir import build_ir

    # Compiling allocates many short-lived objects and no cycles: pausing the cyclic GC keeps
    # full collections over the (large, Airflow-sized) heap out of a 5000-node compile.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        problems = validation_problems(wf)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise SpecError(errors)
        ir = build_ir(wf)
        digest = spec_hash(wf)
        try:
            source = emit(ir, digest)
        except ValueError as exc:  # data that cannot be a literal (NaN, ...)
            if isinstance(exc, SpecError):
                raise
            raise SpecError([Problem("E_NOT_LITERAL", str(exc), "")]) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    warnings = [p for p in problems if p.severity != "error"]
    return CompiledWorkflow(wf.id, source, digest, ir.tools, warnings)


__all__ = ["CompiledWorkflow", "compile_workflow", "spec_hash"]
