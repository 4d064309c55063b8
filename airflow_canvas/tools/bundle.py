"""Tool code deployed next to the DAG files, so workers run exactly the pinned version without
touching the metadata DB: ``<deploy_dir>/_canvas_tools/<name>/<version>-<sha256>.json`` (a Tool as
JSON). ``_canvas_tools/`` is listed in ``<deploy_dir>/.airflowignore`` so the DAG processor skips it.

The files are content-addressed: the name carries the SHA-256 of the file's bytes, and the generated
DAG passes that digest to its operators, which verify it on load. Two workflows whose tools share a
name@version but not their code get two files, so no deploy can replace the code another deployed
DAG runs, and a file edited in place is refused instead of run. DAGs deployed before this layout
(``<version>.json``, no digest in the DAG) are still loaded from there: those files are never written
again, so nothing can replace them either.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from airflow_canvas.spec.compat import tool_exclude
from airflow_canvas.spec.models import Tool

TOOLS_DIRNAME = "_canvas_tools"
IGNORE_FILE = ".airflowignore"

# What may become a path segment: a digest is exactly 64 lowercase hex digits; names and versions
# follow the Tool model's patterns (checked again here: the loader takes them from a DAG file).
# Used with fullmatch: `$` would also match before a trailing newline.
_DIGEST_RE = re.compile(r"[0-9a-f]{64}")
_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
_VERSION_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")


class ToolIntegrityError(RuntimeError):
    """A bundled tool file is not the content the DAG was compiled with (edited, corrupted, or the
    wrong tool): it is refused rather than run."""


def tool_text(tool: Tool) -> str:
    """The exact text of a tool's bundled file (canonical: sorted keys, fixed indentation)."""
    return (
        json.dumps(tool.model_dump(mode="json", exclude=tool_exclude(tool)), indent=2, sort_keys=True) + "\n"
    )


def tool_digest(tool: Tool) -> str:
    """SHA-256 (hex) of ``tool_text(tool)``: the digest a generated DAG pins the tool with."""
    return hashlib.sha256(tool_text(tool).encode("utf-8")).hexdigest()


def _checked_segments(name: str, version: str, digest: str | None) -> None:
    if not _NAME_RE.fullmatch(name) or not _VERSION_RE.fullmatch(version):
        raise ToolIntegrityError(f"{name}@{version} is not a tool reference (name@1.2.3)")
    if digest is not None and not _DIGEST_RE.fullmatch(digest):
        raise ToolIntegrityError(f"Tool {name}@{version}: {digest!r} is not a SHA-256 hex digest")


def tool_path(deploy_dir: str | Path, name: str, version: str, digest: str | None = None) -> Path:
    """Where a tool version's file lives; without ``digest``, the pre-content-addressing path."""
    _checked_segments(name, version, digest)
    filename = f"{version}-{digest}.json" if digest else f"{version}.json"
    return Path(deploy_dir) / TOOLS_DIRNAME / name / filename


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


def _digest_of_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_tool_files(deploy_dir: str | Path, tools: Iterable[Tool]) -> list[Path]:
    """Write each tool's content-addressed file. A file already holding the right bytes is left
    alone; one whose bytes do not match its name (damaged) is rewritten with them, which changes
    nothing any DAG may load: no file ever holds other content legitimately."""
    ensure_ignored(deploy_dir, f"{TOOLS_DIRNAME}/")
    written = []
    for tool in tools:
        text = tool_text(tool)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        path = tool_path(deploy_dir, tool.name, tool.version, digest)
        if not path.is_file() or _digest_of_file(path) != digest:
            atomic_write_text(path, text)
        written.append(path)
    return written


@functools.lru_cache(maxsize=64)
def _parsed_tool(data: bytes) -> Tool:
    """The Tool in a bundled file's bytes. Keyed by the whole content, so the file is still read
    and its digest checked on every load; only the model validation of bytes already seen is
    skipped (a task runs the same pinned file on every call)."""
    return Tool.model_validate_json(data)


def load_bundled_tool(
    dag_fileloc: str | Path, name: str, version: str, digest: str | None = None
) -> Tool | None:
    """The tool bundled beside a deployed DAG file, or None when that version is not bundled.

    With ``digest`` (every DAG compiled since tool files are content-addressed) only the file with
    exactly that content is accepted: ToolIntegrityError when its bytes hash to anything else or
    it holds another tool. Without it, the old ``<version>.json`` layout of earlier deploys."""
    if digest is None and not (_NAME_RE.fullmatch(name) and _VERSION_RE.fullmatch(version)):
        return None  # e.g. a hand-written DAG's version range: only the registry resolves those
    path = tool_path(Path(dag_fileloc).parent, name, version, digest)
    if not path.is_file():
        return None
    data = path.read_bytes()
    if digest is not None:
        actual = hashlib.sha256(data).hexdigest()
        if not hmac.compare_digest(actual, digest):
            raise ToolIntegrityError(
                f"Tool {name}@{version}: {path} has been changed since it was deployed (SHA-256 "
                f"{actual}, the DAG pins {digest}); refusing to run it. Redeploy the workflow."
            )
    tool = _parsed_tool(data).model_copy()  # a copy: a caller setting a field changes no cached one
    if (tool.name, tool.version) != (name, version):
        raise ToolIntegrityError(f"{path} holds tool {tool.ref}, not {name}@{version}; refusing to run it.")
    return tool
