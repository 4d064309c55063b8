"""The committed UI bundle must be built from the committed ui/ sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_canvas.plugin import bundle_hash


def test_committed_bundle_matches_ui_sources() -> None:
    if not (bundle_hash.UI_DIR / "package.json").is_file():
        pytest.skip("no ui/ sources in this installation")
    assert (bundle_hash.PACKAGE_DIR / "static" / "main.js").is_file(), "the built bundle is not committed"
    assert bundle_hash.committed_hash() == bundle_hash.current_hash(), (
        "ui/ changed without a rebuild: run `make ui` (or `cd ui && npm run build`) and commit "
        "airflow_canvas/static/"
    )


def test_hash_changes_with_any_source_file(tmp_path: Path) -> None:
    (tmp_path / "src" / "canvas").mkdir(parents=True)
    (tmp_path / "package.json").write_text('{"name": "x"}')
    node = tmp_path / "src" / "canvas" / "Node.tsx"
    node.write_text("export const a = 1;\n")
    before = bundle_hash.current_hash(tmp_path)
    node.write_text("export const a = 2;\n")
    assert bundle_hash.current_hash(tmp_path) != before
    node.write_text("export const a = 1;\r\n")  # CRLF checkouts are not "changes"
    assert bundle_hash.current_hash(tmp_path) == before
    (tmp_path / "src" / "new.ts").write_text("")
    assert bundle_hash.current_hash(tmp_path) != before


def test_check_exits_1_when_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "package.json").write_text("{}")
    hash_file = tmp_path / "hash.txt"
    monkeypatch.setattr(bundle_hash, "UI_DIR", tmp_path)
    monkeypatch.setattr(bundle_hash, "REPO_DIR", tmp_path)
    monkeypatch.setattr(bundle_hash, "HASH_FILE", hash_file)
    hash_file.write_text("0" * 64)
    assert bundle_hash.main(["--check"]) == 1
    assert bundle_hash.main(["--write"]) == 0
    assert bundle_hash.main(["--check"]) == 0
