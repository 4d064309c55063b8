"""ui/package-lock.json must be complete, so that `npm ci` accepts it on any machine.

`npm ci` refuses a lock in which a package lists an optional dependency (rollup's and esbuild's
platform binaries) that has no entry of its own; `npm install` would then rewrite the tracked lock.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

LOCK = Path(__file__).resolve().parents[2] / "ui" / "package-lock.json"


def _installed_path(packages: dict[str, dict], owner: str, name: str) -> str | None:
    """Where npm resolves `name` from `owner`: its own node_modules, then each parent's."""
    base = owner
    while True:
        candidate = f"{base}/node_modules/{name}" if base else f"node_modules/{name}"
        if candidate in packages:
            return candidate
        if not base:
            return None
        cut = base.rfind("/node_modules/")
        base = base[:cut] if cut >= 0 else ""


def missing_optional_entries(lock: dict) -> list[str]:
    packages: dict[str, dict] = lock["packages"]
    missing = []
    for owner, entry in packages.items():
        for name in entry.get("optionalDependencies", {}):
            if _installed_path(packages, owner, name) is None:
                missing.append(f"{owner or '<root>'} -> {name}")
    return missing


def test_lock_lists_every_optional_dependency() -> None:
    if not LOCK.is_file():
        pytest.skip("no ui/ sources in this installation")
    missing = missing_optional_entries(json.loads(LOCK.read_text()))
    assert not missing, (
        "ui/package-lock.json lacks entries npm ci needs (was it pruned or hand-edited?): "
        f"{missing[:5]}. Regenerate it: cd ui && rm -rf node_modules && npm install"
    )


def test_a_pruned_lock_is_caught() -> None:
    lock = {
        "packages": {
            "": {"devDependencies": {"rollup": "^4"}},
            "node_modules/rollup": {"optionalDependencies": {"@rollup/rollup-android-arm-eabi": "4"}},
        }
    }
    assert missing_optional_entries(lock) == ["node_modules/rollup -> @rollup/rollup-android-arm-eabi"]
    lock["packages"]["node_modules/@rollup/rollup-android-arm-eabi"] = {"optional": True}
    assert missing_optional_entries(lock) == []
