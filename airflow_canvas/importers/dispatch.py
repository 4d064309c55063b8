"""Pick the importer for a file from its content: Elyra pipelines are JSON with doc_type
"pipeline"; everything else is read as dag-factory YAML."""

from __future__ import annotations

from pathlib import Path

from airflow_canvas.importers.report import ImportError_, ImportResult


def import_text(
    text: str, source: str = "<text>", path: Path | None = None, defaults_root: Path | None = None
) -> list[ImportResult]:
    stripped = text.lstrip()
    if source.endswith(".pipeline") or (stripped.startswith("{") and '"doc_type"' in stripped[:2000]):
        from airflow_canvas.importers.elyra import import_elyra

        return import_elyra(text, source, path)
    from airflow_canvas.importers.dag_factory import import_dag_factory

    return import_dag_factory(text, source, path, defaults_root)


def import_file(path: str | Path, defaults_root: Path | None = None) -> list[ImportResult]:
    """Import one file. ``defaults_root``: the top folder whose ``defaults.yml`` files apply to
    dag-factory YAML (dag-factory's ``defaults_config_path``); the file's own folder always does."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportError_(str(path), f"cannot be read: {exc}") from None
    return import_text(text, file.name, file, defaults_root)
