"""The hash of the UI sources that the committed bundle in ``airflow_canvas/static`` was built from.

``pip install`` must not need Node, so the built bundle is committed. This hash is how a test (and
``make ui``) notices that ``ui/`` changed without a rebuild:

    python -m airflow_canvas.plugin.bundle_hash --check   # exit 1 when the bundle is stale
    python -m airflow_canvas.plugin.bundle_hash --write   # record the hash (``npm run build`` does it)
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent
UI_DIR = REPO_DIR / "ui"
HASH_FILE = PACKAGE_DIR / "static" / "ui-source-hash.txt"

# Everything that changes the bundle's bytes: dependencies, build config and the sources.
# Unit tests live in ui/tests/ and are left out on purpose: editing a test needs no rebuild.
TOP_LEVEL_FILES = (
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "vite.harness.config.ts",
    "tsconfig.json",
    "harness.html",
    "vite.baseline.config.ts",
    "harness-baseline.html",
    "openapi.json",  # the build generates src/api/schema.d.ts from it (npm run api-types)
)
SOURCE_DIRS = ("src",)


def source_files(ui_dir: Path = UI_DIR) -> list[Path]:
    files = [ui_dir / name for name in TOP_LEVEL_FILES if (ui_dir / name).is_file()]
    for folder in SOURCE_DIRS:
        files.extend(p for p in (ui_dir / folder).rglob("*") if p.is_file())
    return sorted(files, key=lambda p: p.relative_to(ui_dir).as_posix())


def compute_hash(files: Iterable[Path], root: Path = UI_DIR) -> str:
    digest = hashlib.sha256()
    for path in files:
        # The relative path is hashed too, so renaming a file changes the hash.
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        # Line endings are normalised so a checkout with CRLF does not look stale.
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def current_hash(ui_dir: Path = UI_DIR) -> str:
    return compute_hash(source_files(ui_dir), ui_dir)


def committed_hash(hash_file: Path = HASH_FILE) -> str | None:
    return hash_file.read_text().strip() if hash_file.is_file() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="exit 1 when the committed hash is stale")
    group.add_argument("--write", action="store_true", help="record the hash of the current sources")
    args = parser.parse_args(argv)
    if not (UI_DIR / "package.json").is_file():
        # An installed package has no ui/ sources: the committed bundle is all there is.
        print("ui/ sources not found; nothing to check")
        return 0
    actual = current_hash(UI_DIR)
    if args.write:
        HASH_FILE.parent.mkdir(parents=True, exist_ok=True)
        HASH_FILE.write_text(actual + "\n")
        print(f"wrote {HASH_FILE.relative_to(REPO_DIR)}: {actual}")
        return 0
    expected = committed_hash(HASH_FILE)
    if expected != actual:
        print(
            f"UI bundle is stale: ui/ sources hash to {actual} but {HASH_FILE.relative_to(REPO_DIR)} "
            f"records {expected}. Rebuild with `make ui` (or `cd ui && npm run build`) and commit "
            "airflow_canvas/static/."
        )
        return 1
    print(f"UI bundle is up to date ({actual})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
