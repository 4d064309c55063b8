"""What of Airflow's pools, connections and Variables a user may see, for validation's design-time
checks (validation/resources.py): each kind only when Airflow's auth manager lets the user read
it, the same check Airflow's own /api/v2/pools, /connections and /variables make. A user who may
not list connections gets no connection check, so a 'did you mean' hint cannot leak an id.

Read on every validation (they change under a running server); a database error makes that kind
unknown (not checked), never a failed save."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser

from airflow_canvas.validation import Resources

log = logging.getLogger(__name__)
T = TypeVar("T")
ENV_PREFIX = "AIRFLOW_CONN_"  # Airflow's environment-variables secrets backend
VAR_PREFIX = "AIRFLOW_VAR_"


def may_read(user: BaseUser | None, kind: str) -> bool:
    """Whether Airflow lets ``user`` read ``kind`` (pool, connection, variable): the resource-level
    check Airflow's own list routes make (FAB has no per-item grants for these)."""
    if user is None:
        return False
    from airflow.api_fastapi.app import get_auth_manager

    check = getattr(get_auth_manager(), f"is_authorized_{kind}")
    try:
        return bool(check(method="GET", user=user))
    except Exception:  # noqa: BLE001 - an auth manager that cannot answer: show nothing
        log.warning("could not ask the auth manager about %s", kind, exc_info=True)
        return False


def _read(session: Any, kind: str, query: Callable[[Any], T]) -> T | None:
    try:
        return query(session)
    except Exception:  # noqa: BLE001 - a nicety for validation, never a reason to fail a save
        log.warning("could not read Airflow's %s for validation", kind, exc_info=True)
        session.rollback()  # only reads ran on it: leave it usable for the request
        return None


def _pools(session: Any) -> frozenset[str]:
    from airflow.models.pool import Pool
    from sqlalchemy import select

    return frozenset(session.scalars(select(Pool.pool)))


def _env_connection_type(conn_id: str, value: str) -> str:
    from airflow.models.connection import Connection

    try:
        if value.lstrip().startswith("{"):
            return str(json.loads(value).get("conn_type") or "")
        return Connection(conn_id=conn_id, uri=value).conn_type or ""
    except Exception:  # noqa: BLE001 - a malformed variable still names a connection
        return ""


def _connections(session: Any) -> dict[str, str] | None:
    """Connection id -> type from the metadata DB and AIRFLOW_CONN_* variables; None when a secrets
    backend is configured (its connections cannot be listed, so nothing can be called missing)."""
    from airflow.configuration import conf
    from airflow.models.connection import Connection
    from sqlalchemy import select

    if conf.get("secrets", "backend", fallback=""):
        return None
    rows = session.execute(select(Connection.conn_id, Connection.conn_type))
    found = {conn_id: conn_type or "" for conn_id, conn_type in rows}
    for name, value in os.environ.items():
        if name.startswith(ENV_PREFIX) and len(name) > len(ENV_PREFIX):
            conn_id = name[len(ENV_PREFIX) :].lower()
            found.setdefault(conn_id, _env_connection_type(conn_id, value))
    return found


def _variables(session: Any) -> frozenset[str] | None:
    """Variable keys from the metadata DB and AIRFLOW_VAR_* variables; None under a secrets backend."""
    from airflow.configuration import conf
    from airflow.models.variable import Variable
    from sqlalchemy import select

    if conf.get("secrets", "backend", fallback=""):
        return None
    from_env = {name[len(VAR_PREFIX) :].lower() for name in os.environ if name.startswith(VAR_PREFIX)}
    return frozenset(session.scalars(select(Variable.key))) | from_env


def resources_for(user: BaseUser | None, session: Any = None) -> Resources:
    """The pools, connections and Variables ``user`` may read (None for each kind they may not).

    ``session``: the request's own session, when it has one. A request must never hold a second
    pooled connection while it waits for one: with every connection held by a request that waits
    for its second, the pool deadlocks until its timeout (seen with 20 concurrent saves)."""
    kinds = {kind: may_read(user, kind) for kind in ("pool", "connection", "variable")}
    if not any(kinds.values()):
        return Resources()
    if session is None:
        from airflow.utils.session import create_session

        with create_session() as own:
            return resources_for(user, own)
    return Resources(
        pools=_read(session, "pools", _pools) if kinds["pool"] else None,
        connections=_read(session, "connections", _connections) if kinds["connection"] else None,
        variables=_read(session, "variables", _variables) if kinds["variable"] else None,
    )


def visible_connection_ids(user: BaseUser | None) -> frozenset[str]:
    """The connection ids ``user`` may see (none when they may not read connections, or when a
    secrets backend keeps them unlistable): what the co-pilot's model is told exists."""
    if not may_read(user, "connection"):
        return frozenset()
    from airflow.utils.session import create_session

    with create_session() as session:
        found = _read(session, "connections", _connections)
    return frozenset(found or ())


def connection_choices(
    user: BaseUser | None, session: Any, conn_types: frozenset[str] = frozenset()
) -> tuple[list[dict[str, str]], bool, bool]:
    """The connections ``user`` may read, for the connection picker: id, type and description only
    (the query never even loads host, login, password or extra). Filtered to ``conn_types`` when
    given. Returns (choices, readable, complete): ``readable`` is False when Airflow does not let the
    user read connections (nothing listed), ``complete`` False under a secrets backend, whose
    connections cannot be listed (the picker then says a typed id may still exist)."""
    if not may_read(user, "connection"):
        return [], False, True

    def query(session: Any) -> dict[str, tuple[str, str]]:
        from airflow.models.connection import Connection
        from sqlalchemy import select

        rows = session.execute(select(Connection.conn_id, Connection.conn_type, Connection.description))
        found = {conn_id: (conn_type or "", description or "") for conn_id, conn_type, description in rows}
        for name, value in os.environ.items():
            if name.startswith(ENV_PREFIX) and len(name) > len(ENV_PREFIX):
                conn_id = name[len(ENV_PREFIX) :].lower()
                found.setdefault(conn_id, (_env_connection_type(conn_id, value), "from the environment"))
        return found

    from airflow.configuration import conf

    found = _read(session, "connections", query) or {}
    choices = [
        {"connection_id": conn_id, "conn_type": conn_type, "description": description[:200]}
        for conn_id, (conn_type, description) in sorted(found.items())
        if not conn_types or conn_type in conn_types
    ]
    return choices, True, not conf.get("secrets", "backend", fallback="")
