"""The chain library: publish a group or a selection as a versioned chain, browse it, insert a chain
into a workflow, see and apply updates of inserted groups.

Permissions are the tools' (a chain is a reusable building block like a tool): reading the library
needs "read" on Canvas Tools, publishing needs "edit" on it, plus Canvas Code when the chain holds
code. Insert, status and update compute a spec and store nothing; the workflow's own save (its
permissions, its Code check, its audit row) is what puts a chain into a workflow."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends
from pydantic import Field, model_validator

from airflow_canvas.plugin.api_models import chains as out
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import require_code_permission, requires
from airflow_canvas.plugin.bodies import RequestBody
from airflow_canvas.plugin.deps import SessionDep
from airflow_canvas.plugin.errors import ApiError
from airflow_canvas.service import chain_fragment as cf
from airflow_canvas.service import chains
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import ID_PATTERN, MAX_ID_LENGTH
from airflow_canvas.store.permissions import TOOLS

router = APIRouter(tags=["chains"])
Reader = Annotated[BaseUser, Depends(requires(TOOLS, "read"))]
Editor = Annotated[BaseUser, Depends(requires(TOOLS, "edit"))]

NAME = r"^[a-z][a-z0-9_]*$"
SEMVER = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"


@contextmanager
def _refused() -> Iterator[None]:
    try:
        yield
    except cf.ChainError as exc:
        raise ApiError(422, str(exc)) from None


class Source(RequestBody):
    spec: dict[str, Any] = Field(description="The workflow the chain is cut from (as on the canvas).")
    group_id: str | None = Field(None, pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    node_ids: list[str] | None = Field(None, max_length=5000, description="A selection instead of a group.")
    interface: cf.Interface | None = Field(None, description="An edited interface; derived when null.")

    @model_validator(mode="after")
    def _one_source(self) -> Source:
        if (self.group_id is None) == (self.node_ids is None):
            raise ValueError("give either group_id or node_ids")
        return self


class PreviewBody(Source):
    name: str = Field(pattern=NAME, max_length=100)


class PublishBody(PreviewBody):
    version: str = Field(pattern=SEMVER, max_length=50)
    description: str = Field("", max_length=5000)
    changelog: str = Field("", max_length=5000)


class InsertBody(RequestBody):
    spec: dict[str, Any]
    group_id: str | None = Field(None, pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    parent: str | None = Field(None, pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    x: float | None = Field(None, ge=-1e7, le=1e7)
    y: float | None = Field(None, ge=-1e7, le=1e7)


class SpecBody(RequestBody):
    spec: dict[str, Any]


class UpdateBody(RequestBody):
    spec: dict[str, Any]
    group_id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    to_version: str | None = Field(None, pattern=SEMVER, max_length=50)
    confirm_major: bool = Field(False, description="Required to apply a major (breaking) update.")


@router.get("/chains", response_model=out.ChainPage, responses=errors())
def list_chains(user: Reader, session: SessionDep, q: str = "") -> dict[str, Any]:
    items = chains.list_chains(session, q[:200])
    return {"items": items, "total": len(items)}


@router.post("/chains/preview", response_model=out.ChainPreview, responses=errors())
def preview(body: PreviewBody, user: Reader, session: SessionDep) -> dict[str, Any]:
    """What publishing would store: the fragment, its interface, the version it should get."""
    with _refused():
        return chains.preview(
            session,
            body.spec,
            name=body.name,
            group_id=body.group_id,
            node_ids=body.node_ids,
            interface=body.interface,
        )


@router.post("/chains", status_code=201, response_model=out.ChainPublished, responses=errors(409))
def publish(body: PublishBody, user: Editor, session: SessionDep) -> dict[str, Any]:
    """Publish a new chain or a new version of one (immutable; semver checked against the interface)."""
    with _refused():
        fragment, _ = cf.extract(
            parse_workflow(body.spec), group_id=body.group_id, node_ids=body.node_ids, root_id=body.name
        )
        # The code a chain carries reaches every workflow it is inserted into: publishing it is
        # writing that code, so it needs what saving it in a workflow needs.
        require_code_permission(user, None, fragment.workflow(), "publish")
        return chains.publish(
            session,
            user,
            body.spec,
            name=body.name,
            version=body.version,
            description=body.description,
            changelog=body.changelog,
            group_id=body.group_id,
            node_ids=body.node_ids,
            interface=body.interface,
        )


@router.post("/chains/status", response_model=out.ChainStatusPage, responses=errors())
def status(body: SpecBody, user: Reader, session: SessionDep) -> dict[str, Any]:
    """Per inserted group: its pin and whether an update exists (or the pin is unknown)."""
    with _refused():
        return {"items": chains.status(session, body.spec)}


@router.post("/chains/update", response_model=out.ChainUpdated, responses=errors(404, 409))
def update(body: UpdateBody, user: Reader, session: SessionDep) -> dict[str, Any]:
    """The spec with an inserted group on another version (nothing is saved)."""
    with _refused():
        return chains.update(
            session, body.spec, body.group_id, to_version=body.to_version, confirm_major=body.confirm_major
        )


@router.get("/chains/{name}", response_model=out.ChainVersionPage, responses=errors(404))
def versions(name: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    items = chains.versions(session, name)
    return {"items": items, "total": len(items)}


@router.get("/chains/{name}/{version}", response_model=out.ChainDetail, responses=errors(404))
def get_version(name: str, version: str, user: Reader, session: SessionDep) -> dict[str, Any]:
    return chains.get(session, name, version)


@router.post("/chains/{name}/{version}/insert", response_model=out.ChainInserted, responses=errors(404))
def insert(name: str, version: str, body: InsertBody, user: Reader, session: SessionDep) -> dict[str, Any]:
    """The spec with the chain added as a new group pinned to name@version (nothing is saved)."""
    at = (body.x, body.y) if body.x is not None and body.y is not None else None
    with _refused():
        return chains.insert(
            session, body.spec, f"{name}@{version}", group_id=body.group_id, parent=body.parent, at=at
        )
