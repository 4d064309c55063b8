"""Co-pilot routes: chat (SSE stream or JSON), conversations, applying a proposal, wizards, status.

Chatting needs "Canvas Co-pilot" read; applying needs "Canvas Workflows" edit and is audited with
the conversation id. Apply only validates and records: the client then saves the workflow through
PUT /workflows/{id} (one undo step on the canvas, one version in the store)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import Field

from airflow_canvas.copilot import conversations as convo
from airflow_canvas.copilot.context import ChatContext, Context, build_context
from airflow_canvas.copilot.engine import Copilot
from airflow_canvas.copilot.patch import check_patch
from airflow_canvas.copilot.responses import Reply, make_proposal
from airflow_canvas.copilot.wizards import list_wizards, wizard_step
from airflow_canvas.plugin.audit import audit
from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.plugin.permissions import COPILOT, WORKFLOWS
from airflow_canvas.spec.load import parse_workflow

log = logging.getLogger(__name__)
router = APIRouter(prefix="/copilot", tags=["copilot"])

# Module-level so tests (and other routers) can refer to the exact dependency objects.
can_chat = requires(COPILOT, "read")
can_edit = requires(WORKFLOWS, "edit")
Chatter = Annotated[BaseUser, Depends(can_chat)]
Editor = Annotated[BaseUser, Depends(can_edit)]


def _username(user: BaseUser) -> str:
    return user.get_name() if user is not None else "anonymous"


class ChatBody(RequestBody):
    message: str = Field(min_length=1, max_length=20000)
    workflow_id: str | None = None
    conversation_id: str | None = None
    context: ChatContext
    stream: bool = True
    include_latest_run: bool = Field(
        True, description="Read the workflow's latest run when the client sent none."
    )


class ApplyBody(RequestBody):
    spec: dict[str, Any] = Field(description="The workflow as on screen, that the ops apply to.")
    ops: list[dict[str, Any]] = Field(min_length=1)
    workflow_id: str | None = None
    conversation_id: str | None = None
    proposal_id: str | None = None


class WizardBody(RequestBody):
    spec: dict[str, Any]
    answers: dict[str, Any] = Field(default_factory=dict)
    step: int = 0


def _copilot() -> Copilot:
    return Copilot.from_airflow()


CopilotDep = Annotated[Copilot, Depends(_copilot)]


def _may_read(user: BaseUser, dag_id: str, entity: str) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    return get_auth_manager().is_authorized_dag(
        method="GET", access_entity=DagAccessEntity[entity], details=DagDetails(id=dag_id), user=user
    )


def _context(body: ChatBody, user: BaseUser, session: Any) -> Context:
    ctx = build_context(body.context)  # SpecError -> 422 with problems
    if ctx.run is None and body.include_latest_run and _may_read(user, ctx.workflow.id, "TASK_INSTANCE"):
        from airflow_canvas.copilot.context import clean_run
        from airflow_canvas.copilot.runs import latest_run_info

        # Node inputs/outputs are XComs: only for users Airflow lets read them.
        with_data = _may_read(user, ctx.workflow.id, "XCOM")
        try:
            run = latest_run_info(session, ctx.workflow.id, ctx.workflow, with_data=with_data)
        except Exception:  # a broken run lookup must not stop the user from chatting
            log.warning("co-pilot: could not read the latest run of %s", ctx.workflow.id, exc_info=True)
            run = None
        ctx.run = clean_run(run) if run else None
    return ctx


def _sse(event: dict[str, Any]) -> str:
    return f"event: {event['type']}\ndata: {json.dumps(event, default=str)}\n\n"


def _new_session() -> Any:
    from airflow import settings

    return settings.Session.session_factory()


def _start(body: ChatBody, user: BaseUser, session: Any) -> tuple[str, list[dict[str, str]]]:
    """Store the user's message; returns (conversation id, the history before it)."""
    row = convo.get_or_create(
        session, body.conversation_id, body.workflow_id, _username(user), body.message[:80]
    )
    past = convo.history(session, row.id)
    convo.add_message(
        session,
        row,
        "user",
        body.message,
        {
            "selection": body.context.selection,
            "recent_actions": [a.model_dump() for a in body.context.recent_actions],
        },
    )
    session.commit()
    return row.id, past


def _finish(conversation_id: str, reply: Reply) -> None:
    session = _new_session()
    try:
        from airflow_canvas.store.models import ConversationRow

        row = session.get(ConversationRow, conversation_id)
        if row is not None:
            convo.record_reply(session, row, reply)
            session.commit()
    finally:
        session.close()


@router.post("/chat")
def chat(body: ChatBody, user: Chatter, session: SessionDep, copilot: CopilotDep) -> Any:
    """One turn. ``stream: true`` (default): text/event-stream of ``conversation``, ``text`` (deltas),
    ``status``, ``error``, ``proposal``, ``usage`` and a final ``done`` carrying the whole reply.
    ``stream: false``: JSON ``{conversation_id, reply}``."""
    ctx = _context(body, user, session)
    conversation_id, past = _start(body, user, session)
    if not body.stream:
        reply = copilot.reply(body.message, ctx, past)
        _finish(conversation_id, reply)
        return {"conversation_id": conversation_id, "reply": reply.model_dump(mode="json")}

    def events() -> Iterator[str]:
        yield _sse({"type": "conversation", "conversation_id": conversation_id, "engine": copilot.engine})
        for event in copilot.turn(body.message, ctx, past):
            if event["type"] == "done":
                reply = Reply.model_validate(event["reply"])
                if reply.proposal is not None:
                    yield _sse({"type": "proposal", "proposal": event["reply"]["proposal"]})
                _finish(conversation_id, reply)
            yield _sse(event)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/conversations")
def get_conversations(
    user: Chatter, session: SessionDep, workflow_id: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    return {"items": convo.list_conversations(session, workflow_id, _username(user))}


@router.delete("/conversations")
def delete_conversations(
    user: Chatter,
    session: SessionDep,
    workflow_id: Annotated[str | None, Query()] = None,
    conversation_id: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    deleted = convo.delete_conversations(session, workflow_id, _username(user), conversation_id)
    session.commit()
    if deleted:
        audit(
            "canvas.copilot.clear",
            user=user,
            workflow_id=workflow_id,
            conversation_id=conversation_id,
            conversations=deleted,
        )
    return {"deleted": deleted}


@router.post("/apply")
def apply(body: ApplyBody, user: Editor, chat_user: Chatter, session: SessionDep) -> dict[str, Any]:
    """Validate the ops against the on-screen spec; audit and record them; return the new spec."""
    workflow = parse_workflow(body.spec)
    if body.workflow_id and body.workflow_id != workflow.id:
        raise ApiError(422, f"The spec is workflow {workflow.id!r}, not {body.workflow_id!r}.")
    result = check_patch(workflow, body.ops)
    if not result.ok or result.workflow is None:
        raise ApiError(422, "The proposal no longer applies to this workflow.", result.problems)
    from airflow_canvas.copilot.patch import parse_ops

    proposal = make_proposal("", parse_ops(body.ops), workflow, result.workflow, result.warnings)
    audit(
        "canvas.copilot.apply",
        user=user,
        workflow_id=workflow.id,
        conversation_id=body.conversation_id,
        proposal_id=body.proposal_id,
        ops=len(body.ops),
        changes=proposal.changes[:20],
    )
    if body.conversation_id:
        from airflow_canvas.store.models import ConversationRow

        row = session.get(ConversationRow, body.conversation_id)
        if row is not None and row.username == _username(user):
            convo.add_message(
                session,
                row,
                "system",
                "Applied: " + "; ".join(proposal.changes[:10]),
                {"applied": body.proposal_id, "ops": body.ops},
            )
            session.commit()
    return {
        "spec": proposal.workflow,
        "diff": proposal.diff,
        "changes": proposal.changes,
        "warnings": proposal.warnings,
    }


@router.get("/wizards")
def get_wizards(user: Chatter) -> dict[str, Any]:
    return {"items": [w.model_dump() for w in list_wizards()]}


@router.post("/wizards/{name}/step")
def post_wizard_step(name: str, body: WizardBody, user: Chatter) -> dict[str, Any]:
    workflow = parse_workflow(body.spec)
    try:
        result = wizard_step(name, workflow, body.answers, body.step)
    except KeyError:
        raise ApiError(404, f"There is no wizard {name!r}.") from None
    return result.model_dump(mode="json")


@router.get("/status")
def status(user: Chatter, copilot: CopilotDep) -> dict[str, Any]:
    return copilot.status()
