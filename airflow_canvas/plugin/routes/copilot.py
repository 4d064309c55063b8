"""Co-pilot routes: chat (SSE stream or JSON), conversations, applying a proposal, wizards, status.

Chatting needs "Canvas Co-pilot" read; applying needs "Canvas Workflows" edit and is audited with
the conversation id. Apply only validates and records: the client then saves the workflow through
PUT /workflows/{id} (one undo step on the canvas, one version in the store).

Chat shares the API server with Airflow's own routes, so it is bounded (``copilot_capacity``): a
turn is admitted only under the overall and per-user caps (else 429 with Retry-After), it waits for
the model on the event loop (no thread held), does its blocking work on the co-pilot's own thread
limiter, and ends by ``[airflow_canvas] copilot_turn_timeout`` whatever the model sends."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import Field
from sqlalchemy.orm import Session

from airflow_canvas.copilot import conversations as convo
from airflow_canvas.copilot.context import MAX_RECENT_ACTIONS, ChatContext, CopilotContext, build_context
from airflow_canvas.copilot.engine import Copilot
from airflow_canvas.copilot.patch import check_patch
from airflow_canvas.copilot.responses import Reply, TextPart, make_proposal
from airflow_canvas.copilot.wizards import WizardResult, list_wizards, wizard_step
from airflow_canvas.plugin import config
from airflow_canvas.plugin.api_models import copilot as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.copilot_capacity import SLOTS, ChatsBusy, ChatSlot, thread_runner
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.service.audit import audit
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.problems import Problem
from airflow_canvas.store.permissions import COPILOT, WORKFLOWS
from airflow_canvas.store.session import new_session

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


def _context(body: ChatBody, user: BaseUser, session: Any) -> CopilotContext:
    from airflow_canvas.plugin.airflow_resources import resources_for

    # The same Airflow resources /validate checks against, as this user may read them.
    ctx = build_context(body.context, resources_for(user, session))  # SpecError -> 422 with problems
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


def _new_session() -> Session:
    return new_session()


MAX_STORED_SELECTION = 200  # node ids kept with a stored message (the prompt gets the full selection)


def _start(
    body: ChatBody, user: BaseUser, session: Any, limits: config.CopilotLimits
) -> tuple[str, list[dict[str, str]]]:
    """Store the user's message; returns (conversation id, the history before it). A full
    conversation refuses the message (409) and nothing is stored."""
    payload = {
        "selection": body.context.selection[:MAX_STORED_SELECTION],
        "recent_actions": [a.model_dump() for a in body.context.recent_actions[-MAX_RECENT_ACTIONS:]],
    }
    row = convo.get_or_create(
        session, body.conversation_id, body.workflow_id, _username(user), body.message[:80]
    )
    try:
        convo.check_room(
            session, row, convo.stored_size(body.message, payload), limits.max_conversation_chars
        )
    except convo.ConversationFull as exc:
        problem = Problem(code="E_CONVERSATION_FULL", message=str(exc), pointer="/conversation_id")
        raise ApiError(
            409, str(exc), [problem], conversation_id=exc.conversation_id, size=exc.size, limit=exc.limit
        ) from None
    past = convo.history(session, row.id)
    convo.add_message(session, row, "user", body.message, payload)
    session.commit()
    return row.id, past


def _prepare(
    body: ChatBody, user: BaseUser, limits: config.CopilotLimits, run_sync: Callable[..., Any]
) -> tuple[Copilot, CopilotContext, str, list[dict[str, str]]]:
    """Everything blocking before the turn (connection, context, stored message): runs on the
    co-pilot's threads."""
    session = _new_session()
    try:
        copilot = Copilot.from_airflow(run_sync=run_sync)
        ctx = _context(body, user, session)  # SpecError -> 422 with problems
        if copilot.engine == "llm":  # what the model may be told of besides the workflow
            from airflow_canvas.plugin.copilot_access import copilot_access

            ctx.access = copilot_access(user)
        conversation_id, past = _start(body, user, session, limits)
        return copilot, ctx, conversation_id, past
    finally:
        session.close()


def _finish(conversation_id: str, reply: Reply, limits: config.CopilotLimits) -> bool:
    """Store the reply within the size limits; True when the conversation is now full."""
    session = _new_session()
    try:
        from airflow_canvas.store.models import ConversationRow

        row = session.get(ConversationRow, conversation_id)
        if row is None:
            return False
        _, full = convo.record_reply(
            session, row, reply, limits.max_reply_chars, limits.max_conversation_chars
        )
        session.commit()
        return full
    finally:
        session.close()


def _done(conversation_id: str, data: dict[str, Any], limits: config.CopilotLimits) -> dict[str, Any]:
    """Store the turn's reply; returns the reply to send, which says so when the conversation is
    now full. A failure to store is logged and does not keep the reply from the user. Blocking (and
    the big reply's validation and JSON): runs on the co-pilot's threads."""
    reply = Reply.model_validate(data)
    try:
        full = _finish(conversation_id, reply, limits)
    except Exception:
        log.exception("co-pilot: could not store the reply in conversation %s", conversation_id)
        return data
    if not full:
        return data
    reply.parts.append(TextPart(markdown=convo.FULL_NOTE))
    return reply.model_dump(mode="json")


def _done_sse(conversation_id: str, data: dict[str, Any], limits: config.CopilotLimits) -> str:
    proposal = _sse({"type": "proposal", "proposal": data["proposal"]}) if data.get("proposal") else ""
    return proposal + _sse({"type": "done", "reply": _done(conversation_id, data, limits)})


def _done_json(conversation_id: str, data: dict[str, Any], limits: config.CopilotLimits) -> JSONResponse:
    return JSONResponse({"conversation_id": conversation_id, "reply": _done(conversation_id, data, limits)})


async def _events(
    copilot: Copilot,
    turn: AsyncIterator[dict[str, Any]],
    conversation_id: str,
    slot: ChatSlot,
    limits: config.CopilotLimits,
    run: Any,
) -> AsyncIterator[str]:
    try:
        yield _sse({"type": "conversation", "conversation_id": conversation_id, "engine": copilot.engine})
        async for event in turn:
            if event["type"] == "done":
                yield await run(functools.partial(_done_sse, conversation_id, event["reply"], limits))
            else:
                yield _sse(event)
    finally:
        await turn.aclose()  # type: ignore[attr-defined]
        slot.release()


def _limits() -> config.CopilotLimits:
    try:
        return config.copilot_limits()
    except config.ConfigError as exc:
        raise ApiError(500, f"The co-pilot's settings are invalid: {exc}") from None


def _admit(user: BaseUser, limits: config.CopilotLimits) -> ChatSlot:
    try:
        return SLOTS.acquire(_username(user), limits)
    except ChatsBusy as exc:
        raise HTTPException(429, exc.detail, headers={"Retry-After": str(exc.retry_after)}) from None


@router.post(
    "/chat",
    response_model=out.ChatAnswer,
    responses={200: {"content": out.CHAT_STREAM}, **errors(409, 429, 500)},
)
async def chat(body: ChatBody, user: Chatter) -> Any:
    """One turn. ``stream: true`` (default): text/event-stream of ``conversation``, ``text`` (deltas),
    ``status``, ``error``, ``proposal``, ``usage`` and a final ``done`` carrying the whole reply.
    ``stream: false``: JSON ``{conversation_id, reply}``. 429 (with Retry-After) when too many turns
    run; 409 when the conversation is full. Async on purpose: see the module's docstring."""
    limits = _limits()
    slot = _admit(user, limits)
    run = thread_runner(limits.max_chats)
    try:
        copilot, ctx, conversation_id, past = await run(functools.partial(_prepare, body, user, limits, run))
    except BaseException:
        slot.release()
        raise
    turn = copilot.aturn(
        body.message,
        ctx,
        past,
        timeout=limits.turn_timeout,
        started=slot.started,
        max_reply_chars=limits.max_reply_chars,
    )
    if not body.stream:
        try:
            final: dict[str, Any] | None = None
            async for event in turn:
                if event["type"] == "done":
                    final = event["reply"]
            assert final is not None  # Copilot.aturn always ends with "done"
            return await run(functools.partial(_done_json, conversation_id, final, limits))
        finally:
            slot.release()
    return StreamingResponse(
        _events(copilot, turn, conversation_id, slot, limits, run),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/conversations", response_model=out.ConversationList, responses=errors())
def get_conversations(
    user: Chatter, session: SessionDep, workflow_id: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    return {"items": convo.list_conversations(session, workflow_id, _username(user))}


@router.delete("/conversations", response_model=out.DeletedCount, responses=errors())
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


@router.post("/apply", response_model=out.Applied, responses=errors())
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
            _record_applied(session, row, body, proposal.changes)
    return {
        "spec": proposal.workflow,
        "diff": proposal.diff,
        "changes": proposal.changes,
        "warnings": proposal.warnings,
    }


def _record_applied(session: Any, row: Any, body: ApplyBody, changes: list[str]) -> None:
    """Note the applied proposal in its conversation, within the conversation's size limit (its
    ops are left out when they do not fit; nothing is noted when even that does not fit)."""
    limit = _limits().max_conversation_chars
    room = limit - convo.conversation_size(session, row.id)
    note = "Applied: " + "; ".join(changes[:10])
    for payload in (
        {"applied": body.proposal_id, "ops": body.ops},
        {"applied": body.proposal_id, "ops_left_out": len(body.ops)},
    ):
        if convo.stored_size(note, payload) <= room:
            convo.add_message(session, row, "system", note, payload)
            session.commit()
            return


@router.get("/wizards", response_model=out.WizardList, responses=errors())
def get_wizards(user: Chatter) -> dict[str, Any]:
    return {"items": [w.model_dump() for w in list_wizards()]}


@router.post("/wizards/{name}/step", response_model=WizardResult, responses=errors(404))
def post_wizard_step(name: str, body: WizardBody, user: Chatter) -> dict[str, Any]:
    workflow = parse_workflow(body.spec)
    try:
        result = wizard_step(name, workflow, body.answers, body.step)
    except KeyError:
        raise ApiError(404, f"There is no wizard {name!r}.") from None
    return result.model_dump(mode="json")


@router.get("/status", response_model=out.CopilotStatus, responses=errors())
def status(user: Chatter, copilot: CopilotDep) -> dict[str, Any]:
    return copilot.status()
