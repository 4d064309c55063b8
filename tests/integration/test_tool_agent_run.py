"""A real DAG run: a tool with a pip dependency (cached venv) and the built-in HTTP tool (loopback
server, Airflow HTTP connection from AIRFLOW_CONN_*) feed an agent node that talks to the scripted
OpenAI-compatible server, calls a tool, and returns a structured answer; then the bounded failure
paths of the agent in a second run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import ScriptedOpenAIServer, ToolCall
from tests.fakes.http_server import LoopbackHTTPServer
from tests.integration.tool_run import deploy, run_dag, states, xcoms
from tests.integration.tools.specs import workflow

pytestmark = pytest.mark.slow
API_KEY = "sk-canvas-test-secret-123"


def _env(llm: ScriptedOpenAIServer, weather: LoopbackHTTPServer, venvs: Path) -> dict[str, str]:
    return {
        "AIRFLOW_CONN_CANVAS_WEATHER": json.dumps({"conn_type": "http", "host": weather.url}),
        "AIRFLOW_CONN_CANVAS_LLM": json.dumps(
            {
                "conn_type": "generic",
                "host": llm.url + "/v1",
                "password": API_KEY,
                "extra": {"model": "gpt-4o-mini"},
            }
        ),
        "AIRFLOW__AIRFLOW_CANVAS__VENV_CACHE_DIR": str(venvs),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",  # the transcript is logged at INFO
    }


@pytest.fixture(scope="module")
def good_run(airflow_db: Path, dags_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    dag_id = deploy(workflow("canvas_tool_agent_ok"), dags_folder)
    venvs = tmp_path_factory.mktemp("venvs")
    with ScriptedOpenAIServer() as llm, LoopbackHTTPServer({"/weather": (200, {"celsius": 21.5})}) as weather:
        llm.add_tool_calls([ToolCall("to_fahrenheit", '{"celsius": ')])  # malformed: the model must retry
        llm.add_error(429, "slow down", retry_after=0)
        llm.add_tool_call("to_fahrenheit", {"celsius": 21.5})
        llm.add_json({"summary": "Mild", "fahrenheit": "70.7"})  # wrong type: re-asked
        llm.add_json({"summary": "Mild, 70.7 F", "fahrenheit": 70.7})
        result = run_dag(dag_id, _env(llm, weather, venvs))
        return {"dag_id": dag_id, "result": result, "llm": llm, "weather": weather, "venvs": venvs,
                "xcoms": xcoms(dag_id), "states": states(dag_id)}  # fmt: skip


def test_run_succeeds_and_xcoms_hold_the_data(good_run: dict[str, Any]) -> None:
    result = good_run["result"]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert good_run["states"] == {"joke": "success", "weather": "success", "writer": "success"}
    x = good_run["xcoms"]
    joke = x[("joke", "return_value")]
    assert joke["library"] == "0.8.3" and joke["joke"]
    assert joke["source"].startswith(str(good_run["venvs"]))  # the pip dependency came from the cached venv
    weather = x[("weather", "return_value")]
    assert weather["status_code"] == 200 and weather["json"] == {"celsius": 21.5}
    assert good_run["weather"].requests[0]["query"] == {"city": ["Oslo"]}
    assert x[("writer", "return_value")] == {"summary": "Mild, 70.7 F", "fahrenheit": 70.7}


def test_agent_got_the_upstream_data_and_the_tool_result(good_run: dict[str, Any]) -> None:
    requests = good_run["llm"].chat_requests()
    assert len(requests) == 5  # malformed call, 429, good call, invalid answer, valid answer
    first = requests[0]
    joke = good_run["xcoms"][("joke", "return_value")]["joke"]
    assert first.messages[1]["content"] == f"Temperature 21.5 C. Add this joke: {joke}"
    assert first.body["model"] == "gpt-4o-mini"
    assert first.body["tools"][0]["function"]["name"] == "to_fahrenheit"
    assert "not valid JSON" in json.loads(requests[1].messages[-1]["content"])["error"]
    assert json.loads(requests[3].messages[-1]["content"]) == {"output": {"fahrenheit": 70.7}}
    assert "does not match the required output JSON Schema" in requests[4].messages[-1]["content"]


def test_usage_cost_and_transcript_recorded_without_the_key(good_run: dict[str, Any]) -> None:
    x = good_run["xcoms"]
    metrics = x[("writer", "canvas_metrics")]
    assert metrics["tokens"] == {"prompt": 40, "completion": 20, "total": 60}
    assert metrics["cost"] == pytest.approx((40 * 0.15 + 20 * 0.60) / 1e6)
    assert metrics["tool_calls"] == 1  # the malformed call never reached the tool
    transcript = x[("writer", "agent_transcript")]
    assert [e["kind"] for e in transcript["transcript"]] == ["tool_call", "tool_call", "answer", "answer"]
    output = good_run["result"].stdout + good_run["result"].stderr
    assert "step 1 tool_call" in output and "Agent finished in 4 steps" in output
    for request in good_run["llm"].requests:
        assert API_KEY not in json.dumps(request.body)
    assert API_KEY not in output and API_KEY not in json.dumps(list(x.values()))


def test_only_the_agent_stores_metrics_and_the_history_counts_every_tool_call(
    good_run: dict[str, Any],
) -> None:
    """Tool nodes write no canvas_metrics XCom (one Execution API request less per task); the
    metrics history counts their one call per successful task instance instead."""
    from airflow import settings

    from airflow_canvas.operators import implied_tool_calls
    from airflow_canvas.policies.history import aggregate, load_rows

    assert {task for task, key in good_run["xcoms"] if key == "canvas_metrics"} == {"writer"}
    with settings.Session() as session:
        nodes = aggregate(*load_rows(session, good_run["dag_id"], limit=5), implied=implied_tool_calls())[
            "nodes"
        ]
    assert {node: figures["tool_calls"] for node, figures in nodes.items()} == {
        "joke": 1,
        "weather": 1,
        "writer": 1,
    }
    assert nodes["joke"]["tokens"] == {"total": 0, "mean_per_run": 0.0} and nodes["joke"]["cost"] == 0
    assert nodes["writer"]["tokens"] == {"total": 60, "mean_per_run": 60.0}


def test_agent_fails_clearly_within_its_bounds(
    airflow_db: Path, dags_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    dag_id = deploy(workflow("canvas_tool_agent_bad", max_steps=3), dags_folder)
    with ScriptedOpenAIServer() as llm, LoopbackHTTPServer({"/weather": (200, {"celsius": 5})}) as weather:
        for _ in range(3):
            llm.add_json({"summary": 1})  # never valid: re-asked twice, then the task fails
        result = run_dag(dag_id, _env(llm, weather, tmp_path_factory.mktemp("venvs2")))
        assert len(llm.chat_requests()) == 3
    assert result.returncode != 0
    assert states(dag_id)["writer"] == "failed"
    assert "does not match the output schema after 2 re-asks" in result.stdout + result.stderr
