"""Importers: dag-factory YAML and Elyra pipelines -> workflow specs, with a per-item report of
whatever could not be mapped. ``import_file`` picks the importer from the file's content."""

from airflow_canvas.importers.dispatch import import_file, import_text
from airflow_canvas.importers.report import ImportError_, ImportItem, ImportReport, ImportResult

__all__ = ["ImportError_", "ImportItem", "ImportReport", "ImportResult", "import_file", "import_text"]
