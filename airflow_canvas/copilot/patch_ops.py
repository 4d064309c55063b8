"""The patch operations' models: what the co-pilot (offline engine and model alike) may ask, as
typed pydantic models. They generate the LLM's function-calling schema and parse untrusted ops from
the UI or a model (``parse_ops``); copilot/patch.py applies and checks them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from airflow_canvas.spec.models import AssetTrigger, Edge, Group, Node, Schedule
from airflow_canvas.spec.problems import Problem, SpecError, pointer


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddNode(_Op):
    """Add a node. Its id must be new."""

    op: Literal["add_node"] = "add_node"
    node: Node


class UpdateNode(_Op):
    """Deep-merge ``changes`` into a node (JSON merge patch: a null value resets a field)."""

    op: Literal["update_node"] = "update_node"
    node_id: str
    changes: dict[str, Any] = Field(
        description='Fields to change, e.g. {"execution": {"timeout_seconds": 600}}.'
    )


class RemoveNode(_Op):
    """Remove a node and every edge touching it."""

    op: Literal["remove_node"] = "remove_node"
    node_id: str


class RenameNode(_Op):
    """Change a node's id, rewriting the edges and fallback references that name it."""

    op: Literal["rename_node"] = "rename_node"
    node_id: str
    new_id: str


class AddEdge(_Op):
    op: Literal["add_edge"] = "add_edge"
    edge: Edge


class UpdateEdge(_Op):
    op: Literal["update_edge"] = "update_edge"
    edge_id: str = Field(description="The edge's id, or 'source->target' for edges without one.")
    changes: dict[str, Any]


class RemoveEdge(_Op):
    op: Literal["remove_edge"] = "remove_edge"
    edge_id: str = Field(description="The edge's id, or 'source->target' for edges without one.")


class AddGroup(_Op):
    """Add a group and move ``members`` (node ids) into it."""

    op: Literal["add_group"] = "add_group"
    group: Group
    members: list[str] = Field(default_factory=list)


class UpdateGroup(_Op):
    op: Literal["update_group"] = "update_group"
    group_id: str
    changes: dict[str, Any]


class RemoveGroup(_Op):
    """Remove a group; its nodes and child groups move to the group's parent (ungroup)."""

    op: Literal["remove_group"] = "remove_group"
    group_id: str


class SetProperty(_Op):
    """Set any value by JSON pointer. List items of nodes/edges/groups/tools may be addressed by
    id instead of index, e.g. ``/nodes/summarize/execution/retry/retries``; ``-`` appends."""

    op: Literal["set"] = "set"
    path: str = Field(description="JSON pointer, e.g. /nodes/summarize/description or /settings/catchup.")
    value: Any = None


class SetTrigger(_Op):
    """Replace the workflow's triggers; null fields mean 'no schedule' / 'no asset trigger'."""

    op: Literal["set_trigger"] = "set_trigger"
    schedule: Schedule | None = None
    assets: AssetTrigger | None = None


class BulkUpdate(_Op):
    """Deep-merge the same ``changes`` into every selected node."""

    op: Literal["bulk_update"] = "bulk_update"
    node_ids: list[str] = Field(min_length=1)
    changes: dict[str, Any]


PatchOp = Annotated[
    AddNode
    | UpdateNode
    | RemoveNode
    | RenameNode
    | AddEdge
    | UpdateEdge
    | RemoveEdge
    | AddGroup
    | UpdateGroup
    | RemoveGroup
    | SetProperty
    | SetTrigger
    | BulkUpdate,
    Field(discriminator="op"),
]
_OPS_ADAPTER: TypeAdapter[list[PatchOp]] = TypeAdapter(list[PatchOp])


class Patch(BaseModel):
    """A proposal: what it does in a sentence, and the operations."""

    model_config = ConfigDict(extra="forbid")
    summary: str = Field("", description="One sentence telling the user what this patch does.")
    ops: list[PatchOp] = Field(min_length=1)


class PatchError(SpecError):
    """A patch that cannot be applied or would leave the workflow with new errors."""


def parse_ops(data: Any) -> list[PatchOp]:
    """Untrusted JSON (from the UI or a model) -> typed ops, or PatchError naming each bad field."""
    try:
        return _OPS_ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = [
            Problem(
                code="E_PATCH_INVALID",
                message=f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}",
                pointer=pointer("ops", *e["loc"]),
                hint="Each operation needs an 'op' field naming one of: " + ", ".join(OP_NAMES) + ".",
            )
            for e in exc.errors()
        ]
        raise PatchError(problems) from None


# The op models, taken from the PatchOp union itself (Annotated[A | B | ..., Field]).
_OP_CLASSES: tuple[type[BaseModel], ...] = get_args(get_args(PatchOp)[0])
OP_NAMES = [m.model_fields["op"].default for m in _OP_CLASSES]


def _typed_ops(ops: Iterable[PatchOp | Mapping[str, Any]]) -> list[PatchOp]:
    """Read ``ops`` once (it may be a generator) -> typed ops; JSON dicts, or a mix with models,
    go through ``parse_ops`` so every bad field is reported."""
    items = list(ops)
    typed: list[PatchOp] = [op for op in items if isinstance(op, _OP_CLASSES)]
    if len(typed) == len(items):
        return typed
    return parse_ops([op.model_dump(mode="json") if isinstance(op, BaseModel) else op for op in items])
