"""What a spec names that lives in Airflow's database, not in the spec: pools, connections and
Variables. They may be created before a deploy, so a missing one is a warning, never an error; they
change under a running server, so these checks run on every validation, outside the memo
(validation/cache.py).

``Resources`` (validation/context.py) is what the caller lets validation see. ``None`` for a kind means "not known": the
check is skipped, not failed. The API passes only what the user may read in Airflow (a user who may
not list connections gets no connection check, so validation cannot be used to probe for names)."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from airflow_canvas.catalogue.connection_types import connection_types_for
from airflow_canvas.spec.models import NodeType, Workflow
from airflow_canvas.spec.problems import did_you_mean, pointer
from airflow_canvas.validation.context import ValidationContext

# A JSON Schema property of a tool's input that holds an Airflow connection id says so with this
# keyword (a list of the connection types it accepts; empty = any type), and with the second names
# the parameter that makes it unused when given (http_request's ``url``).
CONNECTION_KEYWORD = "x-airflow-connection"
UNLESS_KEYWORD = "x-airflow-connection-unless"


@dataclass(frozen=True)
class ConnectionRef:
    """Where a spec names a connection: the JSON pointer, the id, the types that fit (empty = any)
    and the owner's ids for the problem."""

    where: str
    conn_id: str
    types: tuple[str, ...]
    what: str
    node_id: str | None = None
    group_id: str | None = None


def _is_template(value: str) -> bool:
    return "{{" in value or "{%" in value  # rendered at run time: nothing to check now


def _tool_connection_fields(
    schema: Mapping[str, Any], parameters: Mapping[str, Any]
) -> Iterator[tuple[str, tuple[str, ...], Any]]:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return
    for name, prop in properties.items():
        if isinstance(prop, Mapping) and CONNECTION_KEYWORD in prop:
            if parameters.get(prop.get(UNLESS_KEYWORD) or "") not in (None, ""):
                continue  # e.g. http_request given a full url: no connection is read
            types = prop[CONNECTION_KEYWORD]
            accepted = tuple(t for t in types if isinstance(t, str)) if isinstance(types, list) else ()
            yield name, accepted, prop.get("default")


def connection_refs(ctx: ValidationContext) -> list[ConnectionRef]:
    """Every connection id the workflow names, with the parameter's default where it names none."""
    wf = ctx.wf
    refs: list[ConnectionRef] = []
    for i, node in enumerate(wf.nodes):
        if node.agent is not None and node.type is NodeType.AGENT:
            refs.append(
                ConnectionRef(pointer("nodes", i, "agent", "connection_id"), node.agent.connection_id, (),
                              "the model connection", node_id=node.id)
            )  # fmt: skip
        if node.type is NodeType.TOOL and node.operator:
            for key, value in node.parameters.items():
                if key.endswith("conn_id") and isinstance(value, str) and value:
                    types = tuple(connection_types_for(key))  # http_conn_id needs an "http" connection
                    refs.append(
                        ConnectionRef(
                            pointer("nodes", i, "parameters", key), value, types, f"`{key}`", node_id=node.id
                        )
                    )
        tool = ctx.tool_of(node)
        if tool is not None:
            for key, types, default in _tool_connection_fields(tool.input_schema, node.parameters):
                value = node.parameters.get(key, default)
                if isinstance(value, str) and value:
                    where = (
                        pointer("nodes", i, "parameters", key)
                        if key in node.parameters
                        else pointer("nodes", i)
                    )
                    what = f"`{key}`" if key in node.parameters else f"`{key}` (the tool's default)"
                    refs.append(ConnectionRef(where, value, types, what, node_id=node.id))
        for k, note in enumerate(node.notifications):
            if note.connection_id:
                refs.append(
                    ConnectionRef(pointer("nodes", i, "notifications", k, "connection_id"), note.connection_id, (),
                                  "the notification's connection", node_id=node.id)
                )  # fmt: skip
    for g, group in enumerate(wf.groups):
        for k, note in enumerate(group.notifications):
            if note.connection_id:
                refs.append(
                    ConnectionRef(pointer("groups", g, "notifications", k, "connection_id"), note.connection_id, (),
                                  "the notification's connection", group_id=group.id)
                )  # fmt: skip
    for k, note in enumerate(wf.notifications):
        if note.connection_id:
            refs.append(
                ConnectionRef(pointer("notifications", k, "connection_id"), note.connection_id, (),
                              "the notification's connection")
            )  # fmt: skip
    return [ref for ref in refs if not _is_template(ref.conn_id)]


def _owner(ref: ConnectionRef) -> str:
    if ref.node_id is not None:
        return f"Node {ref.node_id!r}"
    if ref.group_id is not None:
        return f"Group {ref.group_id!r}"
    return "The workflow"


def _create_hint(ref: ConnectionRef, fitting: list[str]) -> str:
    create = "create it under Admin > Connections" + (
        f" (type {' or '.join(ref.types)})." if ref.types else "."
    )
    return (
        f"Use one of: {', '.join(fitting[:8])}; or {create}" if fitting else create[:1].upper() + create[1:]
    )


def check_connections(ctx: ValidationContext) -> None:
    """W_CONNECTION_UNKNOWN / W_CONNECTION_TYPE: the run would fail with "conn_id isn't defined"
    or on a hook of the wrong kind; said at design time instead."""
    known = ctx.resources.connections
    if known is None:
        return
    for ref in connection_refs(ctx):
        # Airflow looks environment-variable connections up upper-cased; the caller lists them lower-cased.
        conn_type = known.get(ref.conn_id, known.get(ref.conn_id.lower()))
        fitting = sorted(c for c, t in known.items() if not ref.types or t in ref.types)
        if conn_type is None:
            ctx.add(
                "W_CONNECTION_UNKNOWN",
                f"{_owner(ref)}: {ref.what} names connection {ref.conn_id!r}, which does not exist in Airflow.",
                ref.where,
                node_id=ref.node_id,
                group_id=ref.group_id,
                severity="warning",
                hint=did_you_mean(ref.conn_id, fitting) or _create_hint(ref, fitting),
            )
        elif ref.types and conn_type not in ref.types:
            ctx.add(
                "W_CONNECTION_TYPE",
                f"{_owner(ref)}: {ref.what} names connection {ref.conn_id!r} of type {conn_type!r}; "
                f"it needs type {' or '.join(ref.types)}.",
                ref.where,
                node_id=ref.node_id,
                group_id=ref.group_id,
                severity="warning",
                hint=f"Pick a connection of type {' or '.join(ref.types)}"
                + (
                    f": {', '.join(fitting[:8])}."
                    if fitting
                    else ", or create one under Admin > Connections."
                ),
            )


@functools.lru_cache(maxsize=4096)
def variable_names(text: str) -> tuple[str, ...]:
    """The Airflow Variables a Jinja template reads (``var.value.x``, ``var.json.x``, and
    ``var.value.get('x')``), in order of appearance; none when it does not parse."""
    if "var." not in text:
        return ()
    from jinja2 import Environment, TemplateSyntaxError, nodes

    try:
        tree = Environment().parse(text)
    except TemplateSyntaxError:
        return ()  # E_JINJA_SYNTAX says so

    def is_var_kind(node: nodes.Node) -> bool:
        return (
            isinstance(node, nodes.Getattr)
            and node.attr in ("value", "json")
            and isinstance(node.node, nodes.Name)
            and node.node.name == "var"
        )

    found: list[str] = []
    for node in tree.find_all((nodes.Getattr, nodes.Call)):
        if isinstance(node, nodes.Getattr) and is_var_kind(node.node) and node.attr != "get":
            found.append(node.attr)
        elif (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Getattr)
            and node.node.attr == "get"
            and is_var_kind(node.node.node)
            and node.args
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and len(node.args) == 1  # with a default, a missing Variable is fine
        ):
            found.append(node.args[0].value)
    return tuple(dict.fromkeys(found))


def _template_fields(wf: Workflow) -> Iterator[tuple[str, str, str]]:
    """(pointer, node id, text) of every field Airflow renders with Jinja."""
    for i, node in enumerate(wf.nodes):
        for key, text in node.templates.items():
            yield pointer("nodes", i, "templates", key), node.id, text
        if node.agent is not None:
            yield pointer("nodes", i, "agent", "system_prompt"), node.id, node.agent.system_prompt
            yield pointer("nodes", i, "agent", "prompt"), node.id, node.agent.prompt
        if node.type is NodeType.TOOL and node.operator:  # operator arguments are templated fields
            for key, value in node.parameters.items():
                if isinstance(value, str):
                    yield pointer("nodes", i, "parameters", key), node.id, value


def check_variables(ctx: ValidationContext) -> None:
    """W_VARIABLE_UNKNOWN: a template reads a Variable that does not exist (the task would fail
    rendering it)."""
    known = ctx.resources.variables
    if known is None:
        return
    for where, node_id, text in _template_fields(ctx.wf):
        for name in variable_names(text):
            if name not in known and name.lower() not in known:  # AIRFLOW_VAR_* are case-blind
                ctx.add(
                    "W_VARIABLE_UNKNOWN",
                    f"Node {node_id!r} reads Variable {name!r}, which does not exist in Airflow.",
                    where,
                    node_id=node_id,
                    severity="warning",
                    hint=did_you_mean(name, sorted(known))
                    or "Create it under Admin > Variables, or give a default: var.value.get('"
                    + name
                    + "', 'fallback').",
                )


def check_pools(ctx: ValidationContext) -> None:
    """Unknown pools are warnings: pools live in the Airflow DB and may be created before deploy."""
    if ctx.pools is None:
        return
    known = sorted(ctx.pools)
    if ctx.wf.defaults.pool and ctx.wf.defaults.pool not in ctx.pools:
        ctx.add(
            "W_POOL_UNKNOWN",
            f"The workflow defaults use pool {ctx.wf.defaults.pool!r}, which does not exist in Airflow.",
            pointer("defaults", "pool"),
            severity="warning",
            hint=did_you_mean(ctx.wf.defaults.pool, known) or "Create it under Admin > Pools.",
        )
    for i, node in enumerate(ctx.wf.nodes):
        pool = node.execution.pool
        if pool and pool not in ctx.pools:
            ctx.add(
                "W_POOL_UNKNOWN",
                f"Node {node.id!r} uses pool {pool!r}, which does not exist in Airflow.",
                pointer("nodes", i, "execution", "pool"),
                node_id=node.id,
                severity="warning",
                hint=did_you_mean(pool, known) or "Create it under Admin > Pools.",
            )
