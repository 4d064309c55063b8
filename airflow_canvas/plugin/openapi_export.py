"""Write the API's OpenAPI document to ``ui/openapi.json``, the contract the UI's types come from.

    python -m airflow_canvas.plugin.openapi_export           # write it (and the UI's types)
    python -m airflow_canvas.plugin.openapi_export --check   # exit 1 if the committed one is stale

The document is committed (the UI build generates ``ui/src/api/schema.d.ts`` from it with
openapi-typescript, no Python needed); ``tests/unit/plugin/test_openapi_contract.py`` fails when a
route or model changed and the document was not exported again. Keys are sorted and the text ends
with a newline, so the same app always writes the same bytes. Where ui/node_modules is installed,
writing it also runs ``npm run api-types`` (the generated file, Prettier-formatted, as the build
writes it), so the two committed files never disagree.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

UI_DIR = Path(__file__).resolve().parents[2] / "ui"
DOCUMENT = UI_DIR / "openapi.json"
COMMAND = "python -m airflow_canvas.plugin.openapi_export"
GENERATOR = UI_DIR / "node_modules" / ".bin" / "openapi-typescript"


def document() -> dict[str, Any]:
    from airflow_canvas.plugin.app import app

    return app.openapi()


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed document")
    parser.add_argument("--output", type=Path, default=DOCUMENT)
    parser.add_argument("--no-types", action="store_true", help="do not run `npm run api-types` after")
    args = parser.parse_args(argv)
    text = render(document())
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run `{COMMAND}` and commit it.", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    if args.no_types or args.output != DOCUMENT:
        return 0
    npm = shutil.which("npm")
    if npm is None or not GENERATOR.exists():
        print("npm or ui/node_modules missing: run `cd ui && npm ci && npm run api-types` for the UI's types")
        return 0
    return subprocess.run([npm, "run", "--silent", "api-types"], cwd=UI_DIR, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
