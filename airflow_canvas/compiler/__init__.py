"""Workflow spec -> validated IR -> the Python source of an Airflow DAG file.

Pure and deterministic: the same spec gives the same bytes, nothing is read or written, and
Airflow is not imported. ``deploy.py`` is the part that touches the file system.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from airflow_canvas.compiler.emitter import emit
from airflow_canvas.compiler.gcpause import collector_paused
from airflow_canvas.compiler.hashing import spec_hash
from airflow_canvas.compiler.ir import build_ir
from airflow_canvas.compiler.pyfmt import UnsafeCode
from airflow_canvas.spec.models import Tool, Workflow
from airflow_canvas.spec.problems import Problem, SpecError
from airflow_canvas.tools.registry import ToolResolver
from airflow_canvas.validation import validate


@dataclass(frozen=True)
class CompiledWorkflow:
    dag_id: str
    source: str
    spec_hash: str
    tools: list[Tool] = field(default_factory=list)  # pinned tool versions the DAG runs
    warnings: list[Problem] = field(default_factory=list)


def validation_problems(wf: Workflow, tools: ToolResolver | None = None) -> list[Problem]:
    return validate(wf, tools=tools).problems


def compile_workflow(wf: Workflow) -> CompiledWorkflow:
    """Compile a workflow; raises SpecError (every problem) when validation finds errors."""
    with collector_paused():  # linear time on big specs (see gcpause.py)
        return _compile(wf)


def _compile(wf: Workflow) -> CompiledWorkflow:
    tools = ToolResolver(wf.tools)  # validation resolves every reference; the IR pins from the same
    problems = validation_problems(wf, tools)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SpecError(errors)
    digest = spec_hash(wf)  # first: it reports text no file can hold (a lone surrogate) as a problem
    try:  # building lowers data to literals and checks names, printing checks them again
        ir = build_ir(wf, tools)
        source = emit(ir, digest)
    except ValueError as exc:  # data that cannot be a literal (NaN, ...), or a name that is none
        if isinstance(exc, SpecError):
            raise
        if isinstance(exc, UnsafeCode):  # validation reports these with a pointer; a last line of defence
            raise SpecError([Problem("E_UNSAFE_NAME", str(exc), "")]) from None
        raise SpecError([Problem("E_NOT_LITERAL", str(exc), "")]) from None
    warnings = [p for p in problems if p.severity != "error"]
    return CompiledWorkflow(wf.id, source, digest, ir.tools, warnings)


__all__ = ["CompiledWorkflow", "compile_workflow", "spec_hash"]
