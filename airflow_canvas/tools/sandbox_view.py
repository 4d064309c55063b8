"""What a sandboxed run sees: the bubblewrap command line, its mounts and environment, and the
server paths that are covered even inside a visible directory (tools/sandbox.py runs it)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow_canvas.tools.sandbox import SandboxConfig, SandboxRun

SECTION = "airflow_canvas"
NOBODY = 65534
MB = 1024 * 1024

# /etc entries a Python process needs (dynamic loader, time zone, TLS roots, name service). Files
# and directories that hold secrets (/etc/shadow, /etc/ssl/private, /etc/pki/tls/private) are not
# here, so they do not exist inside.
_ETC = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "alternatives",
    "ssl/certs", "ssl/openssl.cnf", "ca-certificates", "ca-certificates.conf", "pki/tls/certs",
    "pki/ca-trust", "crypto-policies", "mime.types", "nsswitch.conf", "host.conf", "gai.conf",
    "services", "protocols", "hosts",
)  # fmt: skip
_ETC_NETWORK = ("resolv.conf",)
_SYSTEM_DIRS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


def package_dir() -> Path:
    """This package's directory: visible read-only, its parent goes on PYTHONPATH."""
    import airflow_canvas

    return Path(airflow_canvas.__file__).resolve().parent


def python_roots(python: str = sys.executable) -> list[Path]:
    """The interpreter's installation and virtualenv(s) (read-only inside)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    if python != sys.executable:  # a tool's venv: <venv>/bin/python
        roots.add(str(Path(python).parent.parent))
        roots.add(str(Path(os.path.realpath(python)).parent.parent))
    return [Path(r) for r in sorted(roots) if r and os.path.isdir(r)]


def _conf(section: str, key: str) -> str:
    with contextlib.suppress(Exception):
        from airflow.configuration import conf

        return conf.get(section, key, fallback="") or ""
    return ""


def _environment_folders(raw: str) -> list[str]:
    """The folders of the deploy environments, in both forms of the setting (``"name": "/dir"`` and
    ``"name": {"folder": "/dir", ...}``). Read here, not through service/environments.py (a higher
    layer); a malformed setting hides no less (the Airflow paths above) and is refused there."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    folders = []
    for value in data.values():
        folder = value.get("folder") if isinstance(value, dict) else value
        if isinstance(folder, str):
            folders.append(folder)
    return folders


def forbidden_paths() -> list[Path]:
    """Server paths no run may see even when a visible directory contains them."""
    raw = [os.environ.get("AIRFLOW_HOME", ""), os.environ.get("AIRFLOW_CONFIG", "")]
    raw += [
        _conf("core", "dags_folder"),
        _conf("core", "plugins_folder"),
        _conf("logging", "base_log_folder"),
    ]
    raw += [_conf(SECTION, "deploy_dir")]
    db = _conf("database", "sql_alchemy_conn")
    if db.startswith("sqlite:"):
        raw.append(db.split(":///", 1)[-1].split("?", 1)[0])
    raw += _environment_folders(_conf(SECTION, "environments"))
    raw.append(_conf(SECTION, "git_cache_dir"))  # Git environments' work clones (default: in AIRFLOW_HOME)
    out = []
    for item in raw:
        if item:
            path = Path(item).expanduser()
            out.append(path.resolve() if path.exists() else path)
    return out


def _inside(path: Path, parent: Path) -> bool:
    return path != parent and path.is_relative_to(parent)


def minimal_env(run: SandboxRun, tmp: str) -> dict[str, str]:
    bin_dirs = [str(Path(run.python).parent)] if run.python != sys.executable else []
    env = {
        "PATH": ":".join([*bin_dirs, "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": tmp,
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(package_dir().parent),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update({k: v.replace("{tmp}", tmp) for k, v in run.env.items()})
    return env


def _identity_files(scratch: Path) -> dict[str, Path]:
    """A passwd and group that know only root and nobody (tools calling getpwuid still work)."""
    passwd, group = scratch / "passwd", scratch / "group"
    passwd.write_text(
        f"root:x:0:0::/nonexistent:/usr/sbin/nologin\nnobody:x:{NOBODY}:{NOBODY}::/tmp:/usr/sbin/nologin\n"
    )
    group.write_text(f"root:x:0:\nnogroup:x:{NOBODY}:\n")
    return {"/etc/passwd": passwd, "/etc/group": group}


def _mounts(run: SandboxRun, cfg: SandboxConfig, scratch: Path) -> list[str]:
    """Every mount, ordered so that a deeper path always goes on top of the one containing it."""
    ops: list[tuple[int, int, list[str]]] = []  # (depth, 0 mask / 1 bind, args)

    def add(dest: Path | str, kind: int, args: list[str]) -> None:
        ops.append((len(Path(dest).parts), kind, args))

    add("/usr", 1, ["--ro-bind", "/usr", "/usr"])
    for name in _SYSTEM_DIRS:
        path = Path("/") / name
        if path.is_symlink():
            add(path, 1, ["--symlink", os.readlink(path), str(path)])
        elif path.is_dir():
            add(path, 1, ["--ro-bind", str(path), str(path)])
    for name in _ETC + (_ETC_NETWORK if run.network else ()):
        add(f"/etc/{name}", 1, ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"])
    if run.network:
        for pip_conf in ("/etc/pip.conf", "/etc/xdg/pip"):
            add(pip_conf, 1, ["--ro-bind-try", pip_conf, pip_conf])
    for dest, src in _identity_files(scratch).items():
        add(dest, 1, ["--ro-bind", str(src), dest])
    add("/proc", 1, ["--proc", "/proc"])
    add("/dev", 1, ["--dev", "/dev"])
    add("/tmp", 1, ["--perms", "1777", "--size", str(cfg.tmp_mb * MB), "--tmpfs", "/tmp"])
    visible = [*python_roots(run.python), package_dir(), *map(Path, run.readonly)]
    for path in dict.fromkeys(visible):
        add(path, 1, ["--ro-bind", str(path), str(path)])
    for path in run.writable:
        add(path, 1, ["--bind", str(path), str(path)])
    for path in forbidden_paths():
        # Only what a visible directory would expose needs covering; a visible path inside a
        # forbidden one (a venv under AIRFLOW_HOME) is mounted on top, so only it shows.
        if any(_inside(path, Path(v)) for v in [Path("/usr"), *visible]) and path.exists():
            add(path, 0, ["--tmpfs", str(path)] if path.is_dir() else ["--ro-bind", "/dev/null", str(path)])
    return [arg for _, _, args in sorted(ops, key=lambda op: (op[0], op[1])) for arg in args]


def bwrap_command(bwrap: str, run: SandboxRun, cfg: SandboxConfig, scratch: Path) -> list[str]:
    cmd = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--uid", str(NOBODY),
           "--gid", str(NOBODY), "--hostname", "canvas-sandbox", "--die-with-parent", "--new-session",
           "--cap-drop", "ALL", "--clearenv"]  # fmt: skip
    if run.network:
        cmd.append("--share-net")
    for key, value in minimal_env(run, "/tmp").items():
        cmd += ["--setenv", key, value]
    cmd += _mounts(run, cfg, scratch)
    cmd += ["--chdir", "/tmp", "--", *run.argv]
    return cmd
