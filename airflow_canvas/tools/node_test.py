"""Single-node test / debug mode: run one node of a workflow in isolation, on mock input.

Whatever executes user code (tools, Python process nodes, an agent's tool calls) runs in the
bubblewrap sandbox (``runner.run_in_sandbox``), because this is called from the API server: no
server files, secrets or network (unless the tool declares ``network``), time and memory capped by
``[airflow_canvas]`` config whatever the node's timeout says. Airflow connections are secrets, so a
built-in that needs one (http_request, sql_query) reports it as not defined here; it works in a DAG
run on a worker. The agent loop itself (the model calls) runs here, in the server, with the
node's connection, as it would in the AgentOperator. When no input is given, a sample
is generated from the node's input schema (the tool's, for tool nodes). The result carries the
output, captured logs, duration and validation results; ``debug=True`` adds the resolved inputs,
the rendered templates and, for agents, every step of the loop.

What the node does with the input is the node-runtime core (runtime/core.py) that the Airflow
operators run, so a node test gives the output a DAG run would for the same inputs and parameters:
an input node keeps the fields its input schema declares, an output node those its output schema
declares, a tool gets the same merged arguments checked against its input schema, and a Python
process node runs the core's own ``run_process`` (its source, inside the sandbox). Inputs that fail
the node's input schema (or a tool's) stop the test as they would fail the task.
"""

from __future__ import annotations

import inspect
import json
import time
from typing import Any

from airflow_canvas.runtime import core
from airflow_canvas.runtime.agent import endpoint_from_connection, render_prompt
from airflow_canvas.spec.models import SQL_CONN_ID, Node, NodeType, Tool, Workflow
from airflow_canvas.tools.compatibility import input_schema_of
from airflow_canvas.tools.registry import resolve_tool
from airflow_canvas.tools.runner import RunLimits, RunResult, ToolRunError, run_in_sandbox
from airflow_canvas.tools.sample import sample_from_schema
from airflow_canvas.tools.tool_tests import ConnectionGate, run_sql_on_connection

_MAX_ERRORS = 20  # schema violations reported per value


class NodeTestError(ValueError):
    """The request cannot be run (unknown node, unsupported configuration)."""


def _render(text: str, inputs: dict[str, Any], parameters: dict[str, Any]) -> str:
    return render_prompt(text, inputs, {}, parameters)


def _process_tool(node: Node, parameters: dict[str, Any]) -> Tool:
    """A Python process node as a throw-away tool, so its snippet runs in the sandbox: the tool is
    the core's own ``run_process`` (its source; the sandbox does not import airflow_canvas)."""
    assert node.process is not None
    code = (
        "from __future__ import annotations\n\n"
        "import copy\nimport json\nfrom collections.abc import Mapping\nfrom typing import Any\n\n"
        f"PROCESS_LANGUAGES = {core.PROCESS_LANGUAGES!r}\n"
        f"EXPRESSION = {node.process.expression!r}\n"
        f"PARAMETERS = json.loads({json.dumps(parameters)!r})\n\n\n"
        f"{inspect.getsource(core.run_process)}\n\n"
        "def run(**inputs):\n"
        f"    return run_process('python', EXPRESSION, inputs, PARAMETERS, {node.id!r})\n"
    )
    return Tool(name="process_node", version="0.0.0", code=code)


def _generated_input(schema: dict[str, Any]) -> dict[str, Any]:
    """A node's inputs are an object: a sample of its input schema, or ``{}`` where the schema does
    not describe an object (none declared, as on a fresh output node: a sample of ``{}`` is a
    string, which failed the test with a server error instead of running the node)."""
    sample = sample_from_schema(schema) if schema else {}
    return dict(sample) if isinstance(sample, dict) else {}


def test_node(
    wf: Workflow,
    node_id: str,
    input: dict[str, Any] | None = None,  # noqa: A002 - the API's field name
    debug: bool = False,
    *,
    limits: RunLimits | None = None,
    client: Any = None,
    connection_gate: ConnectionGate | None = None,
) -> dict[str, Any]:
    """``connection_gate`` (the API passes the caller's): a SQL tool node whose ``conn_id`` it allows
    runs its query on that connection, rolled back (tool_tests.py); without it, in the sandbox
    on an empty in-memory SQLite database."""
    node = wf.node(node_id)
    if node is None:
        from airflow_canvas.spec.problems import did_you_mean

        hint = did_you_mean(node_id, [n.id for n in wf.nodes])
        raise NodeTestError(f"No node {node_id!r} in workflow {wf.id!r}" + (f"; {hint}" if hint else ""))
    limits = limits or RunLimits(timeout_seconds=node.execution.timeout_seconds or 60.0)
    in_schema = input_schema_of(node, wf)
    generated = input is None
    inputs = _generated_input(in_schema) if generated else dict(input or {})
    parameters = {
        **node.parameters,
        **{k: _render(v, inputs, node.parameters) for k, v in node.templates.items()},
    }
    report: dict[str, Any] = {
        "node_id": node.id, "type": node.type.value, "ok": False, "output": None, "error": None,
        "logs": [], "stdout": "", "stderr": "", "duration": 0.0, "input_generated": generated,
        "validation": {"input": [], "output": []},
    }  # fmt: skip
    debug_info: dict[str, Any] = {"resolved_inputs": inputs, "parameters": parameters,
                                  "rendered_templates": {k: parameters[k] for k in node.templates}}  # fmt: skip
    started = time.monotonic()
    try:
        output = _run(node, wf, inputs, parameters, limits, report, debug_info, client, connection_gate)
    except (ToolRunError, NodeTestError) as exc:
        report["error"] = (
            exc.to_dict() if isinstance(exc, ToolRunError) else {"kind": "config", "message": str(exc)}
        )
    except core.CanvasInputError as exc:  # what fails the task before or after the node's own code
        report["error"] = {"kind": "schema", "message": str(exc)}
    except Exception as exc:  # the node's own failure is the answer, not a server error
        report["error"] = {
            "kind": getattr(exc, "kind", "exception"),
            "message": f"{type(exc).__name__}: {exc}",
        }
        if hasattr(exc, "transcript"):
            debug_info["steps"] = exc.transcript
    else:
        report["output"] = output
        report["validation"]["output"] = core.schema_problems(output, node.output_schema, limit=_MAX_ERRORS)
        report["ok"] = not report["validation"]["output"]
    report["duration"] = time.monotonic() - started
    if debug:
        report["debug"] = debug_info
    return report


def _absorb(result: RunResult, report: dict[str, Any]) -> Any:
    report["logs"] += result.logs
    report["stdout"] += result.stdout
    report["stderr"] += result.stderr
    return result.raise_for_error().output


def _run(
    node: Node,
    wf: Workflow,
    inputs: dict[str, Any],
    parameters: dict[str, Any],
    limits: RunLimits,
    report: dict[str, Any],
    debug_info: dict[str, Any],
    client: Any,
    connection_gate: ConnectionGate | None = None,
) -> Any:
    inputs = _checked_inputs(node, inputs, report)
    debug_info["resolved_inputs"] = inputs
    if node.type is NodeType.TOOL:
        return _run_tool(node, wf, inputs, parameters, limits, report, debug_info, connection_gate)
    if node.type is NodeType.PROCESS:
        process = node.process
        if process is None or process.language == "jmespath":
            expression = process.expression if process else "@"
            return core.run_process("jmespath", expression, inputs, parameters, node.id)
        return _absorb(run_in_sandbox(_process_tool(node, parameters), inputs, limits=limits), report)
    if node.type is NodeType.AGENT:
        return _run_agent(node, wf, inputs, parameters, limits, report, debug_info, client)
    if node.type is NodeType.OUTPUT:
        return core.output_node_value(inputs, node.output_schema)
    return inputs  # an input node's output is its (declared) inputs


def _checked_inputs(node: Node, inputs: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """The inputs the node's task would run on, checked against its input schema as the operator
    checks them: for an input node, the test's input stands for the run's params."""
    if node.type is NodeType.INPUT:
        inputs = core.input_node_values(inputs, node.input_schema)
    report["validation"]["input"] = core.schema_problems(inputs, node.input_schema, limit=_MAX_ERRORS)
    core.check_schema(inputs, node.input_schema, what="input", node_id=node.id)
    return inputs


def _run_tool(
    node: Node,
    wf: Workflow,
    inputs: dict[str, Any],
    parameters: dict[str, Any],
    limits: RunLimits,
    report: dict[str, Any],
    debug_info: dict[str, Any],
    connection_gate: ConnectionGate | None = None,
) -> Any:
    if not node.tool:
        raise NodeTestError(f"Node {node.id!r} is a tool node without a tool reference")
    tool = resolve_tool(node.tool, wf.tools)
    debug_info["tool"] = tool.ref
    validation = report["validation"]
    arguments = core.tool_arguments(tool.parameters, parameters, inputs)
    validation["tool_input"] = core.schema_problems(arguments, tool.input_schema, limit=_MAX_ERRORS)

    def call(arguments: dict[str, Any]) -> Any:
        if tool.language == "sql" and connection_gate is not None and arguments.get(SQL_CONN_ID):
            output = run_sql_on_connection(tool, arguments, connection_gate, limits.timeout_seconds)
            validation["tool_output"] = core.schema_problems(output, tool.output_schema, limit=_MAX_ERRORS)
            return output
        # The sandbox merges the same arguments (tools/loader.call_arguments -> core.tool_arguments).
        output = _absorb(run_in_sandbox(tool, inputs, parameters=parameters, limits=limits), report)
        validation["tool_output"] = core.schema_problems(output, tool.output_schema, limit=_MAX_ERRORS)
        return output

    return core.run_tool(tool.ref, tool.input_schema, tool.output_schema, arguments, call, node.id)


def _run_agent(
    node: Node,
    wf: Workflow,
    inputs: dict[str, Any],
    parameters: dict[str, Any],
    limits: RunLimits,
    report: dict[str, Any],
    debug_info: dict[str, Any],
    client: Any,
) -> Any:
    from airflow_canvas.tools.agent_loop import AgentLoop, AgentSettings

    agent = node.agent
    if agent is None:
        raise NodeTestError(f"Node {node.id!r} is an agent node without agent settings")
    endpoint: dict[str, Any] = {"base_url": None, "api_key": "", "model": None, "prices": None}
    if client is None:
        from airflow.sdk import BaseHook

        endpoint = endpoint_from_connection(BaseHook.get_connection(agent.connection_id))
        import openai

        client = openai.OpenAI(
            base_url=endpoint["base_url"], api_key=endpoint["api_key"] or "none", max_retries=0
        )
    model = agent.model or endpoint["model"]
    if not model:
        raise NodeTestError(
            f"Node {node.id!r}: no model on the node and none in connection {agent.connection_id!r}"
        )
    system_prompt = _render(agent.system_prompt, inputs, parameters)
    prompt = _render(agent.prompt, inputs, parameters)
    debug_info["rendered_templates"].update({"system_prompt": system_prompt, "prompt": prompt})
    settings = AgentSettings(
        model=model, system_prompt=system_prompt, prompt=prompt, max_steps=agent.max_steps,
        temperature=agent.temperature, request_timeout_seconds=agent.request_timeout_seconds,
        output_schema=node.output_schema, prices=endpoint["prices"],
    )  # fmt: skip
    tools = [resolve_tool(ref, wf.tools) for ref in agent.tools]

    def call_tool(tool: Tool, arguments: dict[str, Any]) -> Any:
        return _absorb(run_in_sandbox(tool, arguments, limits=limits), report)

    loop = AgentLoop(client, settings, tools, call_tool, log=lambda line: report["logs"].append(
        {"level": "INFO", "logger": "agent", "message": line}))  # fmt: skip
    try:
        result = loop.run()
    finally:
        debug_info["steps"] = loop.transcript
    debug_info["usage"] = result.usage
    debug_info["cost_usd"] = result.cost_usd
    return result.output


test_node.__test__ = False  # type: ignore[attr-defined]  # a name pytest would otherwise collect
