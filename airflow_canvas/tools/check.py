"""Static checks of a tool being written in the studio: what the editor shows as inline errors.

Nothing here runs the tool's code: Python code is only compiled (``compile(..., "exec",
ast.PyCF_ONLY_AST)`` parses, it never executes) and walked with ``ast``; schemas are checked
against their JSON Schema metaschema; test assertions are parsed as expressions. Every finding
names where it is (``code``, ``input_schema``, ``tests.0.assertions.1`` ...) and, for code, the
line and column, so the UI can underline it.
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass
from typing import Any

from jsonschema import SchemaError
from jsonschema.validators import validator_for
from pydantic import ValidationError

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.breaking_changes import required_bump, schema_changes
from airflow_canvas.tools.languages import language_problems
from airflow_canvas.tools.semver import Version, next_version

SCHEMA_FIELDS = ("input_schema", "output_schema")
_MAX_CODE = 1_000_000


@dataclass(frozen=True)
class Diagnostic:
    where: str  # "code", "input_schema", "output_schema", "tests.0.assertions.1", or a field name
    message: str
    severity: str = "error"  # "error" | "warning"
    line: int | None = None  # 1-based, for code
    column: int | None = None  # 1-based, for code
    end_line: int | None = None
    end_column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_tool(data: dict[str, Any]) -> list[Diagnostic]:
    """Every problem of the tool ``data`` (a Tool's JSON, possibly incomplete) that can be found
    without running it."""
    found: list[Diagnostic] = []
    try:
        tool = Tool.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "tool"
            found.append(Diagnostic(where, f"{where}: {err['msg']}"))
    else:  # what SQL and shell tools need, and test fields that fit their kind (tools/languages.py)
        found += [Diagnostic(p.field, p.message, p.severity) for p in language_problems(tool)]
    code = data.get("code")
    entry = data.get("entry_point") or "run"
    if data.get("language", "python") == "python" and isinstance(code, str) and isinstance(entry, str):
        found += python_problems(code, entry, data.get("input_schema"), data.get("parameters"))
    for name in SCHEMA_FIELDS:
        schema = data.get(name)
        if isinstance(schema, dict):
            found += schema_problems(name, schema)
    tests = data.get("tests")
    if isinstance(tests, list):
        found += test_problems(tests, data.get("input_schema"))
    return found


def python_problems(
    code: str, entry_point: str, input_schema: Any = None, parameters: Any = None
) -> list[Diagnostic]:
    """Syntax errors with their position, and a missing or unfit entry point."""
    if len(code) > _MAX_CODE:
        return [Diagnostic("code", f"The code is longer than {_MAX_CODE} characters.")]
    if not code.strip():
        return [
            Diagnostic("code", f"The code is empty: define a function {entry_point}(...).", line=1, column=1)
        ]
    try:
        tree = ast.parse(code, "<tool>", "exec")
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = exc.offset or 1
        end_line = getattr(exc, "end_lineno", None) or line
        end_column = getattr(exc, "end_offset", None) or column + 1
        if (end_line, end_column) <= (line, column):
            end_line, end_column = line, column + 1
        return [Diagnostic("code", f"SyntaxError: {exc.msg}", line=line, column=column,
                           end_line=end_line, end_column=end_column)]  # fmt: skip
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        return [Diagnostic("code", f"The code cannot be parsed: {exc}", line=1, column=1)]
    functions = {
        node.name: node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    if entry_point not in functions:
        near = ", ".join(sorted(functions)) or "none"
        return [Diagnostic("code", f"No top-level function {entry_point!r} (the entry point) is defined; "
                           f"functions defined: {near}.", line=1, column=1)]  # fmt: skip
    defaults = set(parameters) if isinstance(parameters, dict) else set()
    return _signature_problems(functions[entry_point], input_schema, defaults)


def _signature_problems(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, input_schema: Any, defaults: set[str]
) -> list[Diagnostic]:
    """The tool is called as ``entry_point(**arguments)`` (its parameter defaults, the node's
    parameters, then the input): every required input field must be a parameter (an error: the call
    fails), and a parameter without a default should be required or have a tool default (a warning:
    a node's parameters may still supply it)."""
    if not isinstance(input_schema, dict) or not isinstance(input_schema.get("properties"), dict):
        return []
    args = fn.args
    names = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    required = [r for r in input_schema.get("required") or [] if isinstance(r, str)]
    at: dict[str, Any] = {"line": fn.lineno, "column": fn.col_offset + 1, "end_line": fn.lineno,
                          "end_column": fn.col_offset + 4 + len(fn.name)}  # fmt: skip
    found = []
    if args.kwarg is None:
        for field in required:
            if field not in names:
                found.append(Diagnostic("code", f"Required input field {field!r} is not a parameter of "
                                        f"{fn.name}(); add it (or **kwargs).", **at))  # fmt: skip
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    no_default = [a.arg for a in positional[:first_default]]
    no_default += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    for name in no_default:
        if name not in required and name not in defaults:
            found.append(Diagnostic("code", f"Parameter {name!r} has no default but the input schema does not "
                                    "require it: make it required or give it a default.", severity="warning",
                                    **at))  # fmt: skip
    return found


def schema_problems(where: str, schema: dict[str, Any]) -> list[Diagnostic]:
    """Whether ``schema`` is a valid JSON Schema (of the draft its ``$schema`` names, else 2020-12)."""
    if not schema:
        return []
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        path = ".".join(str(p) for p in exc.absolute_path)
        return [Diagnostic(where, f"{where}{'.' + path if path else ''}: {exc.message}")]
    if schema.get("type") not in (None, "object") and where == "input_schema":
        return [Diagnostic(where, "input_schema: the input is passed as keyword arguments, so its type "
                           "must be 'object'.")]  # fmt: skip
    return []


def test_problems(tests: list[Any], input_schema: Any) -> list[Diagnostic]:
    """Assertions must parse as Python expressions (they are evaluated over ``output`` when the
    tests run, in the sandbox); inputs should fit the input schema."""
    found: list[Diagnostic] = []
    input_validator = None
    if isinstance(input_schema, dict) and input_schema:
        try:
            cls = validator_for(input_schema)
            cls.check_schema(input_schema)
            input_validator = cls(input_schema)
        except SchemaError:
            pass  # reported on the schema itself
    for i, case in enumerate(tests):
        if not isinstance(case, dict):
            continue
        for j, expr in enumerate(case.get("assertions") or []):
            if not isinstance(expr, str):
                continue
            try:
                compile(expr, "<assertion>", "eval", ast.PyCF_ONLY_AST, dont_inherit=True)
            except SyntaxError as exc:
                found.append(Diagnostic(f"tests.{i}.assertions.{j}", f"Assertion {expr!r}: {exc.msg}"))
            except (ValueError, RecursionError) as exc:
                found.append(Diagnostic(f"tests.{i}.assertions.{j}", f"Assertion cannot be parsed: {exc}"))
        if input_validator is not None and isinstance(case.get("input"), dict):
            for err in list(input_validator.iter_errors(case["input"]))[:3]:
                path = ".".join(str(p) for p in err.absolute_path)
                found.append(Diagnostic(f"tests.{i}.input", f"Test {case.get('name') or i + 1} input"
                                        f"{' ' + path if path else ''}: {err.message}", severity="warning"))  # fmt: skip
    return found


def publish_preview(tool: Tool, published: list[Tool]) -> dict[str, Any]:
    """What publishing ``tool`` after the latest published version of its name needs: the changes,
    the bump they require (breaking input/output schema changes: major) and the smallest version
    that satisfies it. The server checks the chosen version again when it publishes."""
    same = [t for t in published if t.name == tool.name]
    previous = max(same, key=lambda t: Version.parse(t.version), default=None)
    if previous is None:
        return {"previous": None, "required_bump": None, "suggested_version": "1.0.0", "changes": []}
    bump = required_bump(previous, tool)
    return {
        "previous": previous.version,
        "required_bump": bump,
        "suggested_version": str(next_version(Version.parse(previous.version), bump or "patch")),
        "changes": [c.to_dict() for c in schema_changes(previous, tool)],
    }
