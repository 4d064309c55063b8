"""``airflow-canvas import`` and ``airflow-canvas export``, registered into the CLI (cli/__init__.py lists
this module in COMMAND_MODULES)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from airflow_canvas.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CliError, Command, print_problems, register


def _import_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="dag-factory YAML or Elyra .pipeline files")
    parser.add_argument(
        "-o", "--output-dir", default=".", help="folder for the <workflow id>.json specs (default: .)"
    )
    parser.add_argument(
        "--defaults-root",
        help="top folder whose defaults.yml files apply (dag-factory's "
        "defaults_config_path); the YAML's own folder always does",
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing spec files")
    parser.add_argument("--json", action="store_true", help="print the import reports as JSON")


def _import_run(args: argparse.Namespace) -> int:
    from airflow_canvas.exporters.json_export import export_json
    from airflow_canvas.importers import ImportError_, import_file
    from airflow_canvas.importers.yaml_values import DEFAULTS_FILE_NAMES
    from airflow_canvas.validation import validate

    out_dir = Path(args.output_dir)
    root = Path(args.defaults_root) if args.defaults_root else None
    code, summary = EXIT_OK, []
    for path in args.files:
        if Path(path).name in DEFAULTS_FILE_NAMES:  # e.g. from a *.yml glob: not a DAG file itself
            print(
                f"note: {path} holds dag-factory defaults; it applies to the YAML files next to it.",
                file=sys.stderr,
            )
            continue
        try:
            results = import_file(path, defaults_root=root)
        except ImportError_ as exc:
            print(f"error: {exc}", file=sys.stderr)
            summary.append({"file": path, "error": str(exc)})
            code = max(code, EXIT_USAGE)
            continue
        for result in results:
            wf = result.workflow
            target = out_dir / f"{wf.id}.json"
            if target.exists() and not args.force:
                raise CliError(f"{target} exists; pass --force to overwrite it", EXIT_USAGE)
            out_dir.mkdir(parents=True, exist_ok=True)
            target.write_text(export_json(wf), encoding="utf-8")
            problems = validate(wf).problems
            if any(p.severity == "error" for p in problems):
                code = max(code, EXIT_INVALID)
            summary.append(
                {
                    "file": path,
                    "workflow": wf.id,
                    "spec": str(target),
                    **result.report.to_dict(),
                    "problems": [p.to_dict() for p in problems],
                }
            )
            if not args.json:
                print(f"{path} -> {target}", file=sys.stderr)
                for item in result.report.items:
                    print(f"  {item.severity} {item.path}: {item.message}", file=sys.stderr)
                if problems:
                    print_problems(str(target), problems, sys.stderr)
    if args.json:
        print(json.dumps(summary, indent=2))
    return code


def _export_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="workflow spec (.json, .yaml; '-' for stdin)")
    parser.add_argument(
        "-f",
        "--format",
        choices=("json", "python", "dag-factory"),
        default="json",
        help="json: the canonical spec; python: a standalone (ejected) DAG file; "
        "dag-factory: YAML for operator-only workflows",
    )
    parser.add_argument("-o", "--output", help="write to this file instead of stdout")


def _export_run(args: argparse.Namespace) -> int:
    from airflow_canvas.cli import has_errors, load_and_validate, write_output
    from airflow_canvas.exporters import ExportError, export_workflow
    from airflow_canvas.spec.problems import SpecError

    wf, problems = load_and_validate(args.file)
    if wf is None or has_errors(problems):
        print_problems(args.file, problems, sys.stderr)
        raise CliError("nothing was exported: fix the problems above first")
    try:
        text = export_workflow(wf, args.format)
    except ExportError as exc:
        raise CliError(str(exc)) from None
    except SpecError as exc:
        print_problems(args.file, exc.problems, sys.stderr)
        raise CliError("the workflow does not compile") from None
    write_output(text, args.output)
    return EXIT_OK


register(
    Command(
        "import", "import dag-factory YAML / Elyra pipelines as workflow specs", _import_args, _import_run
    )
)
register(
    Command(
        "export",
        "export a workflow as JSON, a standalone DAG file, or dag-factory YAML",
        _export_args,
        _export_run,
    )
)
