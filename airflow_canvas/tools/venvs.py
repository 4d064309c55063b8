"""A cache of virtualenvs for tools with pip dependencies, keyed by the requirement set.

Each venv is created with ``--without-pip`` and a ``.pth`` file that adds the creating
interpreter's site-packages *after* its own: Airflow and this package stay importable inside the
venv (the sandbox child and the built-ins need them) while a tool's pinned dependencies, installed
into the venv, take precedence. ``--system-site-packages`` is not enough because workers usually
run Airflow from a virtualenv themselves, and a venv made from a venv only sees the *base*
interpreter's packages. pip runs from the parent interpreter with ``--python`` pointing at the new
venv, which saves installing pip into every venv.

Concurrent workers asking for the same set serialise on a lock file; the venv is usable once its
``.canvas-ready`` marker exists, so a crash half-way leaves a venv that is rebuilt, never used.

Installing runs package code (an sdist's build backend). When the API server builds a venv for a
user's test run (``sandboxed=True``), ``venv`` and ``pip`` run in the bubblewrap sandbox with the
network (to reach the index) and only the new venv's directory writable; a worker builds its venvs
directly, as the trusted Airflow task it is.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

READY_MARKER = ".canvas-ready"
CACHE_ENV = "AIRFLOW__AIRFLOW_CANVAS__VENV_CACHE_DIR"


class VenvError(RuntimeError):
    """A requirement is not acceptable, or installing the requirement set failed."""


@dataclass(frozen=True)
class Venv:
    path: Path
    key: str
    requirements: tuple[str, ...]
    created: bool  # False when the cache already had it
    seconds: float  # time spent in ensure_venv (a cache hit costs a stat and a lock)

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"


def cache_dir() -> Path:
    """The venv cache: ``[airflow_canvas] venv_cache_dir`` (airflow.cfg or its env var), else
    ``$AIRFLOW_HOME/canvas_venvs``, else ``~/.cache/airflow-canvas/venvs``."""
    configured = os.environ.get(CACHE_ENV)
    if not configured:
        try:
            from airflow.configuration import conf

            configured = conf.get("airflow_canvas", "venv_cache_dir", fallback="")
        except ImportError:  # the sandbox child and tests may run without Airflow configured
            configured = ""
    if configured:
        return Path(configured).expanduser()
    if os.environ.get("AIRFLOW_HOME"):
        return Path(os.environ["AIRFLOW_HOME"]) / "canvas_venvs"
    return Path.home() / ".cache" / "airflow-canvas" / "venvs"


def normalize_requirements(requirements: Iterable[str]) -> tuple[str, ...]:
    """Parse each requirement as PEP 508 (refusing pip options such as ``--index-url`` or ``-e``,
    which would let a tool redirect installs) and return the sorted, de-duplicated set."""
    from packaging.requirements import InvalidRequirement, Requirement

    out = set()
    for raw in requirements:
        text = raw.strip()
        if not text:
            continue
        if text.startswith("-"):
            raise VenvError(f"Requirement {text!r}: pip options are not allowed, only package requirements")
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            raise VenvError(f"Requirement {text!r} is not valid: {exc}") from None
        if req.url:
            raise VenvError(f"Requirement {text!r}: direct URLs are not allowed")
        out.add(str(req))
    return tuple(sorted(out, key=str.lower))


def requirements_key(requirements: Iterable[str]) -> str:
    reqs = normalize_requirements(requirements)
    python = f"py{sys.version_info.major}.{sys.version_info.minor}"
    digest = hashlib.sha256("\n".join([python, *reqs]).encode()).hexdigest()[:20]
    return f"{python}-{digest}"


def _parent_site_dirs() -> list[str]:
    dirs = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    return list(dict.fromkeys(d for d in dirs if os.path.isdir(d)))


def _site_packages(venv: Path) -> Path:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return venv / "lib" / version / "site-packages"


def _host_runner(argv: list[str], path: Path, timeout: float) -> tuple[int, str]:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stderr or proc.stdout


def _sandbox_runner(argv: list[str], path: Path, timeout: float) -> tuple[int, str]:
    """``argv`` in the sandbox: the network on, ``path`` the one writable host directory."""
    from airflow_canvas.tools import sandbox

    with tempfile.TemporaryFile() as out:
        spec = sandbox.SandboxRun(
            argv, timeout, writable=[path], network=True, cap_time=False, stdout=out, stderr=out,
            # pip unpacks and builds under TMPDIR: inside the venv's directory, not the small tmpfs.
            env={"TMPDIR": str(path / ".build-tmp"), "PIP_NO_CACHE_DIR": "1",
                 **{k: v for k, v in os.environ.items() if k in _PIP_SETTINGS}},
        )  # fmt: skip
        outcome = sandbox.run(spec)
        out.seek(0)
        text = out.read()[-20000:].decode("utf-8", errors="replace")
    if outcome.timed_out:
        raise subprocess.TimeoutExpired(argv, timeout)
    if outcome.memory_exceeded:
        return 1, f"{text}\nstopped at the sandbox's memory cap ({outcome.memory_mb} MB)"
    return outcome.returncode or 0, outcome.setup_error or text


# Index settings an admin may have given the server; pip in the sandbox needs them to find packages.
_PIP_SETTINGS = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_CERT")
_Runner = Callable[[list[str], Path, float], tuple[int, str]]


def _build(path: Path, requirements: tuple[str, ...], timeout: float, run: _Runner) -> None:
    if path.exists():
        shutil.rmtree(path)  # a half-built venv from a crashed attempt
    path.mkdir(parents=True)
    (path / ".build-tmp").mkdir()
    code, output = run([sys.executable, "-m", "venv", "--without-pip", str(path)], path, timeout)
    if code != 0:
        shutil.rmtree(path, ignore_errors=True)
        raise VenvError(f"creating a virtualenv at {path} failed:\n{output.strip()[-2000:]}")
    lines = [f"import site; site.addsitedir({d!r})" for d in _parent_site_dirs()]
    (_site_packages(path) / "_canvas_parent_site.pth").write_text("\n".join(lines) + "\n")
    if requirements:
        cmd = [sys.executable, "-m", "pip", "--python", str(path / "bin" / "python"), "install",
               "--no-input", "--disable-pip-version-check", "--quiet", *requirements]  # fmt: skip
        code, output = run(cmd, path, timeout)
        if code != 0:
            shutil.rmtree(path, ignore_errors=True)
            raise VenvError(f"pip install {' '.join(requirements)} failed:\n{output.strip()[-2000:]}")
    shutil.rmtree(path / ".build-tmp", ignore_errors=True)
    (path / READY_MARKER).write_text("\n".join(requirements) + "\n")


def ensure_venv(
    requirements: Iterable[str], *, root: Path | None = None, timeout: float = 900, sandboxed: bool = False
) -> Venv:
    """The cached venv for this requirement set, built on first use (in the sandbox when
    ``sandboxed``: the API server building it for a user's run)."""
    started = time.monotonic()
    reqs = normalize_requirements(requirements)
    key = requirements_key(reqs)
    root = root or cache_dir()
    path = root / key
    if (path / READY_MARKER).is_file():
        return Venv(path, key, reqs, False, time.monotonic() - started)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building the same set right now
        try:
            created = not (path / READY_MARKER).is_file()
            if created:
                _build(path, reqs, timeout, _sandbox_runner if sandboxed else _host_runner)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return Venv(path, key, reqs, created, time.monotonic() - started)
