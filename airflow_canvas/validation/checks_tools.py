"""Validation's checks that read the tool registry: inline tools may not take a shared tool's
name, and the declared types of mapped fields must be able to meet."""

from __future__ import annotations

from airflow_canvas.spec.models import NodeType
from airflow_canvas.spec.problems import pointer
from airflow_canvas.tools.compatibility import type_problems
from airflow_canvas.tools.registry import split_ref
from airflow_canvas.tools.semver import Version
from airflow_canvas.validation.context import ValidationContext


def _users_of(ctx: ValidationContext, name: str) -> list[str]:
    """Ids of the nodes whose tool (or agent tools) reference ``name``."""
    users = []
    for node in ctx.wf.nodes:
        refs = [node.tool] if node.type is NodeType.TOOL and node.tool else []
        if node.type is NodeType.AGENT and node.agent is not None:
            refs += node.agent.tools
        if any(split_ref(ref)[0] == name for ref in refs):
            users.append(node.id)
    return users


def check_inline_tool_names(ctx: ValidationContext) -> None:
    """E_TOOL_SHADOWS: an inline tool named like a built-in or published tool, whatever its version.

    Resolution prefers inline tools, so such a tool would silently stand in for the shared one in
    this workflow's DAG while reading, in the spec, the DAG and the run history, as the shared one."""
    if not ctx.wf.tools:
        return
    try:
        shared = ctx.resolver.shared_names()
    except Exception as exc:  # a source (the store) failing: fail closed, the save can be retried
        ctx.add(
            "E_TOOL_SHADOWS",
            f"The names of the workflow's inline tools could not be checked against the published tools: {exc}",
            pointer("tools"),
            hint="Try again once the tool registry is reachable.",
        )
        return
    for i, tool in enumerate(ctx.wf.tools):
        if tool.name not in shared:
            continue
        kind, versions = shared[tool.name]
        latest = max(versions, key=Version.parse)
        users = _users_of(ctx, tool.name)
        used_by = (
            f" (used by node{'s' if len(users) > 1 else ''} {', '.join(map(repr, users))})" if users else ""
        )
        ctx.add(
            "E_TOOL_SHADOWS",
            f"Inline tool {tool.ref!r}{used_by} takes the name of the {kind} tool {tool.name!r} "
            f"(versions {', '.join(sorted(versions, key=Version.parse))}); an inline tool may not "
            "reuse a built-in or published tool's name.",
            pointer("tools", i, "name"),
            node_id=users[0] if users else None,
            hint=f"Rename the inline tool (and the references to it), or delete it and use the {kind} "
            f"tool {tool.name}@{latest}.",
        )


def check_mapping_types(ctx: ValidationContext) -> None:
    """Validation's step: type mismatches, reading schemas as the other
    validation checks do (a node's own schema first, then its tool's; tools resolved once)."""
    ctx.problems.extend(type_problems(ctx.wf, ctx.output_schema, ctx.input_schema))
