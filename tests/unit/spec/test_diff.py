"""spec/diff.py is the one diff: the co-pilot's preview and the API's version diff name the same
changed fields for the same pair of workflows."""

from __future__ import annotations

from airflow_canvas.spec.diff import diff_specs, workflow_diff
from airflow_canvas.spec.load import parse_workflow


def _wf(retries: int, extra: bool) -> dict:
    nodes = [
        {"id": "a", "type": "input"},
        {"id": "b", "type": "output", "execution": {"timeout_seconds": retries + 1}},
    ]
    if extra:
        nodes.append({"id": "c", "type": "output"})
    edges = [{"source": "a", "target": "b"}] + ([{"source": "a", "target": "c"}] if extra else [])
    return {"version": 1, "id": "d", "nodes": nodes, "edges": edges}


def test_preview_and_api_diff_agree() -> None:
    before, after = parse_workflow(_wf(0, False)), parse_workflow(_wf(3, True))
    preview = workflow_diff(before, after)
    api = diff_specs(before.model_dump(mode="json"), after.model_dump(mode="json"))
    for section in ("nodes", "edges", "groups"):
        assert preview[section]["added"] == api[section]["added"]
        assert preview[section]["removed"] == api[section]["removed"]
        assert preview[section]["changed"] == {
            c["id"]: [f["path"] for f in c["fields"]] for c in api[section]["changed"]
        }
    assert preview["nodes"]["changed"] == {"b": ["execution.timeout_seconds"]}
    assert preview["edges"]["added"] == ["a->c"]
