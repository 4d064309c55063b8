"""Which Airflow connection types an operator's connection-id parameter needs, from the installed
providers: each hook declares its connection type and the name of the argument that holds its
connection id (``conn_type`` and ``conn_name_attr``, which ProvidersManager().hooks reports as
``connection_type`` and ``connection_id_attribute_name``). ``http_conn_id`` is HttpHook's argument,
so HttpOperator's ``http_conn_id`` needs an "http" connection.

A parameter whose name no hook declares still gets a type when its prefix is one
(``postgres_conn_id`` -> "postgres"). Generic names (``conn_id``: SQLExecuteQueryOperator takes any
SQL database) and role names (``source_conn_id``) stay untyped: any connection fits."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache

log = logging.getLogger(__name__)

# Names that say "a connection" without saying of what kind; several hooks use them for any database.
GENERIC_NAMES = frozenset({"conn_id", "connection_id", "connection", "conn_name"})
_SUFFIXES = ("_conn_id", "_connection_id")


@lru_cache(maxsize=1)
def _installed() -> tuple[Mapping[str, tuple[str, ...]], frozenset[str]]:
    """(argument name -> the connection types of the hooks that read it, every installed type)."""
    from airflow.providers_manager import ProvidersManager

    hooks = ProvidersManager().hooks
    by_argument: dict[str, set[str]] = {}
    types: set[str] = set()
    for conn_type in list(hooks):
        types.add(conn_type)
        try:
            info = hooks[conn_type]  # imports the hook class (None when it cannot be imported)
        except Exception as exc:  # a provider whose optional dependency is missing
            log.info("connection types: skipping %s: %s", conn_type, exc)
            continue
        argument = getattr(info, "connection_id_attribute_name", None)
        if info is not None and argument and argument not in GENERIC_NAMES:
            by_argument.setdefault(argument, set()).add(info.connection_type or conn_type)
    return {k: tuple(sorted(v)) for k, v in by_argument.items()}, frozenset(types)


def connection_types_for(parameter: str) -> list[str]:
    """The connection types ``parameter`` (an operator argument holding a connection id) accepts;
    empty when any type fits or nothing installed says which."""
    if parameter in GENERIC_NAMES:
        return []
    by_argument, installed = _installed()
    if parameter in by_argument:
        return list(by_argument[parameter])
    for suffix in _SUFFIXES:
        if parameter.endswith(suffix):
            prefix = parameter[: -len(suffix)]
            # connection types use "-" or "_" between words (google_cloud_platform, aws, azure-blob...)
            return sorted(t for t in installed if t.replace("-", "_") == prefix)
    return []
