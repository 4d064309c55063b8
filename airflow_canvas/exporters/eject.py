"""Eject: the workflow's DAG as one standalone Python file that no longer imports airflow_canvas.

The compiled DAG is kept as is (same task ids, arguments, groups, schedule); its import of the
canvas node operators is replaced by ``eject_runtime.py``'s plain-Airflow versions of them, and the
code of the tools it runs is written into the file as a ``CANVAS_TOOLS`` literal. Agent nodes and
tools with pip dependencies need the canvas's runner, so they can't be ejected (ExportError)."""

from __future__ import annotations

import ast
import pprint
from importlib import resources
from pathlib import Path
from typing import Any

from airflow_canvas.exporters.errors import ExportError
from airflow_canvas.spec.models import NodeType, Tool, Workflow

RUNTIME = Path(__file__).with_name("eject_runtime.py")
CANVAS_PACKAGE = "airflow_canvas"


def _tool_entry(tool: Tool, node_ids: list[str]) -> dict[str, Any]:
    where = f"Node {node_ids[0]!r}" if node_ids else f"Tool {tool.ref}"
    node_id = node_ids[0] if node_ids else None
    if tool.dependencies:
        raise ExportError(
            f"{where} runs tool {tool.ref}, which has pip dependencies ({', '.join(tool.dependencies)}); "
            "an ejected DAG can only run dependency-free tools in-process.",
            node_id,
        )
    if tool.code:
        if not tool.entry_point.isidentifier():
            raise ExportError(
                f"{where}: tool {tool.ref} has `code`, so its entry_point must name a function in that "
                f"code, not {tool.entry_point!r}.",
                node_id,
            )
        code, entry_point = tool.code, tool.entry_point
    else:
        code, entry_point = _builtin_code(tool, where, node_id)
    return {
        "code": code,
        "entry_point": entry_point,
        "parameters": tool.parameters,
        "input_schema": tool.input_schema,
        "output_schema": tool.output_schema,
    }


def _builtin_modules() -> set[str]:
    """The modules of the built-in tools, taken from the registry's own records (never from a spec)."""
    from airflow_canvas.tools.registry import builtin_tools

    return {t.entry_point.partition(":")[0] for t in builtin_tools() if not t.code}


def _builtin_code(tool: Tool, where: str, node_id: str | None) -> tuple[str, str]:
    """(source, function) of a tool without code: only a built-in tool's module qualifies, and its
    source is read from this package's own file. Export runs in the API server for anyone who may
    read the workflow, so importing a module the spec names would run that module and hand back
    its source (a settings module's secrets): a tool's code comes from the spec or the package."""
    module_name, _, function = tool.entry_point.partition(":")
    if module_name not in _builtin_modules() or not function.isidentifier():
        raise ExportError(
            f"{where}: tool {tool.ref} has no `code` and its entry_point {tool.entry_point!r} is not a "
            "built-in tool's; export only uses code carried by the workflow or a built-in tool, never "
            "a module named in the spec. Put the tool's source in its `code` field (entry_point then "
            "names a function in it).",
            node_id,
        )
    package, _, leaf = module_name.rpartition(".")
    code = resources.files(package).joinpath(f"{leaf}.py").read_text(encoding="utf-8")
    if CANVAS_PACKAGE in code:
        raise ExportError(
            f"{where}: built-in tool {tool.ref} depends on airflow_canvas and can't be ejected.", node_id
        )
    return code, function


def _runtime_source() -> str:
    lines = RUNTIME.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if line != "from __future__ import annotations")


def eject_workflow(workflow: Workflow) -> str:
    from airflow_canvas.compiler import compile_workflow

    for node in workflow.nodes:
        if node.type is NodeType.AGENT:
            raise ExportError(
                f"Node {node.id!r} is an agent node; agents run on airflow-canvas's AgentOperator and "
                "can't be ejected yet. Export the spec (JSON) instead.",
                node.id,
            )
    compiled = compile_workflow(workflow)
    tools = {
        tool.ref: _tool_entry(
            tool, [n.id for n in workflow.nodes if n.tool and n.tool.split("@")[0] == tool.name]
        )
        for tool in compiled.tools
    }
    return splice(compiled.source, workflow, tools)


def splice(source: str, workflow: Workflow, tools: dict[str, dict[str, Any]]) -> str:
    """Replace the DAG file's airflow_canvas import by the runtime and the tools literal."""
    tree = ast.parse(source)
    lines = source.splitlines()
    canvas_imports = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").split(".")[0] == CANVAS_PACKAGE
        or isinstance(node, ast.Import)
        and any(a.name.split(".")[0] == CANVAS_PACKAGE for a in node.names)
    ]
    for node in canvas_imports:
        if not (isinstance(node, ast.ImportFrom) and node.module == f"{CANVAS_PACKAGE}.operators"):
            raise ExportError(f"The compiled DAG imports {ast.unparse(node)!r}, which eject can't inline.")
    uses_canvas = bool(canvas_imports)
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    insert_after = max((n.end_lineno or n.lineno) for n in imports) if imports else 0
    drop = {i for n in canvas_imports for i in range(n.lineno - 1, n.end_lineno or n.lineno)}
    doc = (
        tree.body[0]
        if tree.body
        and isinstance(tree.body[0], ast.Expr)
        and isinstance(getattr(tree.body[0], "value", None), ast.Constant)
        else None
    )
    out: list[str] = [_header(workflow, source)]
    start = (doc.end_lineno or 0) if doc is not None else 0
    for index in range(start, len(lines)):
        if index not in drop:
            out.append(lines[index])
        if index == insert_after - 1 and uses_canvas:
            out.extend(
                ["", "", "CANVAS_TOOLS: dict = " + pprint.pformat(tools, width=110, sort_dicts=False), ""]
            )
            out.append(_runtime_source())
    text = "\n".join(out).rstrip() + "\n"
    ast.parse(text)  # never hand out a file that does not parse
    if f"import {CANVAS_PACKAGE}" in text or f"from {CANVAS_PACKAGE}" in text:
        raise ExportError("The ejected DAG still imports airflow_canvas.")  # a runtime/compiler mismatch
    return text


def _header(workflow: Workflow, source: str) -> str:
    spec_hash = next((line.strip() for line in source.splitlines() if line.startswith("Spec hash:")), "")
    version = f"version {workflow.version}" if workflow.version is not None else "unversioned"
    return (
        f'"""Airflow DAG ejected from the airflow-canvas workflow {workflow.id} ({version}).\n\n'
        f"{spec_hash}\n"
        "Standalone: this file does not import airflow-canvas (it needs Airflow, jsonschema and\n"
        "jmespath). Edit it directly; the canvas no longer manages it.\n"
        '"""'
    )
