"""Tools API: create drafts, run their tests, publish, list versions, diff, deprecate; the
compatibility check of a spec; and the single-node test (POST /nodes/test).

Tests and node runs execute in the bubblewrap sandbox (tools/sandbox.py: no server files, secrets
or network; time and memory capped by [airflow_canvas] config; refused where bubblewrap cannot run):
these routes are sync, so FastAPI runs them in its thread pool and the server stays responsive.
Running code is "edit" on Canvas Tools."""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends, Query
from pydantic import Field

from airflow_canvas.plugin.api_models import tools as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.plugin.tool_test_access import connection_gate
from airflow_canvas.service.audit import audit
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Tool
from airflow_canvas.spec.problems import Problem
from airflow_canvas.store import tools as store
from airflow_canvas.store.permissions import TOOLS
from airflow_canvas.tools.languages import language_problems
from airflow_canvas.tools.node_test import NodeTestError, test_node
from airflow_canvas.tools.registry import register_source
from airflow_canvas.tools.runner import RunLimits
from airflow_canvas.tools.tool_tests import run_tests
from airflow_canvas.validation.compatibility import compatibility_problems

router = APIRouter(tags=["tools"])
Reader = Annotated[BaseUser, Depends(requires(TOOLS, "read"))]
Editor = Annotated[BaseUser, Depends(requires(TOOLS, "edit"))]

register_source(store.published_source)  # workflows resolve published tools from the store

TEST_LIMITS = RunLimits(timeout_seconds=60, memory_mb=1024)


class ToolBody(RequestBody):
    tool: Tool


class DeprecateBody(RequestBody):
    deprecated: bool = True


class PublishBody(RequestBody):
    changelog: str = Field("", max_length=10_000, description="What this version changes.")


class SpecBody(RequestBody):
    spec: dict[str, Any]


class NodeTestBody(RequestBody):
    spec: dict[str, Any]
    node_id: str
    input: dict[str, Any] | None = Field(
        None, description="Mock input; generated from the input schema if null."
    )
    debug: bool = False


def refuse_language_errors(tool: Tool) -> None:
    problems = [
        Problem(p.code, p.message, "/tool/" + p.field.replace(".", "/"), hint=p.hint, severity=p.severity)
        for p in language_problems(tool)
        if p.severity == "error"
    ]
    if problems:
        raise ApiError(422, f"Tool {tool.ref} is not valid: {problems[0].message}", problems)


@router.get("/tools", response_model=out.ToolPage, responses=errors())
def list_tools(user: Reader, session: SessionDep) -> dict[str, Any]:
    items = store.list_tools(session)
    return {"items": items, "total": len(items)}


@router.post("/tools", status_code=201, response_model=out.ToolVersionWithSpec, responses=errors(409))
def create_tool(body: ToolBody, user: Editor, session: SessionDep) -> dict[str, Any]:
    """Save a draft version (new, or replacing an unpublished draft of the same version). A tool
    that breaks its language's rules (tools/languages.py) is refused with every problem."""
    refuse_language_errors(body.tool)
    row = store.save_draft(session, body.tool, user=user.get_name())
    audit("canvas.tool.save", user=user, tool=body.tool.ref)
    return store.row_dict(row, with_spec=True)


@router.get("/tools/{name}/versions", response_model=out.ToolVersionPage, responses=errors(404))
def versions(name: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    items = store.list_versions(session, name)
    return {"items": items, "total": len(items)}


@router.get("/tools/{name}/versions/{version}", response_model=out.ToolVersionWithSpec, responses=errors(404))
def get_version(name: str, version: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    tool = store.get_tool(session, name, version)
    if store._builtin(name):
        return store.builtin_dict(tool, with_spec=True)
    return store.row_dict(store.get_row(session, name, version), with_spec=True)


@router.post("/tools/{name}/versions/{version}/test", response_model=out.ToolTestRun, responses=errors(404))
def test_tool(name: str, version: str, user: Editor, session: SessionDep) -> dict[str, Any]:
    """Run the version's tests in the sandbox; returns each case's result."""
    tool = store.get_tool(session, name, version)
    if not tool.tests:
        raise ApiError(422, f"Tool {tool.ref} has no tests; add at least one test case.")
    audit("canvas.tool.test", user=user, tool=tool.ref)  # code runs on this host: recorded first
    # Integration cases on a connection run only if this user may read that connection.
    result = run_tests(tool, TEST_LIMITS, connection_gate=connection_gate(user)).to_dict()
    result["passed"] = result["ok"] and all(t["passed"] for t in result["tests"] or [])
    return result


@router.post(
    "/tools/{name}/versions/{version}/publish", response_model=out.Published, responses=errors(404, 409)
)
def publish_tool(
    name: str, version: str, user: Editor, session: SessionDep, body: PublishBody | None = None
) -> dict[str, Any]:
    changelog = body.changelog if body is not None else None
    run = lambda t: run_tests(t, TEST_LIMITS, connection_gate=connection_gate(user))  # noqa: E731
    row, check = store.publish(session, name, version, run_tests=run, changelog=changelog)
    audit("canvas.tool.publish", user=user, tool=f"{name}@{version}", bump=check.required_bump)
    return {
        **store.row_dict(row),
        "previous": check.previous.version if check.previous else None,
        "required_bump": check.required_bump,
        "changes": [c.to_dict() for c in check.changes],
        "tests": check.tests,
    }


@router.post(
    "/tools/{name}/versions/{version}/deprecate", response_model=out.ToolVersion, responses=errors(404, 409)
)
def deprecate_tool(
    name: str, version: str, body: DeprecateBody, user: Editor, session: SessionDep
) -> dict[str, Any]:
    row = store.set_deprecated(session, name, version, body.deprecated)
    audit("canvas.tool.deprecate", user=user, tool=f"{name}@{version}", deprecated=body.deprecated)
    return store.row_dict(row)


@router.get("/tools/{name}/diff", response_model=out.ToolDiff, responses=errors(404))
def diff_tool(
    name: str,
    user: Reader,
    session: SessionDep,
    from_: Annotated[str, Query(alias="from")],
    to: Annotated[str, Query()],
) -> dict[str, Any]:
    return store.diff(session, name, from_, to)


@router.post("/tools/compatibility", response_model=out.Compatibility, responses=errors())
def compatibility(body: SpecBody, user: Reader) -> dict[str, Any]:
    problems = compatibility_problems(parse_workflow(body.spec))
    return {
        "compatible": not any(p.severity == "error" for p in problems),
        "problems": [p.to_dict() for p in problems],
    }


@router.post("/nodes/test", response_model=out.NodeTestResult, responses=errors(404))
def node_test(body: NodeTestBody, user: Editor) -> dict[str, Any]:
    """Run one node in isolation (sandboxed) on the given or a generated input."""
    wf = parse_workflow(body.spec)
    audit("canvas.node.test", user=user, workflow_id=wf.id, node_id=body.node_id[:200])  # runs code here
    try:
        return test_node(wf, body.node_id, body.input, body.debug, connection_gate=connection_gate(user))
    except NodeTestError as exc:
        raise ApiError(404 if "No node" in str(exc) else 422, str(exc)) from None
