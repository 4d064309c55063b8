"""Airflow's ORM handles, narrowed: ``airflow.settings`` types ``Session`` and ``engine`` as optional
(they are None until ``settings.configure_orm()`` has run, which Airflow's CLI, API server and
scheduler do at start-up). One clear error instead of an AttributeError on None."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import Session


class OrmNotConfigured(RuntimeError):
    pass


def new_session() -> Session:
    """A new session from Airflow's session factory (not the thread's scoped one): the caller owns
    it and closes it (``with new_session() as session:``)."""
    from airflow import settings

    if settings.Session is None:
        raise OrmNotConfigured("Airflow's database is not configured (airflow.settings.configure_orm)")
    session: Session = settings.Session.session_factory()
    return session


def thread_session() -> Session:
    """Airflow's scoped session: the one this thread shares with Airflow's own code."""
    from airflow import settings

    if settings.Session is None:
        raise OrmNotConfigured("Airflow's database is not configured (airflow.settings.configure_orm)")
    session: Session = settings.Session()
    return session


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. ``Session.execute`` is typed as returning a
    ``Result``; for these statements it is a ``CursorResult``, the class that has ``rowcount``."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"expected the CursorResult of an UPDATE or DELETE, got {type(result).__name__}")
    return result.rowcount


def airflow_engine() -> Engine:
    """Airflow's SQLAlchemy engine."""
    from airflow import settings

    if settings.engine is None:
        raise OrmNotConfigured("Airflow's database is not configured (airflow.settings.configure_orm)")
    return settings.engine
