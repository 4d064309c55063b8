"""spec -> JSON export -> spec is the identity, for generated workflows (property test)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_canvas.exporters import export_workflow
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow

ids = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False, width=32),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def workflows(draw: st.DrawFn) -> Workflow:
    node_ids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    group_ids = draw(st.lists(ids.map(lambda s: f"g_{s}"), max_size=2, unique=True))
    nodes = []
    for node_id in node_ids:
        kind = draw(st.sampled_from(["process", "operator", "input", "output"]))
        node: dict = {
            "id": node_id,
            "name": draw(st.text(max_size=15)),
            "description": draw(st.text(max_size=30)),
        }
        if kind == "operator":
            node |= {
                "type": "tool",
                "operator": "airflow.providers.standard.operators.bash.BashOperator",
                "parameters": {
                    "bash_command": draw(st.text(max_size=20)),
                    "env": draw(
                        st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=2)
                    ),
                },
            }
        else:
            node |= {
                "type": kind,
                "parameters": draw(st.dictionaries(st.text(max_size=6), json_values, max_size=3)),
            }
        if group_ids and draw(st.booleans()):
            node["group"] = draw(st.sampled_from(group_ids))
        node["ui"] = {
            "position": {"x": draw(st.integers(-500, 500)), "y": draw(st.floats(-1e4, 1e4, width=32))}
        }
        nodes.append(node)
    edges = [
        {"source": a, "target": b, "kind": draw(st.sampled_from(["data_flow", "dependency", "trigger"]))}
        for a, b in zip(node_ids, node_ids[1:], strict=False)
        if draw(st.booleans())
    ]
    data = {
        "id": draw(ids),
        "name": draw(st.text(max_size=20)),
        "tags": draw(st.lists(st.text(max_size=5), max_size=2)),
        "nodes": nodes,
        "edges": edges,
        "groups": [{"id": g, "label": g} for g in group_ids],
        "params": draw(st.dictionaries(ids, json_values, max_size=2)),
    }
    if draw(st.booleans()):
        data["triggers"] = {
            "assets": {
                "uris": ["s3://a/x", "s3://b/y"],
                "condition": {"or": ["s3://a/x", {"and": ["s3://b/y", "s3://a/x"]}]},
            }
        }
    return parse_workflow(data)


@settings(max_examples=60, deadline=None)
@given(workflows())
def test_json_export_round_trip_is_identity(wf: Workflow) -> None:
    text = export_workflow(wf, "json")
    again = parse_workflow(json.loads(text))
    assert again == wf
    assert export_workflow(again, "json") == text
