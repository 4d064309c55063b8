"""POST /nodes/change-type: the spec with one node's type changed, keeping what still applies,
and a warning per dropped field or edge that no longer fits (nothing is saved)."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends
from pydantic import Field

from airflow_canvas.plugin.api_models.catalogue import SpecWithProblems
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.policies.typechange import change_type_in_workflow
from airflow_canvas.spec.load import dump_workflow, parse_workflow
from airflow_canvas.spec.models import NodeType
from airflow_canvas.spec.problems import Problem, did_you_mean, pointer
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["nodes"])

Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]


class ChangeTypeBody(RequestBody):
    spec: dict[str, Any]
    node_id: str = Field(max_length=200)
    type: NodeType


@router.post("/nodes/change-type", response_model=SpecWithProblems, responses=errors(404))
def change_type(body: ChangeTypeBody, user: Reader) -> dict[str, Any]:
    wf = parse_workflow(body.spec)  # SpecError -> 422 with every field problem
    if wf.node(body.node_id) is None:
        raise ApiError(
            404,
            f"No node {body.node_id!r} in workflow {wf.id!r}.",
            [
                Problem(
                    code="E_NODE_UNKNOWN",
                    message=f"No node {body.node_id!r}.",
                    pointer=pointer("node_id"),
                    hint=did_you_mean(body.node_id, [n.id for n in wf.nodes]),
                )
            ],
        )
    changed, problems = change_type_in_workflow(wf, body.node_id, body.type)
    return {"spec": dump_workflow(changed), "problems": [p.to_dict() for p in problems]}
