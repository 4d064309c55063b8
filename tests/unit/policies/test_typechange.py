"""Changing a node's type keeps what applies and reports what is dropped."""

from __future__ import annotations

from airflow_canvas.policies.typechange import change_node_type, change_type_in_workflow
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import NodeType

WF = parse_workflow(
    {
        "id": "w",
        "nodes": [
            {"id": "src", "type": "input"},
            {
                "id": "ag",
                "type": "agent",
                "name": "Summarise",
                "description": "Summarises",
                "output_schema": {"type": "object"},
                "agent": {"model": "gpt-x", "prompt": "Summarise {{ inputs }}"},
                "execution": {"map_over": "docs", "pool": "llm", "retry": {"retries": 2}},
                "notifications": [{"to": ["a@example.com"]}],
                "ui": {"color": "#ff0000", "shape": "pill"},
            },
        ],
        "edges": [{"source": "src", "target": "ag"}],
    }
)


def test_agent_to_tool_keeps_common_fields_and_reports_agent_config() -> None:
    node, problems = change_node_type(WF.node("ag"), "tool", base_pointer="/nodes/1")
    assert node.type == NodeType.TOOL and node.agent is None
    assert (node.name, node.description, node.output_schema) == (
        "Summarise",
        "Summarises",
        {"type": "object"},
    )
    assert node.execution.map_over == "docs" and node.execution.pool == "llm"
    assert node.execution.retry.retries == 2
    assert node.ui.color == "#ff0000" and len(node.notifications) == 1
    assert [(p.code, p.pointer, p.node_id) for p in problems] == [
        ("W_TYPE_CHANGE_DROPPED", "/nodes/1/agent", "ag")
    ]
    assert "gpt-x" in problems[0].message


def test_to_output_drops_mapping_and_to_process_gets_default_config() -> None:
    node, problems = change_node_type(WF.node("ag"), NodeType.OUTPUT)
    assert node.execution.map_over is None
    assert {p.pointer for p in problems} == {"/agent", "/execution/map_over"}
    process, _ = change_node_type(WF.node("ag"), "process")
    assert process.process is not None and process.process.expression == "@"


def test_same_type_is_a_no_op() -> None:
    node = WF.node("ag")
    assert change_node_type(node, "agent") == (node, [])


def test_workflow_change_reports_edges_that_no_longer_fit() -> None:
    wf, problems = change_type_in_workflow(WF, "ag", "input")
    assert wf.node("ag").type == NodeType.INPUT and WF.node("ag").type == NodeType.AGENT
    assert ("W_TYPE_CHANGE_EDGE", "/edges/0", "src->ag") in {(p.code, p.pointer, p.edge_id) for p in problems}
