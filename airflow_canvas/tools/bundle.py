"""Tool code deployed next to the DAG files, so workers run exactly the pinned version without
touching the metadata DB: ``<deploy_dir>/_canvas_tools/<name>/<version>.json`` (a Tool as JSON).
``_canvas_tools/`` is listed in ``<deploy_dir>/.airflowignore`` so the DAG processor skips it."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from airflow_canvas.spec.models import Tool

TOOLS_DIRNAME = "_canvas_tools"
IGNORE_FILE = ".airflowignore"


def tool_path(deploy_dir: str | Path, name: str, version: str) -> Path:
    return Path(deploy_dir) / TOOLS_DIRNAME / name / f"{version}.json"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same directory, fsync, rename: readers never see half a file.

    The temp name (``.<name>.<random>.tmp``) is not a ``.py`` file, so the DAG processor ignores it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private; a DAG file must be readable like any other file here.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_ignored(deploy_dir: str | Path, *patterns: str) -> None:
    """Add patterns to the deploy folder's .airflowignore (regexp syntax, Airflow's default)."""
    ignore = Path(deploy_dir) / IGNORE_FILE
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    missing = [p for p in patterns if p not in lines]
    if missing:
        atomic_write_text(ignore, "\n".join([*lines, *missing]) + "\n")


def write_tool_files(deploy_dir: str | Path, tools: Iterable[Tool]) -> list[Path]:
    """Write each tool version once; a published version never changes, so an existing identical
    file is left alone (and a different one is replaced: inline tools may be edited in place)."""
    ensure_ignored(deploy_dir, f"{TOOLS_DIRNAME}/")
    written = []
    for tool in tools:
        path = tool_path(deploy_dir, tool.name, tool.version)
        text = json.dumps(tool.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write_text(path, text)
        written.append(path)
    return written


def load_bundled_tool(dag_fileloc: str | Path, name: str, version: str) -> Tool | None:
    """The tool bundled beside a deployed DAG file, or None when that version is not bundled."""
    path = tool_path(Path(dag_fileloc).parent, name, version)
    if not path.is_file():
        return None
    return Tool.model_validate_json(path.read_text(encoding="utf-8"))
