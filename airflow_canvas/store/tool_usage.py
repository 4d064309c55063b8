"""Which stored workflows use a tool, and which of its versions each reference resolves to.

Read from the head of every branch of every workflow: a tool node's ``tool`` and an agent node's
``agent.tools`` (``name``, ``name@1.2.0`` or a range such as ``name@^1.2``). A reference resolves as
the compiler resolves it (tools/registry.py): the highest published version matching it, built-in
versions included; an exact reference to a draft names that draft. A workflow that carries an inline
tool of the same name uses its own copy, not the stored tool, and is not counted. Who may see the
workflows is the caller's business (the route checks Canvas Workflows "read").
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_canvas.store.models import BranchRow, ToolRow, VersionRow, WorkflowRow
from airflow_canvas.tools.registry import builtin_tools, split_ref
from airflow_canvas.tools.semver import Version, best_match


@dataclass(frozen=True)
class ToolUse:
    version: str | None  # the version the reference resolves to; None: it resolves to none
    ref: str
    workflow_id: str
    workflow_name: str
    branch: str
    node_id: str
    via: str  # "node" (a tool node) or "agent" (one of an agent's tools)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _refs(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(node_id, ref, via) for every tool reference of a stored spec."""
    out: list[tuple[str, str, str]] = []
    for node in spec.get("nodes") or []:
        if not isinstance(node, dict):
            continue
        node_id = str(node.get("id", ""))
        if isinstance(node.get("tool"), str):
            out.append((node_id, node["tool"], "node"))
        agent = node.get("agent")
        if isinstance(agent, dict):
            out += [(node_id, r, "agent") for r in agent.get("tools") or [] if isinstance(r, str)]
    return out


def tool_usage(session: Session, name: str) -> list[ToolUse]:
    rows = session.scalars(select(ToolRow).where(ToolRow.name == name)).all()
    published = [Version.parse(r.version) for r in rows if r.published]
    published += [Version.parse(t.version) for t in builtin_tools() if t.name == name]
    drafts = {r.version for r in rows if not r.published}

    def resolve(spec: str) -> str | None:
        try:
            best = best_match(spec, published)
        except ValueError:
            return None
        if best is not None:
            return str(best)
        return spec.lstrip("=") if spec.lstrip("=") in drafts else None

    # Only heads whose text mentions the name can use it (a cheap filter before parsing JSON).
    query = (
        select(BranchRow.workflow_id, BranchRow.name, WorkflowRow.name, VersionRow.spec)
        .join(WorkflowRow, WorkflowRow.id == BranchRow.workflow_id)
        .join(
            VersionRow,
            (VersionRow.workflow_id == BranchRow.workflow_id) & (VersionRow.number == BranchRow.head_number),
        )
        .where(VersionRow.spec.contains(name, autoescape=True))
        .order_by(BranchRow.workflow_id, BranchRow.name)
    )
    uses: list[ToolUse] = []
    for workflow_id, branch, workflow_name, text in session.execute(query):
        try:
            spec = json.loads(text)
        except ValueError:
            continue
        if any(isinstance(t, dict) and t.get("name") == name for t in spec.get("tools") or []):
            continue  # its own inline copy shadows the stored tool
        for node_id, ref, via in _refs(spec):
            tool_name, version_spec = split_ref(ref)
            if tool_name == name:
                uses.append(
                    ToolUse(resolve(version_spec), ref, workflow_id, workflow_name or workflow_id, branch,
                            node_id, via)
                )  # fmt: skip
    return uses
