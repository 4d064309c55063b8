"""Conversations per workflow and user, in the canvas tables (``canvas_copilot_conversation`` and
``canvas_copilot_message``), with their token and cost totals. Stored replies keep their parts and
proposal ops but not the proposal's full patched spec (it can be rebuilt from the ops)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from airflow_canvas.copilot.responses import Reply
from airflow_canvas.store.models import ConversationRow, MessageRow

HISTORY_MESSAGES = 20


def _now() -> datetime:
    return datetime.now(timezone.utc)


def get_or_create(
    session: Session, conversation_id: str | None, workflow_id: str | None, username: str, title: str = ""
) -> ConversationRow:
    """The user's conversation by id, else a new one; another user's id is never reused."""
    if conversation_id:
        row = session.get(ConversationRow, conversation_id)
        if row is not None and row.username == username and row.workflow_id == workflow_id:
            return row
    row = ConversationRow(id=uuid.uuid4().hex, workflow_id=workflow_id, username=username, title=title[:200])
    session.add(row)
    session.flush()
    return row


def add_message(
    session: Session,
    conversation: ConversationRow,
    role: str,
    content: str,
    payload: dict[str, Any] | None = None,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
) -> MessageRow:
    row = MessageRow(
        conversation_id=conversation.id,
        role=role,
        content=content,
        payload=json.dumps(payload or {}, default=str),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    session.add(row)
    session.execute(
        update(ConversationRow).where(ConversationRow.id == conversation.id).values(updated_at=_now())
    )
    return row


def record_reply(session: Session, conversation: ConversationRow, reply: Reply) -> MessageRow:
    data = reply.model_dump(mode="json")
    if data.get("proposal"):
        data["proposal"].pop("workflow", None)
    usage = reply.usage
    session.execute(
        update(ConversationRow)
        .where(ConversationRow.id == conversation.id)
        .values(
            prompt_tokens=ConversationRow.prompt_tokens + usage.prompt_tokens,
            completion_tokens=ConversationRow.completion_tokens + usage.completion_tokens,
            cost_usd=ConversationRow.cost_usd + usage.cost,
        )
    )
    return add_message(
        session,
        conversation,
        "assistant",
        reply.plain_text(),
        data,
        usage.prompt_tokens,
        usage.completion_tokens,
    )


def history(session: Session, conversation_id: str) -> list[dict[str, str]]:
    """The last messages as {role, content} for the model (user and assistant text only)."""
    rows = session.scalars(
        select(MessageRow)
        .where(MessageRow.conversation_id == conversation_id, MessageRow.role.in_(("user", "assistant")))
        .order_by(MessageRow.id.desc())
        .limit(HISTORY_MESSAGES)
    ).all()
    return [{"role": r.role, "content": r.content} for r in reversed(rows)]


def message_json(row: MessageRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "role": row.role,
        "content": row.content,
        "payload": json.loads(row.payload or "{}"),
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens,
    }


def conversation_json(row: ConversationRow, messages: list[MessageRow] | None = None) -> dict[str, Any]:
    out = {
        "id": row.id,
        "workflow_id": row.workflow_id,
        "title": row.title,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "usage": {
            "prompt_tokens": row.prompt_tokens,
            "completion_tokens": row.completion_tokens,
            "cost": row.cost_usd,
        },
    }
    if messages is not None:
        out["messages"] = [message_json(m) for m in messages]
    return out


def list_conversations(session: Session, workflow_id: str | None, username: str) -> list[dict[str, Any]]:
    """The user's conversations on the workflow, newest first, each with its messages."""
    rows = session.scalars(
        select(ConversationRow)
        .where(ConversationRow.workflow_id == workflow_id, ConversationRow.username == username)
        .order_by(ConversationRow.updated_at.desc())
    ).all()
    out = []
    for row in rows:
        messages = session.scalars(
            select(MessageRow).where(MessageRow.conversation_id == row.id).order_by(MessageRow.id)
        ).all()
        out.append(conversation_json(row, list(messages)))
    return out


def delete_conversations(
    session: Session, workflow_id: str | None, username: str, conversation_id: str | None = None
) -> int:
    query = select(ConversationRow.id).where(
        ConversationRow.workflow_id == workflow_id, ConversationRow.username == username
    )
    if conversation_id:
        query = query.where(ConversationRow.id == conversation_id)
    ids = list(session.scalars(query).all())
    if ids:
        # Messages first: SQLite does not enforce ON DELETE CASCADE unless foreign keys are on.
        session.execute(delete(MessageRow).where(MessageRow.conversation_id.in_(ids)))
        session.execute(delete(ConversationRow).where(ConversationRow.id.in_(ids)))
    return len(ids)
