"""Deploy to a Git environment: commit the generated files to a branch and push them.

Every change happens in a work clone under ``[airflow_canvas] git_cache_dir`` (default
``$AIRFLOW_HOME/canvas_git``), one per environment, serialized by a lock file beside it (API workers
and the CLI may deploy at once). One change is:

1. fetch the branch and reset the clone to it (``reset --hard`` + ``clean``: nothing left over from
   an earlier failure);
2. let ``apply(folder)`` write or remove the files in the environment's folder of the clone;
3. stage that folder only, commit (author = the canvas user) and push;
4. a push rejected because someone else pushed first is retried from step 1 on the new head
   (``PUSH_ATTEMPTS`` times), then reported as GitConflict; any other failure is GitError.

On failure the clone is reset to the last fetched remote state (or removed), so the next change
starts clean and nothing half-made is ever pushed. Callers record a deployment only after
``commit_change`` returned.

``git`` runs through subprocess with a fixed argv: no shell, user text never as an option (branch
and path are checked by service/environments.py, ``--`` comes before URLs and paths, the commit
message goes through stdin, the author through the environment). Credentials come from the Airflow
connection named by ``git.conn_id`` and reach git only through the child's environment (a
credential helper script that prints them from there, or ``GIT_SSH_COMMAND`` with a key file); they
never appear in argv, the clone's config, logs or error messages (URLs with userinfo are redacted).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shlex
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from airflow_canvas.service.environments import SECTION, GitTarget, redact_url

PUSH_ATTEMPTS = 4
GIT_TIMEOUT = 120.0
COMMITTER = ("Airflow Canvas", "airflow-canvas@localhost")
LOCAL_EXCLUDES = (".airflow-canvas-deploy.lock", "*.tmp")  # never committed (compiler/deploy.py's)
_REJECTED = re.compile(r"\[rejected\]|non-fast-forward|fetch first|\(stale info\)|cannot lock ref")


class GitError(RuntimeError):
    """A Git deploy failed (remote unreachable, git refused, ...); nothing was pushed."""

    def __init__(self, message: str, *, details: str = "") -> None:
        self.details = details
        super().__init__(message)


class GitConflict(GitError):
    """The push was rejected every time: others kept pushing to the branch."""


@dataclass(frozen=True)
class Commit:
    sha: str  # "" when there was nothing to commit (the branch already had these files)
    branch: str
    attempts: int

    @property
    def changed(self) -> bool:
        return bool(self.sha)


def cache_dir() -> Path:
    from airflow.configuration import conf

    configured = conf.get(SECTION, "git_cache_dir", fallback="")
    home = os.environ.get("AIRFLOW_HOME") or conf.get("core", "airflow_home", fallback="~/airflow")
    return Path(configured or Path(home) / "canvas_git").expanduser()


def _scrub(text: str, target: GitTarget, secrets: tuple[str, ...] = ()) -> str:
    """git output as it may be shown: the raw URL (and any secret) replaced by redacted text."""
    if target.url in text:
        text = text.replace(target.url, redact_url(target.url))
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return re.sub(r"(://[^/\s:@]*):[^@/\s]*@", r"\1:***@", text)[-4000:]


class _Git:
    """Runs git in one work clone with a fixed environment (credentials included)."""

    def __init__(self, clone: Path, target: GitTarget, env: dict[str, str], secrets: tuple[str, ...]):
        self.clone = clone
        self.target = target
        self.env = env
        self.secrets = secrets

    def run(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.clone,
                env=self.env,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT:.0f} s") from None
        if check and done.returncode != 0:
            raise GitError(
                f"git {args[0]} failed (exit {done.returncode})",
                details=_scrub(done.stderr + done.stdout, self.target, self.secrets),
            )
        return done

    def remote_head(self) -> str | None:
        """The branch's commit on the remote, None when the branch does not exist there yet."""
        ref = f"refs/heads/{self.target.branch}"
        done = self.run("ls-remote", "--heads", "--", self.target.url, ref, check=False)
        if done.returncode != 0:
            raise GitError(
                f"the repository {redact_url(self.target.url)} cannot be reached",
                details=_scrub(done.stderr, self.target, self.secrets),
            )
        for line in done.stdout.splitlines():
            sha, _, name = line.partition("\t")
            if name == ref:
                return sha
        return None

    def sync(self) -> None:
        """Reset the clone to the remote branch (an empty unborn branch when it has none yet)."""
        tracking = f"refs/remotes/origin/{self.target.branch}"
        head = self.remote_head()
        if head is None:
            self.run("update-ref", "-d", tracking, check=False)
            self.run("symbolic-ref", "HEAD", f"refs/heads/{self.target.branch}")
            self.run("update-ref", "-d", f"refs/heads/{self.target.branch}", check=False)
            self.run("read-tree", "--empty")
        else:
            self.run(
                "fetch",
                "--quiet",
                "--no-tags",
                "--",
                self.target.url,
                f"+refs/heads/{self.target.branch}:{tracking}",
            )
            self.run("checkout", "--quiet", "--force", "-B", self.target.branch, tracking)
            self.run("reset", "--quiet", "--hard", tracking)
        self.run("clean", "--quiet", "-d", "--force", "-x")

    def reset_to_remote(self) -> None:
        """After a failure: back to the last fetched remote state; the clone is removed if even that
        fails (the next change clones afresh)."""
        tracking = f"refs/remotes/origin/{self.target.branch}"
        try:
            if self.run("rev-parse", "--verify", "--quiet", tracking, check=False).returncode == 0:
                self.run("checkout", "--quiet", "--force", "-B", self.target.branch, tracking)
                self.run("reset", "--quiet", "--hard", tracking)
            else:
                self.run("update-ref", "-d", f"refs/heads/{self.target.branch}", check=False)
                self.run("read-tree", "--empty")
            self.run("clean", "--quiet", "-d", "--force", "-x")
        except GitError:
            shutil.rmtree(self.clone, ignore_errors=True)


def _credentials(target: GitTarget, helper_dir: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """Environment variables that give git the connection's credentials, and the secrets to scrub."""
    if not target.conn_id:
        return {}, ()
    from airflow.models.connection import Connection

    try:
        conn = Connection.get_connection_from_secrets(target.conn_id)
    except Exception:  # AirflowNotFoundException: say which id, nothing more
        raise GitError(
            f"the Airflow connection {target.conn_id!r} of this Git environment does not exist"
        ) from None
    extra = conn.extra_dejson
    env: dict[str, str] = {}
    token = conn.password or ""
    if token and target.url.startswith(("http://", "https://")):
        helper = helper_dir / "credential-helper.sh"
        helper.write_text(
            '#!/bin/sh\ncat > /dev/null\n[ "$1" = get ] || exit 0\n'
            'printf \'username=%s\\npassword=%s\\n\' "$CANVAS_GIT_USER" "$CANVAS_GIT_TOKEN"\n'
        )
        helper.chmod(stat.S_IRWXU)
        env |= {
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "credential.helper",
            "GIT_CONFIG_VALUE_0": "",  # no system-wide helper answers (or stores) first
            "GIT_CONFIG_KEY_1": "credential.helper",
            "GIT_CONFIG_VALUE_1": "!" + shlex.quote(str(helper)),
            "CANVAS_GIT_USER": conn.login or "user",
            "CANVAS_GIT_TOKEN": token,
        }
    key_file = extra.get("key_file")
    if extra.get("private_key"):
        key = helper_dir / "id_key"
        key.write_text(str(extra["private_key"]).rstrip("\n") + "\n")
        key.chmod(stat.S_IRUSR | stat.S_IWUSR)
        key_file = str(key)
    if key_file:
        checking = str(extra.get("strict_host_key_checking") or "accept-new")
        if checking not in ("yes", "no", "accept-new", "off", "ask"):
            raise GitError(
                f"connection {target.conn_id!r}: strict_host_key_checking {checking!r} is not valid"
            )
        env["GIT_SSH_COMMAND"] = (
            f"ssh -i {shlex.quote(str(key_file))} -o IdentitiesOnly=yes -o StrictHostKeyChecking={checking}"
        )
    return env, tuple(s for s in (token, str(extra.get("private_key") or "")) if s)


def _base_env() -> dict[str, str]:
    keep = (
        "PATH",
        "HOME",
        "LANG",
        "LC_ALL",
        "TMPDIR",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "NO_PROXY",
    )
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env |= {
        "GIT_TERMINAL_PROMPT": "0",  # never wait for a password on a terminal
        "GIT_CONFIG_NOSYSTEM": "1",
        # Transports a URL may name: never ext:: (it runs a command) or other helpers.
        "GIT_ALLOW_PROTOCOL": "file:git:http:https:ssh",
        "GIT_COMMITTER_NAME": COMMITTER[0],
        "GIT_COMMITTER_EMAIL": COMMITTER[1],
        "LC_ALL": "C",  # messages we match (rejected pushes) in English
    }
    return env


def _identity(text: str) -> str:
    """A name or e-mail git accepts verbatim: no angle brackets or line breaks (git would cut there)."""
    cleaned = re.sub(r"[<>\n\r\0]", "", text).strip()
    return cleaned[:200] or "unknown"


@contextlib.contextmanager
def _locked(target_dir: Path) -> Iterator[None]:
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(target_dir.with_name(target_dir.name + ".lock"), "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _ensure_clone(git: _Git) -> None:
    if (git.clone / ".git").is_dir():
        return
    shutil.rmtree(git.clone, ignore_errors=True)
    git.clone.mkdir(parents=True)
    git.run("init", "--quiet")
    exclude = git.clone / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    exclude.write_text("".join(f"{p}\n" for p in LOCAL_EXCLUDES))


def commit_change(
    environment: str,
    target: GitTarget,
    apply: Callable[[Path], None],
    *,
    message: str,
    author_name: str,
    author_email: str | None = None,
    attempts: int = PUSH_ATTEMPTS,
) -> Commit:
    """Sync the clone, run ``apply(folder)`` (it writes or removes files in the environment's folder
    of the clone; anything it raises aborts the change, the clone is reset), commit and push.
    Raises GitConflict (rejected ``attempts`` times) or GitError (nothing pushed); ``apply``'s own
    exceptions pass through."""
    clone = cache_dir() / environment
    with _locked(clone), tempfile.TemporaryDirectory(prefix="canvas-git-") as helper_dir:
        extra, secrets = _credentials(target, Path(helper_dir))
        env = _base_env() | extra
        name = _identity(author_name)
        env |= {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": _identity(author_email or f"{name.replace(' ', '.')}@airflow-canvas"),
        }
        git = _Git(clone, target, env, secrets)
        try:
            _ensure_clone(git)
            for attempt in range(1, attempts + 1):
                git.sync()
                folder = clone / target.path if target.path else clone
                folder.mkdir(parents=True, exist_ok=True)
                apply(folder)
                pathspec = target.path or "."
                git.run("add", "--all", "--", pathspec)
                if git.run("diff", "--cached", "--quiet", check=False).returncode == 0:
                    return Commit("", target.branch, attempt)  # the branch already holds exactly this
                git.run("commit", "--quiet", "--no-verify", "-F", "-", stdin=message)
                sha = git.run("rev-parse", "HEAD").stdout.strip()
                pushed = git.run(
                    "push", "--porcelain", "--", target.url, f"HEAD:refs/heads/{target.branch}", check=False
                )
                if pushed.returncode == 0:
                    git.run("update-ref", f"refs/remotes/origin/{target.branch}", sha)
                    return Commit(sha, target.branch, attempt)
                output = pushed.stderr + pushed.stdout
                if not _REJECTED.search(output):
                    raise GitError(
                        f"pushing to {redact_url(target.url)} failed",
                        details=_scrub(output, target, secrets),
                    )
            raise GitConflict(
                f"Environment {environment!r}: the push to branch {target.branch!r} was rejected "
                f"{attempts} times (others keep pushing to it); nothing was deployed. Try again."
            )
        except BaseException:
            git.reset_to_remote()
            raise
