"""The co-pilot's routes. The reply itself is ``copilot.responses.Reply``; wizards are
``copilot.wizards``' models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from airflow_canvas.copilot.responses import Reply, Usage
from airflow_canvas.copilot.wizards import WizardInfo
from airflow_canvas.plugin.api_models.common import ApiModel
from airflow_canvas.spec.problems import Problem
from airflow_canvas.spec.wire import PreviewDiffJson, SpecJson


class ChatAnswer(ApiModel):
    """``stream: false``: the whole turn at once."""

    conversation_id: str
    reply: Reply


class StoredMessage(ApiModel):
    id: int
    role: Literal["user", "assistant", "system", "tool"]
    content: str
    payload: dict[str, Any]
    created_at: str | None
    prompt_tokens: int
    completion_tokens: int


class Conversation(ApiModel):
    id: str
    workflow_id: str | None
    title: str
    created_at: str | None
    updated_at: str | None
    usage: Usage
    messages: list[StoredMessage]


class ConversationList(ApiModel):
    items: list[Conversation] = Field(description="The caller's conversations on the workflow, newest first.")


class DeletedCount(ApiModel):
    deleted: int


class Applied(ApiModel):
    spec: SpecJson
    diff: PreviewDiffJson
    changes: list[str]
    warnings: list[Problem]


class WizardList(ApiModel):
    items: list[WizardInfo]


class CopilotStatus(ApiModel):
    engine: Literal["llm", "offline"]
    model: str | None = None
    conn_id: str | None = None
    reason: str | None = Field(None, description="Offline: why no LLM is used.")
    help: str | None = Field(None, description="Offline: the commands it understands (Markdown).")


# The stream's events (text/event-stream; each ``data:`` is one JSON object with its ``type``).
CHAT_STREAM = {
    "text/event-stream": {
        "schema": {
            "type": "string",
            "description": "Events `conversation`, `text`, `status`, `error`, `usage`, `proposal` and a "
            "final `done` carrying the whole reply (as `ChatAnswer.reply`).",
        }
    }
}
