"""Canonical JSON for stored specs and the content hash of a spec."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from airflow_canvas.spec.load import dump_workflow
from airflow_canvas.spec.models import Workflow


def spec_to_text(wf: Workflow) -> str:
    return json.dumps(dump_workflow(wf), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(wf: Workflow) -> str:
    """sha256 of the spec without its store-assigned version: a rollback has its source's hash."""
    data = dump_workflow(wf)
    data.pop("version", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def full_dict(wf: Workflow) -> dict[str, Any]:
    """Every field, defaults included: what the diff and merge compare."""
    return wf.model_dump(mode="json")
