"""Field types for JSON that the API sends as it is stored, described by the model it came from.

A response field holding a spec is the canonical JSON of a validated ``Workflow`` (``dump_workflow``:
defaults left out). Validating it again on every response would cost as much as parsing the spec
(tens of milliseconds at 2000 nodes) and, dumped back, would add every default; so these types skip
validation and pass the dict through, while the OpenAPI document (and the UI's generated types)
describe it with the model's own schema. Static type checkers see what the value is: a dict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, SerializeAsAny, SkipValidation, WithJsonSchema
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from airflow_canvas.spec.models import Edge, Node, Tool, Workflow


class SectionPreview(TypedDict):
    added: list[str]
    removed: list[str]
    changed: dict[str, list[str]]  # item key -> the dotted paths of its changed fields


class PreviewDiff(TypedDict):
    """``spec.diff.workflow_diff``: the co-pilot's preview of a change."""

    nodes: SectionPreview
    edges: SectionPreview
    groups: SectionPreview
    workflow: list[str]


if TYPE_CHECKING:
    SpecJson = dict[str, Any]
    NodeJson = dict[str, Any]
    EdgeJson = dict[str, Any]
    ToolJson = dict[str, Any]
    PreviewDiffJson = dict[str, Any]
    ProblemJson = dict[str, Any]
else:
    SpecJson = SerializeAsAny[SkipValidation[Workflow]]
    NodeJson = SerializeAsAny[SkipValidation[Node]]
    EdgeJson = SerializeAsAny[SkipValidation[Edge]]
    ToolJson = SerializeAsAny[SkipValidation[Tool]]
    # A small dict, checked against its TypedDict (a TypedDict validates to a plain dict).
    PreviewDiffJson = PreviewDiff
    # ``Problem.to_dict()``. Problem is a dataclass, which pydantic would turn the dict into; the
    # schema names the API document's own Problem (every route's error body declares it).
    ProblemJson = Annotated[dict[str, Any], WithJsonSchema({"$ref": "#/components/schemas/Problem"})]


class SentWhole(BaseModel):
    """A model the API always sends whole (``model_dump()``, defaults included): its OpenAPI schema
    marks every field required, so the UI's generated types need no ``?`` for them."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
