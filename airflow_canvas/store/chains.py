"""The chain library and user templates in the canvas tables. Storage only: what a chain or a
template is, and the rules for publishing one, are service/chains.py's and service/user_templates.py's.

A chain version, once stored, is never changed (workflows pin it by name@version); a user template
is one row per name, replaced when saved again under the same name."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from airflow_canvas.store.errors import Conflict, NotFound
from airflow_canvas.store.models import ChainRow, UserTemplateRow
from airflow_canvas.store.repository import retry_locked
from airflow_canvas.store.session import rowcount


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------- chains


def chain_versions(session: Session, name: str) -> list[ChainRow]:
    """Every stored version of a chain, in insertion order (the caller sorts by semver)."""
    return list(session.scalars(select(ChainRow).where(ChainRow.name == name).order_by(ChainRow.id)))


def all_chains(session: Session) -> list[ChainRow]:
    return list(session.scalars(select(ChainRow).order_by(ChainRow.name, ChainRow.id)))


def get_chain(session: Session, name: str, version: str) -> ChainRow:
    row = session.scalar(select(ChainRow).where(ChainRow.name == name, ChainRow.version == version))
    if row is None:
        known = [r.version for r in chain_versions(session, name)]
        raise NotFound(
            f"Chain {name}@{version} is not in the library."
            + (f" Its versions: {', '.join(known)}." if known else f" There is no chain named {name!r}.")
        )
    return row


def add_chain(
    session: Session,
    *,
    name: str,
    version: str,
    description: str,
    changelog: str,
    spec: dict[str, Any],
    author: str,
) -> ChainRow:
    """Store a new version; Conflict when name@version exists (published versions are immutable)."""
    session.rollback()

    def attempt() -> ChainRow:
        row = ChainRow(
            name=name,
            version=version,
            description=description,
            changelog=changelog,
            spec=_dumps(spec),
            created_by=author,
            created_at=datetime.now(timezone.utc),
        )
        session.add(row)
        session.commit()
        return row

    try:
        return retry_locked(attempt)
    except IntegrityError:
        session.rollback()
        raise Conflict(
            f"Chain {name}@{version} already exists and published versions are immutable: "
            "publish a higher version."
        ) from None
    except Exception:
        session.rollback()
        raise


def chain_spec(row: ChainRow) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(row.spec)
    return spec


# ---------------------------------------------------------------- user templates


def all_templates(session: Session) -> list[UserTemplateRow]:
    return list(session.scalars(select(UserTemplateRow).order_by(UserTemplateRow.name)))


def get_template(session: Session, name: str) -> UserTemplateRow:
    row = session.get(UserTemplateRow, name)
    if row is None:
        raise NotFound(f"There is no user template {name!r}.")
    return row


def put_template(
    session: Session,
    *,
    name: str,
    title: str,
    description: str,
    parameters: dict[str, Any],
    body: dict[str, Any],
    author: str,
) -> tuple[UserTemplateRow, bool]:
    """Create or replace the template called ``name``; the row and whether it was new."""
    session.rollback()

    def attempt() -> tuple[UserTemplateRow, bool]:
        now = datetime.now(timezone.utc)
        row = session.get(UserTemplateRow, name)
        new = row is None
        if row is None:
            row = UserTemplateRow(name=name, created_by=author, created_at=now)
            session.add(row)
        row.title, row.description = title, description
        row.parameters, row.body = _dumps(parameters), _dumps(body)
        row.updated_at = now
        session.commit()
        return row, new

    try:
        return retry_locked(attempt)
    except Exception:
        session.rollback()
        raise


def delete_template(session: Session, name: str) -> bool:
    session.rollback()

    def attempt() -> int:
        n = rowcount(session.execute(delete(UserTemplateRow).where(UserTemplateRow.name == name)))
        session.commit()
        return n

    return retry_locked(attempt) > 0


def template_json(row: UserTemplateRow) -> tuple[dict[str, Any], dict[str, Any]]:
    """(parameters schema, body) of a stored template."""
    params: dict[str, Any] = json.loads(row.parameters)
    body: dict[str, Any] = json.loads(row.body)
    return params, body
