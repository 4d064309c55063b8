"""What the LLM co-pilot may use besides the workflow, read once per turn and kept small: the tools
(name@version, one line, compact I/O schemas), the Airflow connection ids with their types, pools
and notifiers. Each part is there only when the user's ``Access`` allows it (decided by the plugin
with Airflow's auth manager, the same checks its routes make), and nothing here ever carries a
credential: connections are read as (conn_id, conn_type) columns only, tools without their code.

The full detail of one item (an operator's parameters, a tool's schemas, a notifier's arguments)
is not in the prompt: the model asks for it through the lookup functions (``llm_lookups``)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from airflow_canvas.copilot.context import Access, redact_text
from airflow_canvas.spec.models import Tool, Workflow

log = logging.getLogger(__name__)

MAX_TOOLS = 40  # listed in the prompt; the rest through search_tools
MAX_CONNECTIONS = 100
MAX_POOLS = 50
ONE_LINE = 140


def one_line(text: str, limit: int = ONE_LINE) -> str:
    """The first sentence of a Markdown description, without emphasis or links' URLs."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text or "")
    text = re.sub(r"[*_`]{1,2}", "", text).strip().split("\n\n")[0].replace("\n", " ")
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    text = match[1] if match else text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def brief_type(schema: Any, depth: int = 0) -> Any:
    """A JSON Schema in a few characters: "string", "a|b" for enums, "list[...]", and objects as
    {field: type} with '*' marking required fields. Nesting below two levels becomes "object"."""
    if not isinstance(schema, dict):
        return "any"
    if "enum" in schema:
        return "|".join(str(v) for v in schema["enum"][:8])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            kinds = [brief_type(s, depth) for s in schema[key] if s.get("type") != "null"]
            return kinds[0] if len(kinds) == 1 else "|".join(str(k) for k in kinds)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "|".join(k for k in kind if k != "null")
    if kind == "array":
        return [brief_type(schema.get("items", {}), depth + 1)]
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        if not props or depth >= 2:
            return "object"
        required = set(schema.get("required") or [])
        return {
            name + ("*" if name in required else ""): brief_type(s, depth + 1) for name, s in props.items()
        }
    return kind or "any"


def brief_tool(tool: Tool) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": tool.ref, "does": redact_text(one_line(tool.description))}
    if tool.input_schema:
        out["in"] = brief_type(tool.input_schema)
    if tool.output_schema:
        out["out"] = brief_type(tool.output_schema)
    if tool.parameters:
        out["params"] = brief_type(tool.parameters)
    return out


def tool_detail(tool: Tool) -> dict[str, Any]:
    """One tool as ``get_tool`` answers: everything a node needs, never its code."""
    return {
        "ref": tool.ref,
        "description": tool.description,
        "input_schema": tool.input_schema,
        "output_schema": tool.output_schema,
        "parameters": tool.parameters,
        "network": tool.network,
        "dependencies": list(tool.dependencies),
    }


def latest_versions(tools: Iterable[Tool]) -> list[Tool]:
    from airflow_canvas.tools.semver import Version

    best: dict[str, Tool] = {}
    for tool in tools:
        known = best.get(tool.name)
        if known is None or Version.parse(tool.version) > Version.parse(known.version):
            best[tool.name] = tool
    return [best[name] for name in sorted(best)]


def _published_tools() -> list[Tool]:
    from airflow_canvas.store.tools import published_source

    return list(published_source())


def _db_connections(ids: frozenset[str]) -> list[tuple[str, str]]:
    """(conn_id, conn_type) of the given connections: two columns, so no password or extra is
    even loaded into this process for the prompt."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        query = select(Connection.conn_id, Connection.conn_type).where(Connection.conn_id.in_(sorted(ids)))
        return sorted((str(c), str(t or "")) for c, t in session.execute(query).all())


def _db_pools() -> list[tuple[str, int]]:
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return sorted((str(p), int(s)) for p, s in session.execute(select(Pool.pool, Pool.slots)).all())


def _notifiers() -> list[dict[str, Any]]:
    from airflow_canvas.policies.notifiers import notifier_catalogue

    return [e.to_dict() for e in notifier_catalogue()]


@dataclass
class Sources:
    """Where the world is read from; tests and benchmarks swap any of them."""

    published_tools: Callable[[], list[Tool]] = _published_tools
    connections: Callable[[frozenset[str]], list[tuple[str, str]]] = _db_connections
    pools: Callable[[], list[tuple[str, int]]] = _db_pools
    notifiers: Callable[[], list[dict[str, Any]]] = _notifiers


@dataclass
class World:
    access: Access
    tools: list[Tool] = field(default_factory=list)  # every version the user may use
    connections: list[tuple[str, str]] = field(default_factory=list)
    pools: list[tuple[str, int]] = field(default_factory=list)
    notifiers: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """The prompt's ``available`` section."""
        latest = latest_versions(self.tools)
        out: dict[str, Any] = {"tools": [brief_tool(t) for t in latest[:MAX_TOOLS]]}
        if len(latest) > MAX_TOOLS:
            out["more_tools"] = f"{len(latest) - MAX_TOOLS} more: call search_tools"
        if self.access.connection_ids:
            out["connections"] = [list(c) for c in self.connections[:MAX_CONNECTIONS]]  # [conn_id, type]
        if self.access.pools:
            out["pools"] = [list(p) for p in self.pools[:MAX_POOLS]]  # [name, slots]
        if self.access.catalogue:
            out["notifiers"] = {n["key"]: n["label"] for n in self.notifiers}
            out["operators"] = "call search_operators(words), then get_operator(class_path)"
        out["you_may"] = {
            "use_published_tools": self.access.tools,
            "save_code": self.access.code,
        }
        return out


def load_world(wf: Workflow, access: Access, sources: Sources | None = None) -> World:
    """The world of one turn. A source that fails (no DB, a broken provider) leaves its part out:
    the user can still chat."""
    src = sources or Sources()
    world = World(access, tools=list(wf.tools))
    from airflow_canvas.tools.registry import available_tools

    published: list[Tool] = []
    if access.tools:
        published = _safely(src.published_tools, [], "published tools")
    # Built-in tools ship with the package (anyone editing a workflow can use them); published ones
    # need read on Canvas Tools, as GET /tools does.
    world.tools = available_tools(wf.tools, published=published)
    if access.connection_ids:
        world.connections = _safely(lambda: src.connections(access.connection_ids), [], "connections")
    if access.pools:
        world.pools = _safely(src.pools, [], "pools")
    if access.catalogue:
        world.notifiers = _safely(src.notifiers, [], "notifiers")
    return world


def _safely(read: Callable[[], Any], empty: Any, what: str) -> Any:
    try:
        return read()
    except Exception:  # noqa: BLE001 - one missing part must not stop the turn
        log.warning("co-pilot: could not read %s for the prompt", what, exc_info=True)
        return empty
