"""Canonical JSON for stored specs and the content hash of a spec."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from airflow_canvas.spec.load import dump_workflow
from airflow_canvas.spec.models import Workflow


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def stored_form(wf: Workflow, version: int | None) -> tuple[str, str]:
    """(canonical JSON with ``version`` set, content hash without it), from one model dump: saving
    a 2000-node workflow should not pay for serialising it twice."""
    data = dump_workflow(wf)
    data.pop("version", None)
    digest = hashlib.sha256(_canonical(data).encode()).hexdigest()
    if version is not None:
        data["version"] = version
    return _canonical(data), digest


def content_hash(wf: Workflow) -> str:
    """sha256 of the spec without its store-assigned version: a rollback has its source's hash."""
    return stored_form(wf, None)[1]


def full_dict(wf: Workflow) -> dict[str, Any]:
    """Every field, defaults included: what the diff and merge compare."""
    return wf.model_dump(mode="json")
