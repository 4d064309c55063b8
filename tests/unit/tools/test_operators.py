"""ToolOperator and AgentOperator outside a scheduler: bundle lookup, connection handling, masking."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.operators.agent import AgentConfigError, AgentOperator, endpoint_from_connection
from airflow_canvas.operators.base import CanvasInputError
from airflow_canvas.operators.tool import ToolOperator
from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.bundle import tool_digest, write_tool_files
from tests.fakes import ScriptedOpenAIServer


class FakeTI:
    def __init__(self) -> None:
        self.pushed: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value


def _bundled(tmp_path: Path, code: str, **extra: Any) -> tuple[Path, str]:
    """A deployed DAG's location with tool shout@2.1.0 bundled beside it, and the tool's digest."""
    tool = Tool(name="shout", version="2.1.0", code=code,
                input_schema={"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
                output_schema={"type": "object", "required": ["text"]}, **extra)  # fmt: skip
    write_tool_files(tmp_path, [tool])
    return tmp_path / "the_dag.py", tool_digest(tool)


def _in_dag(op_factory: Any, fileloc: Path) -> Any:
    from airflow.sdk import DAG

    with DAG("unit_tools", schedule=None, start_date=datetime(2024, 1, 1, tzinfo=timezone.utc)) as dag:
        op = op_factory()
    dag.fileloc = str(fileloc)
    return op


def test_tool_operator_runs_the_bundled_version(tmp_path: Path) -> None:
    fileloc, digest = _bundled(
        tmp_path, "def run(text, bang='!'):\n    return {'text': text.upper() + bang}\n"
    )
    op = _in_dag(
        lambda: ToolOperator(task_id="t", tool="shout@2.1.0", tool_digest=digest, parameters={"text": "hi"}),
        fileloc,
    )
    assert op.execute({"ti": FakeTI(), "params": {}}) == {"text": "HI!"}


def test_tool_operator_stores_no_metrics_xcom_for_its_one_call(tmp_path: Path) -> None:
    """The one tool call is counted from the successful task instance (policies.history), so the
    task makes no canvas_metrics XCom write; a summary with more in it (tokens) is still stored."""
    from airflow_canvas.operators import implied_tool_calls
    from airflow_canvas.policies.metrics import XCOM_KEY

    assert implied_tool_calls()[ToolOperator.__name__] == ToolOperator.implied_tool_calls == 1
    fileloc, digest = _bundled(tmp_path, "def run(text):\n    return {'text': text}\n")
    op = _in_dag(
        lambda: ToolOperator(task_id="t", tool="shout@2.1.0", tool_digest=digest, parameters={"text": "hi"}),
        fileloc,
    )
    ti = FakeTI()
    assert op.execute({"ti": ti, "params": {}}) == {"text": "hi"}
    assert op.metrics.summary.tool_calls == 1 and ti.pushed == {}

    class PricedTool(ToolOperator):
        def run(self, inputs: dict[str, Any], context: Any) -> Any:
            output = super().run(inputs, context)
            self.metrics.cost(0.25)
            return output

    op = _in_dag(
        lambda: PricedTool(task_id="p", tool="shout@2.1.0", tool_digest=digest, parameters={"text": "hi"}),
        fileloc,
    )
    ti = FakeTI()
    op.execute({"ti": ti, "params": {}})
    assert (ti.pushed[XCOM_KEY]["tool_calls"], ti.pushed[XCOM_KEY]["cost"]) == (1, 0.25)


def test_tool_operator_checks_the_tool_schemas(tmp_path: Path) -> None:
    fileloc, digest = _bundled(tmp_path, "def run(text):\n    return {'nope': 1}\n")
    op = _in_dag(
        lambda: ToolOperator(task_id="t", tool="shout@2.1.0", tool_digest=digest, parameters={"text": 5}),
        fileloc,
    )
    with pytest.raises(
        CanvasInputError, match="input of tool shout@2.1.0 does not match.*5 is not of type 'string'"
    ):
        op.execute({"ti": FakeTI(), "params": {}})
    op = _in_dag(
        lambda: ToolOperator(task_id="t", tool="shout@2.1.0", tool_digest=digest, parameters={"text": "x"}),
        fileloc,
    )
    with pytest.raises(CanvasInputError, match="output of tool shout@2.1.0.*'text' is a required property"):
        op.execute({"ti": FakeTI(), "params": {}})


def test_tool_operator_runs_builtins_from_the_registry() -> None:
    op = ToolOperator(
        task_id="j", tool="json_transform@1.0.0", parameters={"data": {"a": [1, 2]}, "expression": "a[1]"}
    )
    assert op.execute({"ti": FakeTI(), "params": {}}) == {"result": 2}


def test_endpoint_from_connection() -> None:
    from airflow.sdk import Connection

    conn = Connection(conn_id="x", conn_type="generic", host="llm.internal", port=8443, password="k",
                      extra=json.dumps({"model": "m1", "prices": {"m1": {"input": 1, "output": 2}}}))  # fmt: skip
    assert endpoint_from_connection(conn) == {"base_url": "https://llm.internal:8443", "api_key": "k", "model": "m1",
                                              "prices": {"m1": {"input": 1, "output": 2}}}  # fmt: skip
    conn = Connection(
        conn_id="y", conn_type="generic", extra=json.dumps({"base_url": "http://h/v1", "api_key": "z"})
    )
    assert endpoint_from_connection(conn)["base_url"] == "http://h/v1"
    assert endpoint_from_connection(conn)["api_key"] == "z"


def test_agent_operator_against_the_scripted_server(
    openai_server: ScriptedOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-unit-secret-999"
    conn = {"conn_type": "generic", "host": openai_server.url + "/v1", "password": secret,
            "extra": {"model": "my-model", "prices": {"my-model": {"input": 1000000, "output": 0}}}}  # fmt: skip
    monkeypatch.setenv("AIRFLOW_CONN_UNIT_LLM", json.dumps(conn))
    openai_server.add_json({"answer": "ok"})
    op = AgentOperator(task_id="a", connection_id="unit_llm", prompt="Q: {{ inputs.q }} ({{ params.p }})",
                       system_prompt="sys {{ parameters.tone }}", parameters={"tone": "dry"},
                       output_schema={"type": "object", "required": ["answer"]})  # fmt: skip
    ti = FakeTI()
    result = op.run_agent({"q": "why"}, {"params": {"p": 1}, "ti": ti})
    assert result.output == {"answer": "ok"} and result.cost_usd == pytest.approx(10.0)
    sent = openai_server.chat_requests()[0]
    assert sent.messages == [
        {"role": "system", "content": "sys dry"},
        {"role": "user", "content": "Q: why (1)"},
    ]
    assert sent.body["model"] == "my-model" and sent.headers["authorization"] == f"Bearer {secret}"
    from airflow.sdk.execution_time.secrets_masker import redact

    assert redact(f"key={secret}") == "key=***"  # registered with the masker


def test_agent_operator_without_a_model_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_UNIT_NOMODEL", json.dumps({"conn_type": "generic", "host": "http://x/v1"})
    )
    op = AgentOperator(task_id="agent_x", connection_id="unit_nomodel", prompt="hi")
    with pytest.raises(
        AgentConfigError, match="Node 'agent_x': no model set on the node and connection 'unit_nomodel'"
    ):
        op.run_agent({}, None)
