"""The ``airflow-canvas`` command (also ``python -m airflow_canvas``).

Each subcommand is a ``Command``: a name, a help line, a function adding its arguments and a
function running it that returns the exit code. ``register()`` adds one; modules listed in
``COMMAND_MODULES`` (this package's ``deploy``, ``interop`` and ``store``) are imported to register theirs, so adding
a command never means editing a long function. Modules keep heavy imports (Airflow, the
compiler) inside their run functions: ``schema``, ``validate`` and ``new`` must start fast.

Exit codes: 0 success, 1 invalid specs or a failed operation, 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from airflow_canvas.spec.models import Workflow
    from airflow_canvas.spec.problems import Problem

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
# Modules that call register() when imported; one that is not installed is skipped.
COMMAND_MODULES: list[str] = [
    "airflow_canvas.cli.deploy",
    "airflow_canvas.cli.interop",
    "airflow_canvas.cli.store",
]


class CliError(Exception):
    """A user-facing failure: printed as ``error: <message>``, exit code ``code``."""

    def __init__(self, message: str, code: int = EXIT_INVALID):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def register(command: Command) -> Command:
    COMMANDS[command.name] = command
    return command


# -- shared helpers ---------------------------------------------------------------------------


def read_spec_file(path: str) -> Any:
    """JSON (or YAML for .yaml/.yml) from a file; CliError(2) when it cannot be read or parsed."""
    file = Path(path)
    try:
        text = sys.stdin.read() if path == "-" else file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file", EXIT_USAGE) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot be read: {exc}", EXIT_USAGE) from None
    if file.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CliError(f"{path}: not valid YAML: {exc}", EXIT_USAGE) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", EXIT_USAGE
        ) from None


def load_and_validate(path: str) -> tuple[Workflow | None, list[Problem]]:
    from airflow_canvas.validation import validate

    result = validate(read_spec_file(path))
    return result.workflow, result.problems


def has_errors(problems: Sequence[Problem], *, strict: bool = False) -> bool:
    return any(p.severity == "error" or strict for p in problems)


def format_problem(problem: Problem) -> str:
    where = next(
        (
            f" ({kind} {value!r})"
            for kind, value in (
                ("node", problem.node_id),
                ("edge", problem.edge_id),
                ("group", problem.group_id),
            )
            if value
        ),
        "",
    )
    text = f"  {problem.severity} {problem.code} at {problem.pointer or '/'}{where}: {problem.message}"
    if problem.hint:
        text += f"\n      hint: {problem.hint}"
    return text


def print_problems(path: str, problems: Sequence[Problem], out: TextIO) -> None:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    status = "ok" if not errors else "invalid"
    counts = ", ".join(
        f"{n} {w}{'s' if n != 1 else ''}" for n, w in ((errors, "error"), (warnings, "warning")) if n
    )
    print(f"{path}: {status}" + (f" ({counts})" if counts else ""), file=out)
    for problem in problems:
        print(format_problem(problem), file=out)


def load_all_valid(paths: Sequence[str], *, strict: bool = False) -> list[tuple[str, Workflow]]:
    """Every file parsed and validated before anything is written: all or nothing."""
    loaded: list[tuple[str, Workflow]] = []
    failed = False
    for path in paths:
        wf, problems = load_and_validate(path)
        if wf is None or has_errors(problems, strict=strict):
            print_problems(path, problems, sys.stderr)
            failed = True
        else:
            if problems:  # warnings: shown, but they don't stop a compile or deploy
                print_problems(path, problems, sys.stderr)
            loaded.append((path, wf))
    if failed:
        raise CliError("nothing was written: fix the problems above first")
    seen: dict[str, str] = {}
    for path, wf in loaded:
        if wf.id in seen:
            raise CliError(f"{path} and {seen[wf.id]} both define workflow {wf.id!r}; ids must be unique")
        seen[wf.id] = path
    return loaded


def write_output(text: str, output: str | None, *, force: bool = True) -> None:
    if output in (None, "-"):
        sys.stdout.write(text)
        return
    target = Path(output)
    if target.exists() and not force:
        raise CliError(f"{output} exists; pass --force to overwrite it", EXIT_USAGE)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


# -- schema -----------------------------------------------------------------------------------


def _schema_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", help="write to this file instead of stdout")


def _schema_run(args: argparse.Namespace) -> int:
    from airflow_canvas.spec.load import workflow_json_schema

    write_output(json.dumps(workflow_json_schema(), indent=2, sort_keys=True) + "\n", args.output)
    return EXIT_OK


register(Command("schema", "print the JSON Schema of workflow specs", _schema_args, _schema_run))


# -- validate ---------------------------------------------------------------------------------


def _validate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="workflow spec (.json, .yaml; '-' for stdin)"
    )
    parser.add_argument("--json", action="store_true", help="print the problems as JSON")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _validate_run(args: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    for path in args.files:
        try:
            wf, problems = load_and_validate(path)
        except CliError as exc:  # unreadable: report it and go on with the other files
            if not args.json:
                print(f"error: {exc}", file=sys.stdout)
            results.append({"path": path, "valid": False, "error": str(exc), "problems": []})
            continue
        valid = wf is not None and not has_errors(problems, strict=args.strict)
        results.append({"path": path, "valid": valid, "problems": [p.to_dict() for p in problems]})
        if not args.json:
            print_problems(path, problems, sys.stdout)
    all_valid = all(r["valid"] for r in results)
    if args.json:
        print(json.dumps({"valid": all_valid, "files": results}, indent=2))
    if all_valid:
        return EXIT_OK
    unreadable = all("error" in r for r in results if not r["valid"])
    return EXIT_USAGE if unreadable else EXIT_INVALID


register(Command("validate", "check workflow specs and print every problem", _validate_args, _validate_run))


# -- compile ----------------------------------------------------------------------------------


def _compile_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="workflow spec (.json, .yaml)")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="folder for the DAG files ('-' prints a single DAG to stdout)",
    )


def _compile_run(args: argparse.Namespace) -> int:
    from airflow_canvas.compiler import compile_workflow
    from airflow_canvas.spec.problems import SpecError

    loaded = load_all_valid(args.files)
    if args.output == "-" and len(loaded) != 1:
        raise CliError("'-o -' prints one DAG; give a folder to compile several files", EXIT_USAGE)
    compiled = []
    for path, wf in loaded:
        try:
            compiled.append(compile_workflow(wf))
        except SpecError as exc:
            print_problems(path, exc.problems, sys.stderr)
            raise CliError("nothing was written: fix the problems above first") from None
    if args.output == "-":
        sys.stdout.write(compiled[0].source)
        return EXIT_OK
    from airflow_canvas.tools.bundle import atomic_write_text, write_tool_files

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for result in compiled:
        target = out / f"{result.dag_id}.py"
        atomic_write_text(target, result.source)
        if result.tools:
            write_tool_files(out, result.tools)  # so the folder works as a dags folder
        print(f"{target} (spec hash {result.spec_hash[:12]})")
    return EXIT_OK


register(Command("compile", "compile workflow specs into Airflow DAG files", _compile_args, _compile_run))


# -- new / templates --------------------------------------------------------------------------


def parse_assignment(text: str, schema: dict[str, Any] | None) -> tuple[str, Any]:
    """'key=value' -> (key, value). The value is JSON unless the parameter is a plain string, so
    '--set max_words=200' is a number while '--set language=42' stays text when language is a string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise CliError(f"--set {text!r}: expected key=value", EXIT_USAGE)
    types = (schema or {}).get("type")
    if types == "string":
        return key.strip(), raw
    try:
        return key.strip(), json.loads(raw)
    except json.JSONDecodeError:
        return key.strip(), raw


def _new_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="workflow name; its slug becomes the id (dag_id)")
    parser.add_argument(
        "-t", "--template", default="blank", help="template name (see `airflow-canvas templates`)"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="a template parameter"
    )
    parser.add_argument("-o", "--output", help="spec file to write (default: <id>.json; '-' for stdout)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def _new_run(args: argparse.Namespace) -> int:
    from airflow_canvas import templates
    from airflow_canvas.spec.load import dump_workflow
    from airflow_canvas.spec.models import ID_RE

    try:
        info = templates.get_template(args.template)
    except templates.TemplateError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    properties = info.parameters.get("properties", {})
    params = dict(parse_assignment(item, properties.get(item.partition("=")[0].strip())) for item in args.set)
    workflow_id = args.name if ID_RE.match(args.name) else templates.slugify(args.name)
    try:
        wf = templates.instantiate_template(
            info.name, params, workflow_id=workflow_id, workflow_name=args.name
        )
    except templates.TemplateError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    output = args.output or f"{wf.id}.json"
    write_output(json.dumps(dump_workflow(wf), indent=2, ensure_ascii=False) + "\n", output, force=args.force)
    if output != "-":
        print(f"{output}: new workflow {wf.id!r} from template {info.name!r}", file=sys.stderr)
    return EXIT_OK


register(Command("new", "scaffold a workflow spec from a template", _new_args, _new_run))


def _templates_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=["workflow", "subgraph"], help="only this kind")
    parser.add_argument("--json", action="store_true", help="print the metadata as JSON")


def _templates_run(args: argparse.Namespace) -> int:
    from airflow_canvas.templates import list_templates

    items = list_templates(args.kind)
    if args.json:
        print(json.dumps([t.to_dict() for t in items], indent=2))
        return EXIT_OK
    width = max((len(t.name) for t in items), default=0)
    for t in items:
        params = ", ".join(
            f"{k}={json.dumps(s.get('default'))}" for k, s in t.parameters.get("properties", {}).items()
        )
        print(f"{t.name:<{width}}  {t.kind:<8}  {t.title}")
        if params:
            print(f"{'':<{width}}  {'':<8}  parameters: {params}")
    return EXIT_OK


register(Command("templates", "list the workflow and sub-graph templates", _templates_args, _templates_run))


# -- sync-permissions -------------------------------------------------------------------------


def _sync_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ensure-fab-tables", action="store_true", help="create FAB's tables if missing")


def _sync_run(args: argparse.Namespace) -> int:
    from airflow_canvas.store.permissions import sync_permissions

    granted = sync_permissions(ensure_fab_tables=args.ensure_fab_tables)
    if not granted:
        print("No permissions stored: the auth manager is not FabAuthManager.")
    for role, permissions in sorted(granted.items()):
        print(f"{role}: {', '.join(permissions) or '-'}")
    return EXIT_OK


register(
    Command(
        "sync-permissions", "create the Canvas FAB permissions and default role grants", _sync_args, _sync_run
    )
)


# -- entry point ------------------------------------------------------------------------------


def _load_command_modules() -> None:
    for module in COMMAND_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # the module exists but one of its imports is missing
                raise


def build_parser() -> argparse.ArgumentParser:
    _load_command_modules()
    parser = argparse.ArgumentParser(
        prog="airflow-canvas", description="Airflow Canvas: validate, compile and deploy workflow specs."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(child)
        child.set_defaults(_run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for users; --debug shows it
        if args.debug:
            raise
        print(f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
