"""Validation's checks that read the tool registry: inline tools may not take a shared tool's
name, the declared types of mapped fields must be able to meet, and a node's arguments must fit
its tool's input schema."""

from __future__ import annotations

from typing import Any

from airflow_canvas.runtime.core import violations
from airflow_canvas.spec.models import SQL_CONN_ID, EdgeKind, Node, NodeType, Tool
from airflow_canvas.spec.problems import did_you_mean, pointer
from airflow_canvas.tools.compatibility import type_problems
from airflow_canvas.tools.languages import language_problems
from airflow_canvas.tools.registry import split_ref
from airflow_canvas.tools.semver import Version
from airflow_canvas.validation.checks_nodes import schema_error
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


def _closed(schema: dict[str, Any]) -> bool:
    return isinstance(schema.get("properties"), dict) and schema.get("additionalProperties") is False


def _check_parameter_values(ctx: ValidationContext, i: int, node: Node, tool: Tool) -> None:
    """E_TOOL_PARAMETER_INVALID: a literal parameter that its property's schema refuses (a wrong
    type, a value outside the enum, a url without a scheme) fails every run at the input check."""
    if schema_error(tool.input_schema):
        return  # an invalid schema is E_SCHEMA_INVALID's; it cannot judge a value
    properties = tool.input_schema.get("properties") or {}
    for field, value in node.parameters.items():
        prop = properties.get(field) if isinstance(properties, dict) else None
        if not isinstance(prop, dict):
            continue
        try:
            found = violations(value, prop)[:1]
        except Exception:  # noqa: BLE001 - e.g. a $ref the property cannot resolve alone: no verdict
            continue
        for violation in found:
            ctx.add(
                "E_TOOL_PARAMETER_INVALID",
                f"Node {node.id!r}: argument {field!r} of tool {tool.ref}: {violation.message}.",
                pointer("nodes", i, "parameters", field, *violation.path),
                node_id=node.id,
                hint=str(prop.get("description") or "") or f"See the input schema of {tool.ref}.",
            )


def check_tool_arguments(ctx: ValidationContext) -> None:
    """A tool is called with tool defaults + node parameters + inputs, checked against the tool's
    input schema at run time; catch the mismatches that would fail every run."""
    mapped: dict[str, set[str]] = {}
    merges: set[str] = set()  # nodes receiving whole upstream outputs: their fields are unknown here
    for edge in ctx.wf.edges:
        if edge.kind is not EdgeKind.DATA_FLOW:
            continue
        if edge.mapping:
            mapped.setdefault(edge.target, set()).update(m.target.split(".")[0] for m in edge.mapping)
        else:
            merges.add(edge.target)
    for i, node in enumerate(ctx.wf.nodes):
        tool = ctx.tool_of(node)
        if tool is None:
            continue
        schema = tool.input_schema
        properties = list(schema.get("properties") or {})
        if _closed(schema):
            for field in (*node.parameters, *node.templates):
                if field not in properties:
                    where = "parameters" if field in node.parameters else "templates"
                    ctx.add(
                        "E_TOOL_PARAMETER_UNKNOWN",
                        f"Node {node.id!r}: tool {tool.ref} takes no argument {field!r}.",
                        pointer("nodes", i, where, field),
                        node_id=node.id,
                        hint=did_you_mean(field, properties) or f"Its arguments: {', '.join(properties)}.",
                    )
        _check_parameter_values(ctx, i, node, tool)
        if node.id in merges or node.execution.map_over:
            continue
        supplied = {*tool.parameters, *node.parameters, *node.templates, *mapped.get(node.id, set())}
        missing = [f for f in schema.get("required") or [] if f not in supplied]
        if missing:
            ctx.add(
                "W_TOOL_INPUT_MISSING",
                f"Node {node.id!r}: nothing supplies the required argument(s) {', '.join(map(repr, missing))} "
                f"of tool {tool.ref}.",
                pointer("nodes", i, "parameters"),
                node_id=node.id,
                severity="warning",
                hint="Set them in the node's parameters or map them from an upstream node.",
            )


def _field_pointer(field: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in field.split(".")]


def check_tool_languages(ctx: ValidationContext) -> None:
    """What a SQL or shell tool needs (tools/languages.py) for the workflow's inline tools, and a
    SQL tool node must name its connection (E_TOOL_SQL_CONN_ID): without ``conn_id`` the query
    has nowhere to run."""
    for i, tool in enumerate(ctx.wf.tools):
        users = _users_of(ctx, tool.name)
        for problem in language_problems(tool):
            ctx.add(
                problem.code,
                problem.message,
                pointer("tools", i, *_field_pointer(problem.field)),
                node_id=users[0] if users else None,
                hint=problem.hint,
                severity=problem.severity,
            )
    mapped = {
        edge.target
        for edge in ctx.wf.edges
        if edge.kind is EdgeKind.DATA_FLOW
        and (not edge.mapping or any(m.target.split(".")[0] == SQL_CONN_ID for m in edge.mapping))
    }
    for i, node in enumerate(ctx.wf.nodes):
        sql_tool = ctx.tool_of(node)
        if sql_tool is None or sql_tool.language != "sql" or node.id in mapped:
            continue
        if not any(
            SQL_CONN_ID in source for source in (sql_tool.parameters, node.parameters, node.templates)
        ):
            ctx.add(
                "E_TOOL_SQL_CONN_ID",
                f"Node {node.id!r}: SQL tool {sql_tool.ref} needs a connection and the node names none.",
                pointer("nodes", i, "parameters"),
                node_id=node.id,
                hint=f"Set the node's `{SQL_CONN_ID}` parameter to a connection of type "
                f"{sql_tool.connection_type or 'the tool declares'}.",
            )
