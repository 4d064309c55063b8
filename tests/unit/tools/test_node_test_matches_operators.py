"""A single-node test gives what a DAG run gives: for each kind of node, the node test's output
(or failure) on some inputs equals the output (or exception) of the node's Airflow operator run on
the same inputs. Both run the node-runtime core (runtime/core.py)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.operators import (
    AgentOperator,
    InputOperator,
    OutputOperator,
    ProcessOperator,
    ToolOperator,
)
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Node, Workflow
from airflow_canvas.tools.bundle import tool_digest, write_tool_files
from airflow_canvas.tools.node_test import test_node as run_node_test
from airflow_canvas.tools.registry import resolve_tool
from tests.fakes import ScriptedOpenAIServer

SHOUT = {
    "name": "shout", "version": "1.0.0",
    "code": "def run(text, bang='!', times=1):\n    return {'text': (text.upper() + bang) * times}\n",
    "parameters": {"bang": "?"},
    "input_schema": {"type": "object", "properties": {"text": {"type": "string"}, "times": {"type": "integer"}},
                     "required": ["text"]},
    "output_schema": {"type": "object", "required": ["text"]},
}  # fmt: skip
OUT_SCHEMA = {"type": "object", "properties": {"x": {"type": "integer"}, "z": {"type": "string"}}}
NODES = [
    {"id": "start", "type": "input",
     "input_schema": {"type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"}}}},
    {"id": "jm", "type": "process", "process": {"expression": "{total: sum(values), first: values[0]}"}},
    {"id": "py", "type": "process", "parameters": {"k": 3},
     "process": {"language": "python", "expression": "result = {'n': inputs['n'] * parameters['k']}"},
     "input_schema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}},
    {"id": "shouty", "type": "tool", "tool": "shout@1.0.0", "parameters": {"times": 2}},
    {"id": "done", "type": "output", "output_schema": OUT_SCHEMA},
    {"id": "bot", "type": "agent", "agent": {"prompt": "Say {{ inputs.word }}", "model": "m", "connection_id": "nt_llm"},
     "output_schema": {"type": "object", "required": ["said"]}},
]  # fmt: skip


def workflow() -> Workflow:
    return parse_workflow({"id": "same_as_run", "tools": [SHOUT], "nodes": NODES})


def _operator(wf: Workflow, node: Node, tmp_path: Path) -> Any:
    """The node's operator as the compiler configures it, its inputs from one upstream task."""
    from airflow.sdk import DAG

    common: dict[str, Any] = {"task_id": node.id, "parameters": node.parameters, "templates": node.templates,
                              "input_schema": node.input_schema, "output_schema": node.output_schema}  # fmt: skip
    if node.type.value == "input":
        return InputOperator(**common)
    common.update(upstream_outputs={"up": None}, merge_upstream=["up"])
    if node.type.value == "process":
        assert node.process is not None
        return ProcessOperator(language=node.process.language, expression=node.process.expression, **common)
    if node.type.value == "output":
        return OutputOperator(**common)
    if node.type.value == "agent":
        assert node.agent is not None
        return AgentOperator(model=node.agent.model, prompt=node.agent.prompt,
                             connection_id=node.agent.connection_id, **common)  # fmt: skip
    tool = resolve_tool(node.tool or "", wf.tools)
    write_tool_files(tmp_path, [tool])
    with DAG("same_as_run", schedule=None, start_date=datetime(2024, 1, 1, tzinfo=timezone.utc)) as dag:
        op = ToolOperator(tool=tool.ref, tool_digest=tool_digest(tool), **common)
    dag.fileloc = str(tmp_path / "the_dag.py")
    return op


def _task_outcome(wf: Workflow, node_id: str, inputs: dict[str, Any], tmp_path: Path) -> tuple[str, Any]:
    node = wf.node(node_id)
    assert node is not None
    op = _operator(wf, node, tmp_path)
    context: dict[str, Any] = {"params": inputs} if node.type.value == "input" else {}
    if node.type.value != "input":
        op.upstream_outputs = {"up": inputs}
    try:
        return "ok", op.execute(context)
    except Exception as exc:
        return "failed", str(exc)


def _test_outcome(wf: Workflow, node_id: str, inputs: dict[str, Any]) -> tuple[str, Any]:
    report = run_node_test(wf, node_id, inputs)
    if report["ok"]:
        return "ok", report["output"]
    if report["error"]:
        return "failed", report["error"]["message"]
    problems = "; ".join(report["validation"]["output"][:5])  # shown as "output does not match"
    return "failed", f"Node {node_id!r}: output does not match its schema: {problems}"


CASES = [
    ("start", {"n": 4, "s": "a", "undeclared": True}, ("ok", {"n": 4, "s": "a"})),
    ("start", {"n": "four"}, ("failed", "Node 'start': input does not match its schema: n: 'four' is not of type 'integer'")),
    ("jm", {"values": [5, 6]}, ("ok", {"total": 11, "first": 5})),
    ("py", {"n": 7, "extra": 1}, ("ok", {"n": 21})),
    ("py", {"extra": 1}, ("failed", "Node 'py': input does not match its schema: (root): 'n' is a required property")),
    ("shouty", {"text": "hi"}, ("ok", {"text": "HI?HI?"})),
    ("shouty", {"text": "hi", "times": "2"},
     ("failed", "Node 'shouty': input of tool shout@1.0.0 does not match its schema: times: '2' is not of type 'integer'")),
    ("done", {"x": 1, "z": "b", "internal": [1]}, ("ok", {"x": 1, "z": "b"})),
    ("done", {"x": "one"}, ("failed", "Node 'done': output does not match its schema: x: 'one' is not of type 'integer'")),
]  # fmt: skip


@pytest.mark.parametrize(("node_id", "inputs", "expected"), CASES)
def test_node_test_gives_what_the_task_gives(
    node_id: str, inputs: dict[str, Any], expected: tuple[str, Any], tmp_path: Path
) -> None:
    wf = workflow()
    assert _task_outcome(wf, node_id, inputs, tmp_path) == expected
    assert _test_outcome(wf, node_id, inputs) == expected


def test_agent_node_test_gives_what_the_task_gives(
    openai_server: ScriptedOpenAIServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    conn = {"conn_type": "generic", "host": openai_server.url + "/v1", "password": "k"}
    monkeypatch.setenv("AIRFLOW_CONN_NT_LLM", json.dumps(conn))
    openai_server.add_json({"said": "HI"}).add_json({"said": "HI"})
    wf = workflow()
    expected = ("ok", {"said": "HI"})
    assert _task_outcome(wf, "bot", {"word": "hi"}, tmp_path) == expected
    assert _test_outcome(wf, "bot", {"word": "hi"}) == expected
    first, second = openai_server.chat_requests()[:2]
    assert first.messages == second.messages  # the same prompt, rendered the same way
