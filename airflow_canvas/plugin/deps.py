"""Shared route helpers: a DB session per request and pagination parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from airflow_canvas.store.session import new_session


def _session() -> Iterator[Session]:
    # A fresh Session (not Airflow's scoped one): writes control their own transactions, and
    # concurrent requests must never share one.
    session = new_session()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(_session)]


class Page(BaseModel):
    offset: int
    limit: int


def _page(
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page:
    return Page(offset=offset, limit=limit)


PageDep = Annotated[Page, Depends(_page)]
