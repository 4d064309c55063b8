"""What a reusable chain is, without storage: cutting a fragment out of a workflow (a group, or a
selection of nodes), deriving its input/output interface from the boundary edges, the version bump
a change of interface needs, and putting a fragment into a workflow (ids prefixed, the group
pinned to ``name@version``) or replacing an inserted group's contents with another version.

Everything here works on validated spec models and returns new ones; nothing is formatted into
code. Ids are only ever prefixed, and the result is parsed again as a whole workflow, so whatever a
fragment holds passes the same spec checks as a hand-made edit (service/chains.py validates it)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from airflow_canvas.spec.load import dump_workflow, parse_workflow
from airflow_canvas.spec.models import ID_PATTERN, ID_RE, MAX_ID_LENGTH, Edge, Group, Node, Tool, Workflow
from airflow_canvas.tools.breaking_changes import SchemaChange, narrowings
from airflow_canvas.tools.compatibility import node_input_schema, node_output_schema
from airflow_canvas.tools.registry import ToolResolver
from airflow_canvas.tools.semver import Version, bump_of

FRAGMENT_WORKFLOW_ID = "chain_fragment"  # the throwaway workflow a fragment is parsed in


class ChainError(ValueError):
    """A fragment cannot be cut, inserted or updated; the message names the node, group or port."""


class Port(BaseModel):
    """One field of a chain's interface: what enters it from outside, or what leaves it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=ID_PATTERN, max_length=100, description="The interface field's name.")
    node: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH, description="Fragment node id.")
    field: str = Field("", max_length=200, description="Input/output field of the node; '' = all of it.")
    json_schema: dict[str, Any] = Field(default_factory=dict, description="JSON Schema of the value.")


class Interface(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: list[Port] = Field(default_factory=list)
    outputs: list[Port] = Field(default_factory=list)


@dataclass
class Fragment:
    """The stored part of a chain version: a root group and everything inside it."""

    root: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "nodes": self.nodes,
            "edges": self.edges,
            "groups": self.groups,
            "tools": self.tools,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fragment:
        return cls(
            root=data["root"],
            nodes=list(data.get("nodes", [])),
            edges=list(data.get("edges", [])),
            groups=list(data.get("groups", [])),
            tools=list(data.get("tools", [])),
        )

    def workflow(self) -> Workflow:
        """The fragment as a workflow of its own (parsed: every field checked)."""
        return parse_workflow(
            {
                "id": FRAGMENT_WORKFLOW_ID,
                "nodes": self.nodes,
                "edges": self.edges,
                "groups": self.groups,
                "tools": self.tools,
            }
        )


# ---------------------------------------------------------------- cutting a fragment out


def _descendant_groups(wf: Workflow, root: str) -> set[str]:
    found = {root}
    grew = True
    while grew:  # groups are few; a fixpoint is simpler than building a tree
        grew = False
        for g in wf.groups:
            if g.parent in found and g.id not in found:
                found.add(g.id)
                grew = True
    return found


def _tool_name(ref: str) -> str:
    return ref.partition("@")[0].strip()


def _inline_tools(wf: Workflow, nodes: list[Node]) -> list[Tool]:
    wanted = {_tool_name(n.tool) for n in nodes if n.tool}
    wanted |= {_tool_name(ref) for n in nodes if n.agent for ref in n.agent.tools}
    return [t for t in wf.tools if t.name in wanted]


def extract(
    wf: Workflow, *, group_id: str | None = None, node_ids: list[str] | None = None, root_id: str = "chain"
) -> tuple[Fragment, Interface]:
    """The fragment of ``wf`` made of one group (with its nested groups) or of a selection of nodes
    (then wrapped in a new root group ``root_id``), and the interface its boundary edges imply."""
    if (group_id is None) == (node_ids is None):
        raise ChainError("Name either a group or a selection of nodes to save as a chain.")
    if group_id is not None:
        group = next((g for g in wf.groups if g.id == group_id), None)
        if group is None:
            raise ChainError(f"There is no group {group_id!r} in workflow {wf.id!r}.")
        group_ids = _descendant_groups(wf, group_id)
        members = [n for n in wf.nodes if n.group in group_ids]
        root = group_id
        groups = [
            g.model_copy(update={"parent": None, "chain": None}) if g.id == root else g for g in wf.groups
        ]
        groups = [g for g in groups if g.id in group_ids]
    else:
        chosen = set(node_ids or [])
        unknown = sorted(chosen - {n.id for n in wf.nodes})
        if unknown:
            raise ChainError(f"Workflow {wf.id!r} has no node {', '.join(map(repr, unknown))}.")
        members = [n for n in wf.nodes if n.id in chosen]
        # A group comes along when every node under it is selected (and it has some).
        whole = {
            g.id
            for g in wf.groups
            if (under := [n for n in wf.nodes if n.group in _descendant_groups(wf, g.id)])
            and all(n.id in chosen for n in under)
        }
        root = root_id
        while root in whole or root in chosen:
            root += "_chain"
        groups = [g.model_copy(update={"parent": g.parent if g.parent in whole else root}) for g in wf.groups]
        groups = [_root_group(root)] + [g for g in groups if g.id in whole]
        members = [n.model_copy(update={"group": n.group if n.group in whole else root}) for n in members]
    if not members:
        raise ChainError("A chain needs at least one node: the group or selection is empty.")
    inside = {n.id for n in members}
    for n in members:
        fallback = n.execution.fallback_node
        if fallback and fallback not in inside:
            raise ChainError(
                f"Node {n.id!r} falls back to {fallback!r}, which is outside the chain: "
                "include it or change the node's error handling."
            )
    edges = [e for e in wf.edges if e.source in inside and e.target in inside]
    fragment = Fragment(
        root=root,
        nodes=[_dump(n) for n in _normalised_positions(members)],
        edges=[_dump(e) for e in edges],
        groups=[_dump(g) for g in groups],
        tools=[_dump(t) for t in _inline_tools(wf, members)],
    )
    return fragment, derive_interface(wf, inside)


def _root_group(root: str) -> Group:
    return Group(id=root, label=root.replace("_", " "))


def _dump(model: BaseModel) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", exclude_defaults=True)
    return data


def _normalised_positions(nodes: list[Node]) -> list[Node]:
    """Positions relative to the fragment's top-left node, so an insert can place it anywhere."""
    x0 = min(n.ui.position.x for n in nodes)
    y0 = min(n.ui.position.y for n in nodes)
    return [
        n.model_copy(
            update={
                "ui": n.ui.model_copy(
                    update={
                        "position": n.ui.position.model_copy(
                            update={"x": n.ui.position.x - x0, "y": n.ui.position.y - y0}
                        )
                    }
                )
            }
        )
        for n in nodes
    ]


# ---------------------------------------------------------------- the interface


def _at(schema: dict[str, Any], path: str) -> dict[str, Any]:
    for part in [p for p in path.split(".") if p]:
        schema = (schema.get("properties") or {}).get(part) or {}
    return schema


def derive_interface(wf: Workflow, inside: set[str]) -> Interface:
    """Inputs: the fields of inside nodes that edges from outside feed (the mapped target fields,
    or every declared input field, or the whole input). Outputs: what edges to outside nodes read
    (the mapped source fields, or the whole output)."""
    resolver = ToolResolver(wf.tools)
    by_id = {n.id: n for n in wf.nodes}

    def tool_of(node: Node) -> Tool | None:
        found = resolver.lookup(node.tool) if node.tool else None
        return found if isinstance(found, Tool) else None

    inputs: dict[tuple[str, str], dict[str, Any]] = {}
    outputs: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in wf.edges:
        if edge.source not in inside and edge.target in inside:
            node = by_id[edge.target]
            schema = node_input_schema(node, tool_of(node))
            if edge.mapping:
                fields = [m.target for m in edge.mapping]
            else:
                fields = list((schema.get("properties") or {}).keys()) or [""]
            for f in fields:
                inputs.setdefault((node.id, f), _at(schema, f) if f else schema)
        elif edge.source in inside and edge.target not in inside:
            node = by_id[edge.source]
            schema = node_output_schema(node, tool_of(node))
            fields = [m.source for m in edge.mapping] if edge.mapping else [""]
            for f in fields:
                outputs.setdefault((node.id, f), _at(schema, f) if f else schema)
    return Interface(inputs=_ports(inputs), outputs=_ports(outputs))


def _port_name(node: str, f: str) -> str:
    name = f.replace(".", "_") if f else node
    return name if ID_RE.match(name) else node


def _ports(found: dict[tuple[str, str], dict[str, Any]]) -> list[Port]:
    ports: list[Port] = []
    used: set[str] = set()
    for (node, f), schema in found.items():
        name = _port_name(node, f)
        if name in used:
            name = f"{node}_{name}" if f else name
        n = 2
        base = name
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        ports.append(Port(name=name[:100], node=node, field=f, json_schema=copy.deepcopy(schema)))
    return ports


def check_interface(interface: Interface, fragment: Fragment) -> None:
    """An edited interface may only name the fragment's nodes, each port name once per side."""
    nodes = {n["id"] for n in fragment.nodes}
    for side, ports in (("input", interface.inputs), ("output", interface.outputs)):
        seen: set[str] = set()
        for p in ports:
            if p.node not in nodes:
                raise ChainError(
                    f"Interface {side} {p.name!r} names node {p.node!r}, which is not in the chain."
                )
            if p.name in seen:
                raise ChainError(
                    f"Interface {side} {p.name!r} is declared twice: give each field its own name."
                )
            seen.add(p.name)


def interface_changes(old: Interface, new: Interface) -> list[SchemaChange]:
    """What changed between two interfaces, and the bump each change needs (tools' rules: a removed
    or narrowed input, or a removed or widened output, breaks the workflows that use the chain)."""
    changes: list[SchemaChange] = []
    for where, before, after in (("input", old.inputs, new.inputs), ("output", old.outputs, new.outputs)):
        now = {p.name: p for p in after}
        then = {p.name: p for p in before}
        for name, port in then.items():
            if name not in now:
                changes.append(SchemaChange("major", where, name, f"{where} {name!r} was removed"))
                continue
            wide, narrow = (
                (port.json_schema, now[name].json_schema)
                if where == "input"
                else (now[name].json_schema, port.json_schema)
            )
            for path, reason in narrowings(wide, narrow, strict_fields=where == "output"):
                at = f"{name}.{path}" if path else name
                changes.append(SchemaChange("major", where, at, f"{where} {at!r}: {reason}"))
            if port.json_schema != now[name].json_schema and not any(
                c.path.startswith(name) for c in changes
            ):
                changes.append(SchemaChange("minor", where, name, f"{where} {name!r} changed compatibly"))
        for name in now:
            if name not in then:
                changes.append(SchemaChange("minor", where, name, f"{where} {name!r} was added"))
    return changes


def required_bump(
    old_interface: Interface, new_interface: Interface, old_fragment: Fragment, new_fragment: Fragment
) -> tuple[str | None, list[SchemaChange]]:
    """The smallest bump from the old version to the new one, and every change found."""
    changes = interface_changes(old_interface, new_interface)
    if old_fragment.to_dict() != new_fragment.to_dict():
        changes.append(SchemaChange("patch", "code", "", "the chain's nodes, edges or groups changed"))
    for bump in ("major", "minor", "patch"):
        if any(c.bump == bump for c in changes):
            return bump, changes
    return None, changes


def compatible_with(pinned: Version, candidate: Version) -> bool:
    """Whether ``candidate`` is a non-breaking update of ``pinned`` (same major; in 0.x same minor)."""
    return candidate > pinned and bump_of(pinned, candidate) != "major"


# ---------------------------------------------------------------- putting a fragment in a workflow


def _taken_ids(wf: Workflow) -> set[str]:
    return {n.id for n in wf.nodes} | {g.id for g in wf.groups}


def unique_group_id(wf: Workflow, base: str, fragment: Fragment) -> str:
    """``base``, or ``base_2``, ``base_3``... so that neither the group nor any prefixed id inside
    it collides with an id already in ``wf``."""
    taken = _taken_ids(wf)
    inner = [n["id"] for n in fragment.nodes] + [g["id"] for g in fragment.groups if g["id"] != fragment.root]
    candidate, n = base, 2
    while candidate in taken or any(f"{candidate}_{i}" in taken for i in inner):
        candidate, n = f"{base}_{n}", n + 1
    return candidate


@dataclass
class Placed:
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    tools: list[dict[str, Any]]


def place(
    fragment: Fragment,
    group_id: str,
    chain_ref: str,
    *,
    parent: str | None,
    at: tuple[float, float],
    label: str | None = None,
) -> Placed:
    """The fragment's parts with every id prefixed by ``group_id + "_"`` (the root group becomes
    ``group_id``), positions moved to ``at``, and the root pinned to ``chain_ref``."""

    def rename(old: str) -> str:
        new = group_id if old == fragment.root else f"{group_id}_{old}"
        if len(new) > MAX_ID_LENGTH:
            raise ChainError(
                f"Id {new!r} would be longer than {MAX_ID_LENGTH} characters: use a shorter group id."
            )
        return new

    nodes = []
    for raw in fragment.nodes:
        node = copy.deepcopy(raw)
        node["id"] = rename(node["id"])
        node["group"] = rename(node["group"]) if node.get("group") else group_id
        execution = node.get("execution") or {}
        if execution.get("fallback_node"):
            execution["fallback_node"] = rename(execution["fallback_node"])
        ui = node.setdefault("ui", {})
        pos = ui.setdefault("position", {})
        pos["x"], pos["y"] = pos.get("x", 0.0) + at[0], pos.get("y", 0.0) + at[1]
        nodes.append(node)
    edges = []
    for raw in fragment.edges:
        edge = copy.deepcopy(raw)
        edge["source"], edge["target"] = rename(edge["source"]), rename(edge["target"])
        if edge.get("id"):
            edge["id"] = rename(edge["id"]) if ID_RE.match(edge["id"]) else None
        edges.append(edge)
    groups = []
    for raw in fragment.groups:
        group = copy.deepcopy(raw)
        if group["id"] == fragment.root:
            group.update(id=group_id, parent=parent, chain=chain_ref)
            if label:
                group["label"] = label
        else:
            group["id"] = rename(group["id"])
            group["parent"] = rename(group["parent"]) if group.get("parent") else group_id
            group.pop("chain", None)
        groups.append(group)
    return Placed(nodes, edges, groups, copy.deepcopy(fragment.tools))


def _merge_tools(data: dict[str, Any], tools: list[dict[str, Any]]) -> None:
    have = {(t["name"], t["version"]): t for t in data.setdefault("tools", [])}
    for tool in tools:
        key = (tool["name"], tool["version"])
        if key not in have:
            data["tools"].append(tool)
        elif Tool.model_validate(have[key]) != Tool.model_validate(tool):
            raise ChainError(
                f"The chain brings tool {key[0]}@{key[1]}, and the workflow has a different tool under "
                "that name and version: rename or re-version one of them."
            )


def _right_of(wf: Workflow) -> tuple[float, float]:
    if not wf.nodes:
        return (0.0, 0.0)
    return (max(n.ui.position.x for n in wf.nodes) + 320.0, min(n.ui.position.y for n in wf.nodes))


def insert(
    wf: Workflow,
    fragment: Fragment,
    chain_ref: str,
    *,
    group_id: str | None = None,
    parent: str | None = None,
    at: tuple[float, float] | None = None,
) -> tuple[Workflow, str]:
    """``wf`` with the fragment added as a new group pinned to ``chain_ref``; the group's id."""
    if parent is not None and parent not in {g.id for g in wf.groups}:
        raise ChainError(f"There is no group {parent!r} to insert the chain into.")
    base = group_id or chain_ref.partition("@")[0]
    if group_id is not None and group_id in _taken_ids(wf):
        raise ChainError(f"Id {group_id!r} is already used in workflow {wf.id!r}: choose another group id.")
    gid = unique_group_id(wf, base, fragment)
    placed = place(fragment, gid, chain_ref, parent=parent, at=at or _right_of(wf))
    data = dump_workflow(wf)
    data.setdefault("nodes", []).extend(placed.nodes)
    data.setdefault("edges", []).extend(placed.edges)
    data.setdefault("groups", []).extend(placed.groups)
    _merge_tools(data, placed.tools)
    return parse_workflow(data), gid


@dataclass
class UpdateResult:
    workflow: Workflow
    kept_edges: list[str]
    dropped_edges: list[dict[str, str]]  # {"edge": id, "reason": ...}


def _edge_key(e: Edge) -> str:
    return e.id or f"{e.source}->{e.target}"


def update(
    wf: Workflow, group_id: str, fragment: Fragment, interface: Interface, chain_ref: str
) -> UpdateResult:
    """Replace the contents of inserted group ``group_id`` with ``fragment`` (another version of
    its chain). Edges between the group and the rest of the workflow are kept when the node they
    attach to is still in the chain and the fields they map are still in its interface."""
    group = next((g for g in wf.groups if g.id == group_id), None)
    if group is None:
        raise ChainError(f"There is no group {group_id!r} in workflow {wf.id!r}.")
    if not group.chain:
        raise ChainError(
            f"Group {group_id!r} was not inserted from the chain library: it has no chain to update."
        )
    group_ids = _descendant_groups(wf, group_id)
    members = [n for n in wf.nodes if n.group in group_ids]
    old_ids = {n.id for n in members}
    at = (
        (min(n.ui.position.x for n in members), min(n.ui.position.y for n in members))
        if members
        else _right_of(wf)
    )
    placed = place(fragment, group_id, chain_ref, parent=group.parent, at=at, label=group.label or None)
    placed.groups[_index_of(placed.groups, group_id)]["collapsed"] = group.collapsed
    new_nodes = {n["id"]: n for n in placed.nodes}
    in_fields = {(f"{group_id}_{p.node}", p.field) for p in interface.inputs}
    out_fields = {(f"{group_id}_{p.node}", p.field) for p in interface.outputs}

    kept: list[Edge] = []
    kept_ids: list[str] = []
    dropped: list[dict[str, str]] = []
    for edge in wf.edges:
        src_in, dst_in = edge.source in old_ids, edge.target in old_ids
        if src_in and dst_in:
            continue  # internal: replaced by the new version's edges
        if not src_in and not dst_in:
            kept.append(edge)
            continue
        inner = edge.target if dst_in else edge.source
        fields = in_fields if dst_in else out_fields
        wanted = [(m.target if dst_in else m.source) for m in edge.mapping] or [""]
        if inner not in new_nodes:
            dropped.append({"edge": _edge_key(edge), "reason": f"node {inner!r} is not in {chain_ref}"})
        elif not all((inner, f) in fields or (inner, "") in fields or not f for f in wanted):
            missing = [f for f in wanted if f and (inner, f) not in fields]
            side = "inputs" if dst_in else "outputs"
            dropped.append(
                {
                    "edge": _edge_key(edge),
                    "reason": f"{chain_ref}'s {side} have no field {', '.join(missing)}",
                }
            )
        else:
            kept.append(edge)
            kept_ids.append(_edge_key(edge))
    data = dump_workflow(wf)
    data["nodes"] = [_dump(n) for n in wf.nodes if n.id not in old_ids] + placed.nodes
    data["edges"] = [_dump(e) for e in kept] + placed.edges
    data["groups"] = [_dump(g) for g in wf.groups if g.id not in group_ids] + placed.groups
    _merge_tools(data, placed.tools)
    return UpdateResult(parse_workflow(data), kept_ids, dropped)


def _index_of(groups: list[dict[str, Any]], group_id: str) -> int:
    return next(i for i, g in enumerate(groups) if g["id"] == group_id)
