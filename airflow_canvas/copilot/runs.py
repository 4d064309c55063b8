"""The latest run of a workflow's DAG, read from Airflow's metadata DB, with the error lines and
log tails of failed tasks (local task logs; Airflow 3 writes them as JSON lines)."""

from __future__ import annotations

import json
import logging
from collections import deque
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_canvas.copilot.context import MAX_LOG_TAIL_LINES, NodeRun, RunInfo
from airflow_canvas.spec.graph import node_id_of
from airflow_canvas.spec.models import EdgeKind, Workflow

log = logging.getLogger(__name__)
_FAILED = ("failed", "upstream_failed")


def _state(value: Any) -> str | None:
    return str(getattr(value, "value", value)) if value else None


def _log_line(raw: str) -> str:
    """One JSON log record -> 'LEVEL event' (plus the exception's last line); other lines as-is."""
    try:
        record = json.loads(raw)
    except json.JSONDecodeError:
        return raw.rstrip("\n")
    if not isinstance(record, dict):
        return raw.rstrip("\n")
    text = f"{str(record.get('level', '')).upper()} {record.get('event', '')}".strip()
    error = record.get("error_detail") or record.get("exception")
    if isinstance(error, list) and error and isinstance(error[-1], dict):
        text += f" | {error[-1].get('exc_type', '')}: {error[-1].get('exc_value', '')}"
    elif isinstance(error, str):
        text += " | " + error.strip().splitlines()[-1]
    return text


def read_log_tail(ti: Any, session: Session) -> str | None:
    """The last lines of the task instance's local log file, if it is readable here."""
    try:
        from airflow.configuration import conf
        from airflow.utils.log.file_task_handler import FileTaskHandler

        base = conf.get("logging", "base_log_folder")
        relative = FileTaskHandler(base)._render_filename(ti, ti.try_number or 1, session=session)
        path = Path(base) / relative
        if not path.is_file():
            return None
        with path.open(encoding="utf-8", errors="replace") as handle:
            lines = deque(handle, maxlen=MAX_LOG_TAIL_LINES)
        return "\n".join(_log_line(line) for line in lines)
    except Exception:  # logs are a help for the co-pilot, never a reason to fail the turn
        log.debug("could not read the log of %s", ti, exc_info=True)
        return None


def _error_of(tail: str | None) -> str | None:
    if not tail:
        return None
    for line in reversed(tail.splitlines()):
        if "Error" in line or "Exception" in line or "Timeout" in line:
            return line.strip()[:500]
    return None


MAX_VALUE_CHARS = 4000


def small(value: Any) -> Any:
    """A value as it may enter a prompt: JSON-able, and cut short when large."""
    text = json.dumps(value, default=str)
    if len(text) <= MAX_VALUE_CHARS:
        return json.loads(text)
    return text[:MAX_VALUE_CHARS] + f"... ({len(text)} characters in all)"


def _dig(value: Any, dotted: str) -> Any:
    for part in [p for p in dotted.split(".") if p]:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def inputs_from(workflow: Workflow, node_id: str, outputs: dict[str, Any]) -> dict[str, Any] | None:
    """What reached ``node_id``, rebuilt from its data-flow edges the way the operators build
    inputs: mapped fields go to their targets (transforms are not replayed), unmapped dict outputs
    merge in whole. It is the mock input the co-pilot offers for running the node alone."""
    inputs: dict[str, Any] = {}
    for edge in workflow.edges:
        if edge.target != node_id or edge.kind != EdgeKind.DATA_FLOW or edge.source not in outputs:
            continue
        output = outputs[edge.source]
        if edge.mapping:
            for mapping in edge.mapping:
                inputs[mapping.target] = _dig(output, mapping.source)
        elif isinstance(output, dict):
            inputs.update(output)
    return inputs or None


def _outputs(session: Session, dag_id: str, run_id: str) -> dict[str, Any]:
    """node id -> its XCom return value in the run (mapped nodes: the list of values)."""
    from airflow.models.xcom import XComModel

    rows = session.scalars(
        select(XComModel).where(
            XComModel.dag_id == dag_id, XComModel.run_id == run_id, XComModel.key == "return_value"
        )
    ).all()
    out: dict[str, Any] = {}
    for row in sorted(rows, key=lambda r: (r.task_id, r.map_index)):
        try:
            value = XComModel.deserialize_value(row)
        except Exception:  # a value this process cannot deserialize is left out, not fatal
            continue
        node_id = node_id_of(row.task_id)
        if row.map_index >= 0:
            out.setdefault(node_id, []).append(value)
        else:
            out[node_id] = value
    return {k: small(v) for k, v in out.items()}


def latest_run_info(
    session: Session, dag_id: str, workflow: Workflow | None = None, with_data: bool = False
) -> RunInfo | None:
    """The latest run; ``with_data`` adds each node's output and, for failed nodes of
    ``workflow``, the inputs that reached them (the caller checks the user may read XComs)."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance

    run = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).limit(1))
    if run is None:
        return None
    tis = session.scalars(
        select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id)
    ).all()
    nodes: dict[str, NodeRun] = {}
    for ti in tis:
        node_id = node_id_of(ti.task_id)
        state = _state(ti.state)
        if node_id in nodes and state not in _FAILED:
            continue  # a mapped node: keep a failed instance when there is one
        tail = read_log_tail(ti, session) if state == "failed" else None
        nodes[node_id] = NodeRun(
            state=state, try_number=ti.try_number, duration=ti.duration, log_tail=tail, error=_error_of(tail)
        )
    if with_data:
        outputs = _outputs(session, dag_id, run.run_id)
        for node_id, node in nodes.items():
            node.output = outputs.get(node_id)
            if workflow is not None and node.state == "failed":
                node.inputs = inputs_from(workflow, node_id, outputs)
    return RunInfo(run_id=run.run_id, state=_state(run.state), nodes=nodes)
