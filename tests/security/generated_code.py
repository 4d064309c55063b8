"""Checks of a generated DAG file shared by the security tests: what its AST may contain, and an
import of many files in one child interpreter that reports whether any of them ran code."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

# Every module and name a generated file may import (the compiler's own vocabulary plus the
# operator and notifier classes the test specs use).
ALLOWED_IMPORTS: dict[str, frozenset[str]] = {
    "datetime": frozenset({"datetime", "timedelta", "timezone"}),
    "airflow.sdk": frozenset(
        {
            "DAG",
            "Param",
            "TaskGroup",
            "Asset",
            "AssetAll",
            "AssetAny",
            "AssetOrTimeSchedule",
            "CronTriggerTimetable",
            "DeltaTriggerTimetable",
            "AsyncCallback",
            "DeadlineAlert",
            "DeadlineReference",
        }
    ),
    "airflow.sdk.module_loading": frozenset({"import_string"}),
    "airflow_canvas.operators": frozenset(
        {
            "InputOperator",
            "ProcessOperator",
            "OutputOperator",
            "ToolOperator",
            "AgentOperator",
            "ConditionBranchOperator",
        }
    ),
    "airflow.providers.standard.operators.bash": frozenset({"BashOperator"}),
    "airflow.providers.standard.operators.python": frozenset({"PythonOperator"}),
    "airflow.providers.smtp.notifications.smtp": frozenset({"SmtpNotifier"}),
}
ALLOWED_ATTRIBUTES = frozenset(
    {"output", "utc", "partial", "expand", "DAGRUN_QUEUED_AT", "DAGRUN_LOGICAL_DATE"}
)
ALLOWED_NODES = (
    ast.Module,
    ast.Expr,
    ast.Constant,
    ast.ImportFrom,
    ast.alias,
    ast.With,
    ast.withitem,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.Attribute,
    ast.Subscript,
    ast.keyword,
    ast.Dict,
    ast.List,
    ast.Assign,
    ast.BinOp,
    ast.RShift,
    ast.UnaryOp,
    ast.USub,
)


def code_problems(source: str) -> list[str]:
    """Why ``source`` is not a file the compiler may write (empty when it is one): only imports
    of allowed names, calls of imported names (and ``.partial``/``.expand``), ``import_string``
    of a string constant, subscripts of ``.output`` by a string, literals, assignments."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as exc:
        return [f"does not parse: {exc}"]
    problems: list[str] = []
    imported: set[str] = set()
    for stmt in tree.body:
        if not isinstance(stmt, (ast.Expr, ast.ImportFrom, ast.With)):
            problems.append(f"top-level {type(stmt).__name__}")
        if isinstance(stmt, ast.ImportFrom):
            allowed = ALLOWED_IMPORTS.get(stmt.module or "", frozenset())
            for alias in stmt.names:
                if alias.name not in allowed or alias.asname:
                    problems.append(f"import of {stmt.module}.{alias.name}")
                imported.add(alias.name)
    if tree.body and isinstance(tree.body[0], ast.Expr):
        docstring = tree.body[0].value
        if not (isinstance(docstring, ast.Constant) and isinstance(docstring.value, str)):
            problems.append("the first statement is an expression that is not the docstring")
    for stmt in tree.body[1:]:
        if isinstance(stmt, ast.Expr):
            problems.append("a bare expression statement after the docstring")
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            problems.append(f"a {type(node).__name__} node")
        elif isinstance(node, ast.Call):
            problems.extend(_call_problems(node, imported))
        elif isinstance(node, ast.Attribute) and node.attr not in ALLOWED_ATTRIBUTES:
            problems.append(f"attribute .{node.attr}")
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load) and node.id not in imported | assigned:
                problems.append(f"name {node.id}")
            if isinstance(node.ctx, ast.Store) and (node.id in imported or node.id.startswith("__")):
                problems.append(f"assignment to {node.id}")
        elif isinstance(node, ast.Subscript):
            value, index = node.value, node.slice
            if not (isinstance(value, ast.Attribute) and value.attr == "output"):
                problems.append("a subscript of something other than a task's output")
            if not (isinstance(index, ast.Constant) and isinstance(index.value, str)):
                problems.append("a subscript by something other than a string")
        elif isinstance(node, ast.BinOp) and not isinstance(node.op, ast.RShift):
            problems.append(f"operator {type(node.op).__name__}")
        elif isinstance(node, ast.UnaryOp) and not isinstance(node.operand, ast.Constant):
            problems.append("a unary operator on something other than a number")
    return problems


def _call_problems(node: ast.Call, imported: set[str]) -> list[str]:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in imported:
            return [f"call of {func.id}"]
        if func.id == "import_string":
            args = node.args
            if node.keywords or len(args) != 1 or not isinstance(args[0], ast.Constant):
                return ["import_string of something other than one string constant"]
            path = args[0].value
            if not isinstance(path, str) or not all(p.isidentifier() for p in path.split(".")):
                return [f"import_string of {path!r}"]
        return []
    if isinstance(func, ast.Attribute) and func.attr in ("partial", "expand"):
        return []
    return [f"call of {ast.unparse(func)[:80]}"]


# Runs in the child: imports each file as a module of its own and reports what happened.
_IMPORTER = """
import importlib.util, json, sys, traceback
report = {}
for i, path in enumerate(sys.argv[1:]):
    try:
        spec = importlib.util.spec_from_file_location(f"generated_{i}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        report[path] = "ok"
    except BaseException as exc:  # a file that fails to import is fine; one that runs code is not
        report[path] = f"{type(exc).__name__}: {exc}"[:300]
print("REPORT " + json.dumps(report))
"""


def import_all(paths: list[Path], *, timeout: float = 240) -> dict[str, str]:
    """Import every file in one fresh interpreter (Airflow is imported once): path -> "ok" or
    the error it raised."""
    env = {**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORTER, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("REPORT ")), None)
    assert line is not None, f"the importer crashed ({proc.returncode}): {proc.stderr[-3000:]}"
    return json.loads(line[len("REPORT ") :])
