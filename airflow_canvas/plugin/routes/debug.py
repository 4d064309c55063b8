"""The canvas debugger (issue 18): run a draft workflow node by node in the sandbox, no deploy.

Stateless: every request carries the draft spec (as it is in the editor, unsaved) and the session's
results so far (node id -> state and output: what ran, what the user edited or pinned); the server
recomputes order, states, skips and inputs from them (service/debugger.py) and runs one node per
step with the single-node test's sandbox. Nothing is stored, nothing deployed.

Authorization: running code on this host is "edit" on Canvas Tools (as POST /nodes/test), and the
workflow is the caller's to read (Canvas Workflows "read", and it must exist). Each step writes an
audit row. An agent node runs its model calls from the server with its connection only if Airflow
lets the caller read that connection; otherwise the step is refused with a hint to pin its output."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends
from pydantic import Field

from airflow_canvas.compiler.debug_plan import DebugPlan, debug_plan
from airflow_canvas.plugin.api_models import debug as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.plugin.specs import checked
from airflow_canvas.plugin.tool_test_access import connection_gate
from airflow_canvas.service import debugger
from airflow_canvas.service.audit import audit
from airflow_canvas.spec.models import Workflow
from airflow_canvas.store import repository as repo
from airflow_canvas.store.permissions import TOOLS, WORKFLOWS

router = APIRouter(tags=["debug"])
Runner = Annotated[BaseUser, Depends(requires(TOOLS, "edit"))]
CanReadWorkflow = Depends(requires(WORKFLOWS, "read"))


class NodeResult(RequestBody):
    state: str = Field("success", description="success | failed | skipped")
    output: Any = None


class SessionBody(RequestBody):
    spec: dict[str, Any] = Field(description="The draft as it is in the editor (unsaved is fine).")
    results: dict[str, NodeResult] = Field(
        default_factory=dict, description="What the session has so far: node id -> state and output."
    )


class StepBody(SessionBody):
    node_id: str = Field(max_length=250)
    input: dict[str, Any] | None = Field(None, description="Inputs to run on instead of the assembled ones.")


def _draft(
    workflow_id: str, spec: dict[str, Any], user: BaseUser, session: SessionDep
) -> tuple[Workflow, DebugPlan]:
    repo.get_workflow(session, workflow_id)  # 404 for a workflow that does not exist
    if spec.get("id") != workflow_id:
        raise ApiError(422, f"spec.id must be {workflow_id!r}, the workflow being debugged.")
    wf, _ = checked(spec, user, session)
    return wf, debug_plan(wf)


def _results(body: SessionBody) -> dict[str, dict[str, Any]]:
    return {k: v.model_dump() for k, v in body.results.items()}


def _may_use_connection(user: BaseUser) -> Any:
    def check(conn_id: str) -> bool:
        from airflow.api_fastapi.app import get_auth_manager
        from airflow.api_fastapi.auth.managers.models.resource_details import ConnectionDetails

        return bool(
            get_auth_manager().is_authorized_connection(
                method="GET", details=ConnectionDetails(conn_id=conn_id), user=user
            )
        )

    return check


@router.post(
    "/workflows/{workflow_id}/debug/session",
    response_model=out.DebugSession,
    responses=errors(404),
    dependencies=[CanReadWorkflow],
)
def debug_session(workflow_id: str, body: SessionBody, user: Runner, session: SessionDep) -> dict[str, Any]:
    """Order, each node's state, the next node and the inputs it would get (runs nothing)."""
    wf, plan = _draft(workflow_id, body.spec, user, session)
    try:
        return debugger.session_view(wf, plan, _results(body))
    except debugger.DebugError as exc:
        raise ApiError(exc.status, str(exc)) from None


@router.post(
    "/workflows/{workflow_id}/debug/step",
    response_model=out.DebugStepResult,
    responses=errors(404, 409),
    dependencies=[CanReadWorkflow],
)
def debug_step(workflow_id: str, body: StepBody, user: Runner, session: SessionDep) -> dict[str, Any]:
    """Run one node in the sandbox on the inputs its upstream results make (or ``input``)."""
    wf, plan = _draft(workflow_id, body.spec, user, session)
    audit("canvas.debug.step", user=user, workflow_id=wf.id, node_id=body.node_id[:200])  # runs code here
    session.commit()  # the sandboxed run may take a while: hold no transaction through it
    try:
        return debugger.step(
            wf,
            plan,
            body.node_id,
            _results(body),
            body.input,
            may_use_connection=_may_use_connection(user),
            connection_gate=connection_gate(user),
        )
    except debugger.DebugError as exc:
        raise ApiError(exc.status, str(exc)) from None
