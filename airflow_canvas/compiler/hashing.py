"""The spec hash named in a generated file's header: what the DAG was compiled from.

Canvas layout (node positions, sizes, colours, collapsed flags) and the store's version number do
not change the DAG, so they are left out: moving a box does not make a deployment look stale."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from airflow_canvas.spec.models import Workflow

_LAYOUT_ONLY = {"nodes": {"__all__": {"ui"}}, "groups": {"__all__": {"collapsed"}}, "version": True}


def canonical_spec(wf: Workflow) -> dict[str, Any]:
    return wf.model_dump(mode="json", exclude=_LAYOUT_ONLY)  # type: ignore[arg-type]


def spec_hash(wf: Workflow) -> str:
    text = json.dumps(canonical_spec(wf), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
