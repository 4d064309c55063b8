"""Patch operations: the only way the co-pilot changes a workflow.

A patch is a list of small, typed operations (add/update/remove node, edge, group; set a property
by JSON pointer; set the trigger; bulk-update a selection). ``apply_patch`` applies them to a copy
of the workflow, re-parses it with the spec models and runs the validator; a patch that introduces
an error is rejected with Problems whose pointers say which operation (``/ops/<i>``) or which part
of the resulting spec is wrong. The same models generate the LLM's function-calling schema, so the
model and the offline engine speak exactly one language.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel

from airflow_canvas.copilot.patch_ops import (  # re-exported: the patch's public names stay here
    AddEdge,
    AddGroup,
    AddNode,
    BulkUpdate,
    Patch,
    PatchError,
    PatchOp,
    RemoveEdge,
    RemoveGroup,
    RemoveNode,
    RenameNode,
    SetProperty,
    SetTrigger,
    UpdateEdge,
    UpdateGroup,
    UpdateNode,
    _typed_ops,
    parse_ops,
)
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem, SpecError, did_you_mean, pointer
from airflow_canvas.validation import Resources, validate

__all__ = [  # the op models live in patch_ops.py; callers import everything about patches from here
    "AddEdge", "AddGroup", "AddNode", "BulkUpdate", "Patch", "PatchError", "PatchOp", "PatchResult",
    "RemoveEdge", "RemoveGroup", "RemoveNode", "RenameNode", "SetProperty", "SetTrigger", "UpdateEdge",
    "UpdateGroup", "UpdateNode", "apply_patch", "check_patch", "ops_to_json", "parse_ops",
    "patch_json_schema", "validation_problems",
]  # fmt: skip

# -- applying ---------------------------------------------------------------------------------------


class _OpFailure(Exception):
    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        node_id: str | None = None,
        edge_id: str | None = None,
        group_id: str | None = None,
    ):
        super().__init__(message)
        self.hint = hint
        self.node_id, self.edge_id, self.group_id = node_id, edge_id, group_id


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    """RFC 7386 JSON merge patch, in place: dicts merge, null removes (= back to the default)."""
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _edge_key(edge: dict[str, Any]) -> str:
    return edge.get("id") or f"{edge.get('source')}->{edge.get('target')}"


def _find(items: list[dict[str, Any]], key: str, kind: str) -> dict[str, Any]:
    keyer = _edge_key if kind == "edge" else (lambda item: item.get("id") or item.get("name"))
    for item in items:
        if keyer(item) == key:
            return item
    hint = did_you_mean(key, [keyer(i) for i in items])
    raise _OpFailure(
        f"There is no {kind} {key!r}.",
        hint,
        node_id=key if kind == "node" else None,
        edge_id=key if kind == "edge" else None,
        group_id=key if kind == "group" else None,
    )


def _resolve_segment(container: Any, segment: str, list_name: str | None) -> Any:
    """Turn one pointer segment into a dict key or list index; list items may be named by id."""
    if isinstance(container, list):
        if segment == "-":
            return len(container)
        if segment.isdigit():
            return int(segment)
        if list_name in ("nodes", "edges", "groups", "tools"):
            kind = {"nodes": "node", "edges": "edge", "groups": "group", "tools": "tool"}[list_name]
            return container.index(_find(container, segment, kind))
        raise _OpFailure(f"{segment!r} is not a list index.")
    return segment


def _set_pointer(data: dict[str, Any], path: str, value: Any) -> None:
    if not path.startswith("/"):
        raise _OpFailure(f"{path!r} is not a JSON pointer (it must start with '/').")
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]
    if parts[0] in ("id", "spec_version"):
        raise _OpFailure(f"/{parts[0]} cannot be changed by the co-pilot.")
    current: Any = data
    parent_name: str | None = None
    for i, part in enumerate(parts):
        key = _resolve_segment(current, part, parent_name)
        last = i == len(parts) - 1
        if isinstance(current, list):
            if key > len(current) or (key == len(current) and not last):
                raise _OpFailure(f"Index {part} is out of range in {path!r}.")
            if last:
                current.insert(key, value) if key == len(current) else current.__setitem__(key, value)
                return
            current = current[key]
        elif isinstance(current, dict):
            if last:
                current[key] = value
                return
            if current.get(key) is None:
                current[key] = {}  # create intermediate objects, e.g. execution.retry
            current = current[key]
        else:
            raise _OpFailure(f"{path!r} goes through a value that is not an object or list.")
        parent_name = part


def _node(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    return _find(data["nodes"], node_id, "node")


def _apply_one(data: dict[str, Any], op: PatchOp) -> None:
    if isinstance(op, AddNode):
        if any(n.get("id") == op.node.id for n in data["nodes"]):
            raise _OpFailure(f"A node {op.node.id!r} already exists.", "Pick another id.", node_id=op.node.id)
        data["nodes"].append(op.node.model_dump(mode="json", exclude_defaults=True))
    elif isinstance(op, UpdateNode | BulkUpdate):
        for node_id in [op.node_id] if isinstance(op, UpdateNode) else op.node_ids:
            node = _node(data, node_id)
            if "id" in op.changes and op.changes["id"] != node_id:
                raise _OpFailure("Use rename_node to change a node's id.", node_id=node_id)
            _merge(node, op.changes)
    elif isinstance(op, RemoveNode):
        data["nodes"].remove(_node(data, op.node_id))
        data["edges"] = [e for e in data["edges"] if op.node_id not in (e.get("source"), e.get("target"))]
    elif isinstance(op, RenameNode):
        _rename(data, op.node_id, op.new_id)
    elif isinstance(op, AddEdge):
        edge = op.edge.model_dump(mode="json", exclude_defaults=True)
        if any(_edge_key(e) == _edge_key(edge) for e in data["edges"]):
            raise _OpFailure(f"The edge {_edge_key(edge)!r} already exists.", edge_id=_edge_key(edge))
        data["edges"].append(edge)
    elif isinstance(op, UpdateEdge):
        _merge(_find(data["edges"], op.edge_id, "edge"), op.changes)
    elif isinstance(op, RemoveEdge):
        data["edges"].remove(_find(data["edges"], op.edge_id, "edge"))
    elif isinstance(op, AddGroup):
        if any(g.get("id") == op.group.id for g in data["groups"]):
            raise _OpFailure(f"A group {op.group.id!r} already exists.", group_id=op.group.id)
        data["groups"].append(op.group.model_dump(mode="json", exclude_defaults=True))
        for member in op.members:
            _node(data, member)["group"] = op.group.id
    elif isinstance(op, UpdateGroup):
        group = _find(data["groups"], op.group_id, "group")
        if "id" in op.changes and op.changes["id"] != op.group_id:
            raise _OpFailure("A group's id cannot be changed; add a new group instead.", group_id=op.group_id)
        _merge(group, op.changes)
    elif isinstance(op, RemoveGroup):
        group = _find(data["groups"], op.group_id, "group")
        data["groups"].remove(group)
        parent = group.get("parent")
        for item in [*data["nodes"]]:
            if item.get("group") == op.group_id:
                item["group"] = parent
        for item in data["groups"]:
            if item.get("parent") == op.group_id:
                item["parent"] = parent
    elif isinstance(op, SetProperty):
        _set_pointer(data, op.path, copy.deepcopy(op.value))
    elif isinstance(op, SetTrigger):
        data["triggers"] = {
            "schedule": op.schedule.model_dump(mode="json") if op.schedule else None,
            "assets": op.assets.model_dump(mode="json") if op.assets else None,
        }
    else:  # pragma: no cover - the union is exhaustive
        raise _OpFailure(f"Unknown operation {op!r}.")


def _rename(data: dict[str, Any], old: str, new: str) -> None:
    node = _node(data, old)
    if any(n.get("id") == new for n in data["nodes"]):
        raise _OpFailure(f"A node {new!r} already exists.", node_id=old)
    node["id"] = new
    for edge in data["edges"]:
        had_default_id = not edge.get("id")
        for end in ("source", "target"):
            if edge.get(end) == old:
                edge[end] = new
        if had_default_id:
            edge.pop("id", None)
    for other in data["nodes"]:
        execution = other.get("execution") or {}
        if execution.get("fallback_node") == old:
            execution["fallback_node"] = new
    defaults = data.get("defaults") or {}
    if defaults.get("fallback_node") == old:
        defaults["fallback_node"] = new


def _failure_problem(index: int, op: PatchOp, exc: _OpFailure) -> Problem:
    return Problem(
        code="E_PATCH_OP",
        message=f"Operation {index + 1} ({op.op}): {exc}",
        pointer=pointer("ops", index),
        node_id=exc.node_id or None,
        edge_id=exc.edge_id or None,
        group_id=exc.group_id or None,
        hint=exc.hint,
    )


def _problem_key(problem: Problem) -> tuple[Any, ...]:
    # Pointers carry list indexes, which shift when nodes are added or removed; ids and the
    # message are what tell one defect from another.
    return (problem.code, problem.node_id, problem.edge_id, problem.group_id, problem.message)


def _renamed(problem: Problem, renames: dict[str, str]) -> Problem:
    """The problem as it would read after the patch's renames, so a renamed node's old defect is
    recognised as old (ids are quoted in validator messages)."""
    if not renames:
        return problem
    message = problem.message
    for old, new in renames.items():
        message = message.replace(repr(old), repr(new)).replace(f"`{old}`", f"`{new}`")
    return replace(problem, node_id=renames.get(problem.node_id or "", problem.node_id), message=message)


def validation_problems(workflow: Workflow, resources: Resources | None = None) -> list[Problem]:
    """Every problem the validator reports (errors and warnings). ``validate`` memoises by content
    (validation/cache.py): the context's workflow, checked again as a patch's "before", and a
    proposal's result, applied and then saved, are each validated once. ``resources``: the Airflow
    connections, pools and Variables the user may read (the plugin passes them; the copilot layer
    cannot ask Airflow), so the co-pilot sees the same design-time warnings as /validate."""
    return validate(workflow, resources=resources).problems


# Re-parsing the patched spec: the items a patch cannot have changed keep their models (pydantic
# takes model instances as they are), so only new and changed items are parsed again. Which items an
# op may change in place is known for the ops below; any other op (rename, ungroup, set by pointer)
# makes the whole spec be parsed. The result is equal to parsing all of ``data``
# (tests/unit/copilot/test_patch_reuse.py); workflows are never mutated in place, so sharing the
# unchanged item models between the draft and the result is safe.
_SECTIONS = ("nodes", "edges", "groups", "tools")
_LOCAL_OPS = (AddNode, UpdateNode, BulkUpdate, RemoveNode, AddEdge, UpdateEdge, RemoveEdge, AddGroup, UpdateGroup, SetTrigger)  # fmt: skip


def _pristine_items(workflow: Workflow, data: dict[str, Any]) -> dict[str, dict[int, tuple[Any, BaseModel]]]:
    """Per section, id(item dict) -> (the dict, its model), for the freshly dumped ``data``. The
    dicts are held, so their ids cannot be reused by new dicts while the patch is applied."""
    return {
        section: {id(d): (d, m) for d, m in zip(data[section], getattr(workflow, section), strict=True)}
        for section in _SECTIONS
    }


def _touched_items(data: dict[str, Any], op: PatchOp) -> set[int]:
    """id() of every existing item dict ``op`` may change in place (every item with the key named:
    duplicate ids are possible in a draft). Removed and added items need no mark."""
    if isinstance(op, UpdateNode):
        section, keys = "nodes", {op.node_id}
    elif isinstance(op, BulkUpdate):
        section, keys = "nodes", set(op.node_ids)
    elif isinstance(op, AddGroup):
        section, keys = "nodes", set(op.members)
    elif isinstance(op, UpdateEdge):
        return {id(e) for e in data["edges"] if _edge_key(e) == op.edge_id}
    elif isinstance(op, UpdateGroup):
        section, keys = "groups", {op.group_id}
    else:
        return set()
    return {id(item) for item in data[section] if item.get("id") in keys}


def _with_models(
    data: dict[str, Any], pristine: dict[str, dict[int, tuple[Any, BaseModel]]], touched: set[int]
) -> dict[str, Any]:
    """``data`` with each untouched original item replaced by its model."""
    out = dict(data)
    for section in _SECTIONS:
        known = pristine[section]
        items = data.get(section)
        if not isinstance(items, list):
            continue
        out[section] = [
            hit[1]
            if (hit := known.get(id(item))) is not None and hit[0] is item and id(item) not in touched
            else item
            for item in items
        ]
    return out


@dataclass
class PatchResult:
    workflow: Workflow | None
    problems: list[Problem] = field(default_factory=list)  # blocking: new errors
    warnings: list[Problem] = field(default_factory=list)  # every non-blocking problem of the result
    data: dict[str, Any] | None = None  # the patched spec as JSON data (saves dumping it again)

    @property
    def ok(self) -> bool:
        return self.workflow is not None and not self.problems


def check_patch(
    workflow: Workflow,
    ops: Iterable[PatchOp | Mapping[str, Any]],
    *,
    problems: list[Problem] | None = None,
) -> PatchResult:
    """Apply ``ops`` (typed ops or their JSON; any iterable, read once) to a copy of ``workflow``;
    never raises for bad input, never mutates it. ``problems``: ``workflow``'s own, when the caller
    already has them (a chat context does), so they are not looked up again.

    Errors the workflow already had do not block a patch (a user must be able to fix one problem
    at a time); errors the patch introduces do.
    """
    try:
        typed = _typed_ops(ops)
    except PatchError as exc:
        return PatchResult(None, exc.problems)
    if not typed:
        return PatchResult(None, [Problem("E_PATCH_EMPTY", "The patch has no operations.", "/ops")])
    data = workflow.model_dump(mode="json")
    pristine: dict[str, dict[int, tuple[Any, BaseModel]]] | None = _pristine_items(workflow, data)
    touched: set[int] = set()
    for index, op in enumerate(typed):
        if pristine is not None:
            if isinstance(op, _LOCAL_OPS):
                touched |= _touched_items(data, op)
            else:
                pristine = None  # an op that may change any item: parse everything
        try:
            _apply_one(data, op)
        except _OpFailure as exc:
            return PatchResult(None, [_failure_problem(index, op, exc)])
    try:
        result = parse_workflow(_with_models(data, pristine, touched) if pristine else data)
    except SpecError as exc:
        return PatchResult(None, exc.problems)
    renames = {op.node_id: op.new_id for op in typed if isinstance(op, RenameNode)}
    before = {
        _problem_key(_renamed(p, renames))
        for p in (problems if problems is not None else validation_problems(workflow))
        if p.severity == "error"
    }
    after = validation_problems(result)
    new_errors = [p for p in after if p.severity == "error" and _problem_key(p) not in before]
    if new_errors:
        return PatchResult(None, new_errors, [p for p in after if p.severity != "error"])
    warnings = [p for p in after if p.severity != "error" or _problem_key(p) in before]
    return PatchResult(result, [], warnings, data)


def apply_patch(workflow: Workflow, ops: Iterable[PatchOp | Mapping[str, Any]]) -> Workflow:
    """The patched workflow, or PatchError carrying every Problem the patch causes."""
    result = check_patch(workflow, ops)
    if not result.ok:
        raise PatchError(result.problems)
    assert result.workflow is not None
    return result.workflow


def ops_to_json(ops: Iterable[PatchOp]) -> list[dict[str, Any]]:
    return [op.model_dump(mode="json", exclude_defaults=True) | {"op": op.op} for op in ops]


def patch_json_schema() -> dict[str, Any]:
    """JSON Schema of a Patch (summary + ops), used as the LLM function's parameters."""
    return Patch.model_json_schema()
