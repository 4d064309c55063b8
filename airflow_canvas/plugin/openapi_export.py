"""Write the API's OpenAPI document to ``ui/openapi.json``, the contract the UI's types come from.

    python -m airflow_canvas.plugin.openapi_export           # write it
    python -m airflow_canvas.plugin.openapi_export --check   # exit 1 if the committed one is stale

The document is committed (the UI build generates ``ui/src/api/schema.d.ts`` from it with
openapi-typescript, no Python needed); ``tests/unit/plugin/test_openapi_contract.py`` fails when a
route or model changed and the document was not exported again. Keys are sorted and the text ends
with a newline, so the same app always writes the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).resolve().parents[2] / "ui" / "openapi.json"
COMMAND = "python -m airflow_canvas.plugin.openapi_export"


def document() -> dict[str, Any]:
    from airflow_canvas.plugin.app import app

    return app.openapi()


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed document")
    parser.add_argument("--output", type=Path, default=DOCUMENT)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
