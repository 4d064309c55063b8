"""The node, notifier and operator catalogues, templates, node type changes, imports."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from airflow_canvas.catalogue.operators import OperatorEntry
from airflow_canvas.importers.report import ImportReport
from airflow_canvas.plugin.api_models.common import ApiModel
from airflow_canvas.policies.notifiers import CatalogueEntry
from airflow_canvas.spec.problems import Problem
from airflow_canvas.spec.wire import SpecJson
from airflow_canvas.templates import TemplateInfo

JsonSchema = dict[str, Any]


class NodeTypeInfo(ApiModel):
    type: str
    label: str
    description: str
    config_field: str | None = Field(
        description="The node's field its type configures (process, tool, agent)."
    )
    config_schema: JsonSchema | None


class NodeCatalogue(ApiModel):
    items: list[NodeTypeInfo]
    node_schema: JsonSchema
    edge_schema: JsonSchema
    group_schema: JsonSchema
    workflow_schema: JsonSchema


class NotifierPage(ApiModel):
    items: list[CatalogueEntry]
    total: int


class OperatorPage(ApiModel):
    items: list[OperatorEntry]
    total: int = Field(description="Every operator installed (without a search), else the matches.")


class TemplatePage(ApiModel):
    items: list[TemplateInfo]
    total: int


class SpecOnly(ApiModel):
    spec: SpecJson


class SpecWithProblems(ApiModel):
    spec: SpecJson
    problems: list[Problem]


class ImportOutcome(ApiModel):
    workflow: SpecJson
    report: ImportReport
    problems: list[Problem]
    saved_version: int | None = Field(description="The stored version when saved, else null.")


class ImportResults(ApiModel):
    results: list[ImportOutcome]
