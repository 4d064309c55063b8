"""Exporters: the spec as canonical JSON, the DAG as a standalone ("ejected") Python file, and
operator-only workflows as dag-factory YAML."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_canvas.exporters.errors import ExportError

if TYPE_CHECKING:
    from airflow_canvas.spec.models import Workflow

FORMATS = ("json", "python", "dag-factory")


def export_workflow(workflow: Workflow, fmt: str) -> str:
    """The workflow in ``fmt`` (one of FORMATS) as text; ExportError when it can't be expressed."""
    if fmt == "json":
        from airflow_canvas.exporters.json_export import export_json

        return export_json(workflow)
    if fmt == "python":
        from airflow_canvas.exporters.eject import eject_workflow

        return eject_workflow(workflow)
    if fmt == "dag-factory":
        from airflow_canvas.exporters.dag_factory import export_dag_factory

        return export_dag_factory(workflow)
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")


__all__ = ["FORMATS", "ExportError", "export_workflow"]
