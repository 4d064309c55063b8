"""The spec as JSON for git: the canonical dump (defaults left out), stable key order."""

from __future__ import annotations

import json

from airflow_canvas.spec.load import dump_workflow
from airflow_canvas.spec.models import Workflow


def export_json(workflow: Workflow) -> str:
    return json.dumps(dump_workflow(workflow), indent=2, ensure_ascii=False) + "\n"
