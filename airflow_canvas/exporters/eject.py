"""Eject: the workflow's DAG as one standalone Python file that no longer imports airflow_canvas.

The compiled DAG is kept as is (same task ids, arguments, groups, schedule); its import of the
canvas node operators is replaced by ``eject_runtime.py``'s plain-Airflow versions of them, with
the node-runtime core they call (``runtime/core.py``, the same code the canvas's operators and the
single-node test run) written in from its own source, so there is no second copy of the node logic
to keep in step; the code of the tools it runs is written into the file as a ``CANVAS_TOOLS`` literal. Agent nodes and
tools with pip dependencies need the canvas's runner, so they can't be ejected (ExportError)."""

from __future__ import annotations

import ast
import inspect
import pprint
import re
from importlib import resources
from pathlib import Path
from typing import Any

from airflow_canvas.exporters.errors import ExportError
from airflow_canvas.runtime import core
from airflow_canvas.spec.models import NodeType, Tool, Workflow

RUNTIME = Path(__file__).with_name("eject_runtime.py")
CANVAS_PACKAGE = "airflow_canvas"


def _tool_entry(tool: Tool, node_ids: list[str]) -> dict[str, Any]:
    where = f"Node {node_ids[0]!r}" if node_ids else f"Tool {tool.ref}"
    node_id = node_ids[0] if node_ids else None
    if tool.language != "python":  # the ejected runtime execs Python code; SQL and shell need the plugin
        raise ExportError(
            f"{where} runs the {tool.language} tool {tool.ref}; an ejected DAG can only run Python tools. "
            "Keep this workflow as a canvas DAG, or rewrite the tool in Python.",
            node_id,
        )
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


CORE_HEADER = (
    "# --- Canvas node runtime --------------------------------------------------------------------------\n"
    "# What each kind of node does with its inputs, written in from airflow-canvas's runtime/core.py\n"
    "# (the code its own operators run); the operators below call these functions."
)


def _core_source() -> str:
    """The node-runtime core as it goes into an ejected file: this package's own module (a fixed
    import, never a module named by a spec), without its docstring and ``__future__`` import."""
    source = inspect.getsource(core)
    tree = ast.parse(source)
    drop: set[int] = set()
    for node in tree.body:
        is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if is_doc or isinstance(node, ast.ImportFrom) and node.module == "__future__":
            drop.update(range(node.lineno - 1, node.end_lineno or node.lineno))
    lines = [line for index, line in enumerate(source.splitlines()) if index not in drop]
    return CORE_HEADER + "\n" + "\n".join(lines).strip("\n")


def _imported_names(node: ast.stmt) -> set[tuple[str, str]]:
    if isinstance(node, ast.ImportFrom):
        return {(node.module or "", alias.asname or alias.name) for alias in node.names}
    if isinstance(node, ast.Import):
        return {("", alias.asname or alias.name) for alias in node.names}
    return set()


def _runtime_source() -> str:
    """The core's source, then eject_runtime.py without its import of the core, the imports the
    core already makes and ``from __future__`` (it would not be first in the file)."""
    glue = RUNTIME.read_text(encoding="utf-8")
    core_source = _core_source()
    core_names = {name for node in ast.parse(core_source).body for name in _imported_names(node)}
    lines = glue.splitlines()
    drop: set[int] = set()
    found = False
    for node in ast.parse(glue).body:
        names = _imported_names(node)
        if isinstance(node, ast.ImportFrom) and node.module == core.__name__:
            found = True
        elif not names or not (names <= core_names or getattr(node, "module", None) == "__future__"):
            continue
        drop.update(range(node.lineno - 1, node.end_lineno or node.lineno))
    if not found:
        raise ExportError(f"{RUNTIME.name} no longer imports {core.__name__}; eject can't inline it.")
    kept = "\n".join(line for index, line in enumerate(lines) if index not in drop)
    return core_source + "\n\n\n" + re.sub(r"\n{4,}", "\n\n\n", kept).strip("\n")


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
