"""The spec hash named in a generated file's header: what the DAG was compiled from.

Canvas layout (node positions, sizes, colours, collapsed flags) and the store's version number do
not change the DAG, so they are left out: moving a box does not make a deployment look stale."""

from __future__ import annotations

import hashlib

from airflow_canvas.spec.models import Workflow

_LAYOUT_ONLY = {"nodes": {"__all__": {"ui"}}, "groups": {"__all__": {"collapsed"}}, "version": True}


def canonical_json(wf: Workflow) -> bytes:
    """Fields in model order (pydantic's serializer, in Rust: fast for 5000-node specs); dicts
    the user wrote (parameters, schemas) keep the order they were written in, as in the source."""
    return wf.model_dump_json(exclude=_LAYOUT_ONLY).encode("utf-8")  # type: ignore[arg-type]


def spec_hash(wf: Workflow) -> str:
    return hashlib.sha256(canonical_json(wf)).hexdigest()
