"""User tools in the canvas store (table ``canvas_tool``, model ``store.models.ToolRow``).

A version is a draft until published: drafts may be edited in place, published versions never
change (publishing runs the rules in publish.py, tests included). Built-in tools are not stored;
their names are reserved. ``published_source`` feeds the registry so workflows resolve published
tools; deprecated versions stay resolvable (pinned DAGs keep working) and are flagged in listings.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from airflow_canvas.spec.models import Tool
from airflow_canvas.store.errors import Conflict, NotFound, StoreError
from airflow_canvas.store.models import ToolRow
from airflow_canvas.store.session import new_session, rowcount
from airflow_canvas.tools.breaking_changes import required_bump, schema_changes
from airflow_canvas.tools.publish import PublishCheck, PublishError, check_publish
from airflow_canvas.tools.registry import builtin_tools
from airflow_canvas.tools.semver import Version


class PublishRefused(StoreError):
    status = 422


def _tool(row: ToolRow) -> Tool:
    return Tool.model_validate_json(row.spec)


def row_dict(row: ToolRow, *, with_spec: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": row.name, "version": row.version, "published": row.published, "deprecated": row.deprecated,
        "created_by": row.created_by, "created_at": row.created_at.isoformat() if row.created_at else None,
        "builtin": False, "changelog": json.loads(row.spec).get("changelog", ""),
    }  # fmt: skip
    if with_spec:
        out["spec"] = json.loads(row.spec)
    return out


def builtin_dict(tool: Tool, *, with_spec: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"name": tool.name, "version": tool.version, "published": True, "deprecated": False,
                           "created_by": "airflow-canvas", "created_at": None, "builtin": True,
                           "changelog": tool.changelog}  # fmt: skip
    if with_spec:
        out["spec"] = tool.model_dump(mode="json")
    return out


def _builtin(name: str) -> list[Tool]:
    return [t for t in builtin_tools() if t.name == name]


def _rows(session: Session, name: str) -> list[ToolRow]:
    rows = session.scalars(select(ToolRow).where(ToolRow.name == name)).all()
    return sorted(rows, key=lambda r: Version.parse(r.version))


def get_row(session: Session, name: str, version: str) -> ToolRow:
    row = session.scalar(select(ToolRow).where(ToolRow.name == name, ToolRow.version == version))
    if row is None:
        raise NotFound(f"Tool {name}@{version} does not exist.")
    return row


def get_tool(session: Session, name: str, version: str) -> Tool:
    for tool in _builtin(name):
        if tool.version == version:
            return tool
    return _tool(get_row(session, name, version))


def save_draft(session: Session, tool: Tool, *, user: str) -> ToolRow:
    if _builtin(tool.name):
        raise Conflict(f"{tool.name!r} is a built-in tool; choose another name.")
    spec = json.dumps(tool.model_dump(mode="json"), sort_keys=True)
    row = session.scalar(select(ToolRow).where(ToolRow.name == tool.name, ToolRow.version == tool.version))
    if row is not None and row.published:
        raise Conflict(
            f"Tool {tool.ref} is published and published versions are immutable; save it as a new version.",
            published=True,
        )
    if row is None:
        row = ToolRow(name=tool.name, version=tool.version, spec=spec, created_by=user)
        session.add(row)
        session.commit()
        return row
    # Only while still a draft, decided by the database: a publish committed since the read above
    # must not be followed by this write changing the published body.
    changed = rowcount(
        session.execute(
            update(ToolRow).where(ToolRow.id == row.id, ToolRow.published.is_(False)).values(spec=spec)
        )
    )
    session.commit()
    if not changed:
        raise Conflict(
            f"Tool {tool.ref} was published meanwhile and published versions are immutable; "
            "save it as a new version.",
            published=True,
        )
    session.refresh(row)
    return row


def list_tools(session: Session) -> list[dict[str, Any]]:
    """One entry per tool name: the latest version and how many there are."""
    # Each entry keeps how to read its description, so only the latest versions' specs are parsed
    # (and the rows already loaded are not queried again).
    by_name: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for row in session.scalars(select(ToolRow)).all():
        by_name.setdefault(row.name, []).append((row_dict(row), lambda r=row: _tool(r).description))
    for tool in builtin_tools():
        by_name.setdefault(tool.name, []).append((builtin_dict(tool), lambda t=tool: t.description))
    out = []
    for name, versions in sorted(by_name.items()):
        versions.sort(key=lambda v: Version.parse(v[0]["version"]))
        published = [v for v in versions if v[0]["published"]]
        latest, description = (published or versions)[-1]
        out.append({"name": name, "latest": latest["version"], "versions": len(versions),
                    "builtin": latest["builtin"], "deprecated": latest["deprecated"],
                    "description": description()})  # fmt: skip
    return out


def list_versions(session: Session, name: str) -> list[dict[str, Any]]:
    items = [builtin_dict(t) for t in _builtin(name)] + [row_dict(r) for r in _rows(session, name)]
    if not items:
        raise NotFound(f"No tool named {name!r}.")
    return items


def published_tools(session: Session, name: str | None = None) -> list[Tool]:
    query = select(ToolRow).where(ToolRow.published.is_(True))
    if name is not None:
        query = query.where(ToolRow.name == name)
    return [_tool(r) for r in session.scalars(query).all()]


def publish(
    session: Session, name: str, version: str, *, run_tests: Any = None, changelog: str | None = None
) -> tuple[ToolRow, PublishCheck]:
    """``changelog`` (when given) is written into the published body: the only change a publish
    makes to it, and not one the breaking-change check looks at."""
    row = get_row(session, name, version)
    tested = row.spec
    tool = _tool(row)
    final = tested
    if changelog is not None:
        final = json.dumps(
            tool.model_copy(update={"changelog": changelog}).model_dump(mode="json"), sort_keys=True
        )
    try:
        check = check_publish(tool, published_tools(session, name), run_tests=run_tests)
    except PublishError as exc:
        raise PublishRefused(str(exc), reasons=exc.reasons, tests=exc.tests) from None
    # Publish exactly the body whose tests just ran: the draft may have been saved again (or
    # published) while they ran, and that body is neither tested nor allowed to become published.
    done = rowcount(
        session.execute(
            update(ToolRow)
            .where(ToolRow.id == row.id, ToolRow.spec == tested, ToolRow.published.is_(False))
            .values(published=True, spec=final)
        )
    )
    session.commit()
    if not done:
        raise Conflict(
            f"Cannot publish {tool.ref}: it was changed or published while its tests ran; "
            "check the current draft and publish again."
        )
    session.refresh(row)
    invalidate_cache()
    return row, check


def set_deprecated(session: Session, name: str, version: str, deprecated: bool) -> ToolRow:
    row = get_row(session, name, version)
    if not row.published:
        raise Conflict(f"Tool {name}@{version} is a draft; delete or publish it instead of deprecating it.")
    row.deprecated = deprecated
    session.commit()
    return row


def diff(session: Session, name: str, old: str, new: str) -> dict[str, Any]:
    a, b = get_tool(session, name, old), get_tool(session, name, new)
    return {
        "name": name,
        "from": old,
        "to": new,
        "required_bump": required_bump(a, b),
        "changes": [c.to_dict() for c in schema_changes(a, b)],
    }


_CACHE_SECONDS = 5.0
_cache: tuple[float, list[Tool]] | None = None


def invalidate_cache() -> None:
    global _cache
    _cache = None


def published_source() -> list[Tool]:
    """Registry source: every published tool, read with a short-lived session and cached for a few
    seconds (compiling a large workflow resolves many references). A store that is not reachable
    (tables not migrated yet) must not break resolving inline and built-in tools."""
    global _cache
    import logging
    import time

    from sqlalchemy.exc import SQLAlchemyError

    now = time.monotonic()
    if _cache is not None and now - _cache[0] < _CACHE_SECONDS:
        return _cache[1]
    try:
        with new_session() as session:
            tools = published_tools(session)
    except SQLAlchemyError as exc:
        logging.getLogger(__name__).warning("Published tools unavailable: %s", exc)
        return []
    _cache = (now, tools)
    return tools
