"""Conversations per workflow and user, in the canvas tables (``canvas_copilot_conversation`` and
``canvas_copilot_message``), with their token and cost totals. Stored replies keep their parts and
proposal ops but not the proposal's full patched spec (it can be rebuilt from the ops).

Sizes are bounded, in characters of stored text (a message's content plus its JSON payload): a
stored reply by ``max_reply_chars`` (a longer one keeps its beginning and says so), a conversation
by ``max_conversation_chars`` (a full one refuses new turns with ``ConversationFull``, whose
message tells the user to start a new conversation). The callers pass the limits (the API reads
them from ``[airflow_canvas]``)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from airflow_canvas.copilot.responses import Reply
from airflow_canvas.store.models import ConversationRow, MessageRow

HISTORY_MESSAGES = 20
# A turn starts only with room for the message and at least this much reply: a conversation never
# ends on a turn whose answer had no room at all.
REPLY_RESERVE_CHARS = 1000


class ConversationFull(Exception):
    def __init__(self, conversation_id: str, size: int, limit: int, needed: int):
        self.conversation_id, self.size, self.limit = conversation_id, size, limit
        if size == 0:
            text = (
                f"This message does not fit in a conversation: with room for a reply it needs {needed} "
                f"characters and a conversation may keep {limit} ([airflow_canvas] "
                "copilot_max_conversation_chars). Send a shorter message."
            )
        else:
            text = (
                f"This conversation is full: it holds {size} of the {limit} characters one conversation "
                "may keep ([airflow_canvas] copilot_max_conversation_chars). Start a new conversation to "
                "go on (the co-pilot panel's Clear button, or send the message without conversation_id)."
            )
        super().__init__(text)


FULL_NOTE = "This conversation is now full; start a new conversation to go on."


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


def stored_size(content: str, payload: dict[str, Any] | None) -> int:
    """Characters a message takes in the tables (as ``conversation_size`` counts them)."""
    return len(content) + len(json.dumps(payload or {}, default=str))


def conversation_size(session: Session, conversation_id: str) -> int:
    length = func.length(MessageRow.content) + func.length(MessageRow.payload)
    total = session.scalar(
        select(func.coalesce(func.sum(length), 0)).where(MessageRow.conversation_id == conversation_id)
    )
    return int(total or 0)


def check_room(session: Session, conversation: ConversationRow, incoming: int, limit: int) -> int:
    """Raise ``ConversationFull`` unless the conversation has room for ``incoming`` characters and a
    short reply; returns its size now."""
    size = conversation_size(session, conversation.id)
    if size + incoming + REPLY_RESERVE_CHARS > limit:
        raise ConversationFull(conversation.id, size, limit, incoming + REPLY_RESERVE_CHARS)
    return size


def reply_payload(reply: Reply) -> tuple[str, dict[str, Any]]:
    data = reply.model_dump(mode="json")
    if data.get("proposal"):
        data["proposal"].pop("workflow", None)
    return reply.plain_text(), data


def _as_markdown(parts: list[dict[str, Any]]) -> str:
    """A reply's parts as one Markdown text (code fenced), in order: what a shortened reply keeps the
    beginning of."""
    out = []
    for part in parts:
        if part.get("type") == "text":
            out.append(part["markdown"])
        elif part.get("type") == "code":
            out.append(f"```{part.get('language') or 'text'}\n{part['code']}\n```")
    return "\n\n".join(out)


def fit_reply(reply: Reply, limit: int, why: str) -> tuple[str, dict[str, Any]]:
    """The content and payload stored for ``reply``: as it is when it fits in ``limit`` characters,
    else its text's beginning with a note saying why the rest is missing (a proposal that does not
    fit is dropped: it can no longer be applied from the history). The payload stays a reply the UI
    can show."""
    content, data = reply_payload(reply)
    size = stored_size(content, data)
    if size <= limit:
        return content, data
    note = f"(Only the beginning of this reply is kept: it had {size} characters; {why}.)"
    content = _as_markdown(data["parts"]) or content
    short: dict[str, Any] = {
        "engine": data["engine"],
        "parts": [],
        "proposal": None,
        "usage": data["usage"],
        "error": data.get("error"),
        "truncated": {"size": size, "limit": limit},
    }

    def shortened(keep: int) -> tuple[str, dict[str, Any]]:
        text = (content[:keep].rstrip() + "\n\n" + note).strip()
        return text, short | {"parts": [{"type": "text", "markdown": text}]}

    # A kept character is stored twice (the content column and the JSON part), more when JSON escapes it.
    keep = max(0, (limit - stored_size(*shortened(0))) // 2)
    text, payload = shortened(keep)
    while keep > 0 and stored_size(text, payload) > limit:
        keep = int(keep * 0.9)
        text, payload = shortened(keep)
    return text, payload


def record_reply(
    session: Session,
    conversation: ConversationRow,
    reply: Reply,
    max_reply_chars: int | None = None,
    max_conversation_chars: int | None = None,
) -> tuple[MessageRow, bool]:
    """Store the reply within both limits; returns the row and whether the conversation is now full
    (no room left for another turn)."""
    limit, why = (
        max_reply_chars,
        f"a stored reply may have {max_reply_chars} ([airflow_canvas] copilot_max_reply_chars)",
    )
    full = False
    if max_conversation_chars is not None:
        room = max_conversation_chars - conversation_size(session, conversation.id)
        if limit is None or room < limit:
            limit, why = max(room, 0), "the conversation reached its size limit; start a new one to go on"
    if limit is None:
        content, data = reply_payload(reply)
    else:
        content, data = fit_reply(reply, limit, why)
    if max_conversation_chars is not None:
        used = conversation_size(session, conversation.id) + stored_size(content, data)
        full = used + REPLY_RESERVE_CHARS > max_conversation_chars
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
    row = add_message(
        session,
        conversation,
        "assistant",
        content,
        data,
        usage.prompt_tokens,
        usage.completion_tokens,
    )
    return row, full


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
    out: dict[str, Any] = {
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
