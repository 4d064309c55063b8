"""Single-node test mode, schema samples and the workflow compatibility check."""

from __future__ import annotations

from typing import Any

import jsonschema
import openai
import pytest

from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.tools.compatibility import type_problems
from airflow_canvas.tools.node_test import NodeTestError
from airflow_canvas.tools.node_test import test_node as run_node_test
from airflow_canvas.tools.runner import RunLimits
from airflow_canvas.tools.sample import sample_from_schema
from airflow_canvas.validation.compatibility import compatibility_problems
from tests.fakes import ScriptedOpenAIServer

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 3},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "unit": {"enum": ["C", "F"]},
        "when": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        "opts": {"type": "object", "properties": {"deep": {"type": "boolean"}}},
        "limit": {"type": "number", "default": 2.5},
    },
    "required": ["city", "days"],
}
UPPER = {
    "name": "upper",
    "version": "1.2.0",
    "code": "def run(text, suffix=''):\n    print('working')\n    return {'text': text.upper() + suffix, 'n': len(text)}\n",
    "input_schema": {
        "type": "object",
        "properties": {"text": {"type": "string"}, "suffix": {"type": "string"}},
        "required": ["text"],
        "additionalProperties": False,
    },  # fmt: skip
    "output_schema": {"type": "object", "properties": {"text": {"type": "string"}, "n": {"type": "integer"}}},
    "tests": [{"input": {"text": "a"}, "expected": {"text": "A", "n": 1}}],
}


def wf(**extra: Any):
    spec = {
        "id": "nt",
        "tools": [UPPER],
        "nodes": [
            {"id": "src", "type": "input", "output_schema": {"type": "object", "properties": {"name": {"type": "string"},
                                                                                           "age": {"type": "integer"}}}},
            {"id": "up", "type": "tool", "tool": "upper@^1", "parameters": {"suffix": "!"},
             "templates": {"suffix": "{{ inputs.text }}?"}},
            {"id": "py", "type": "process", "process": {"language": "python",
                                                        "expression": "result = {'double': inputs['x'] * parameters['k']}"},
             "parameters": {"k": 2}, "output_schema": {"type": "object", "required": ["double"]}},
            {"id": "jm", "type": "process", "process": {"expression": "a.b"}},
            {"id": "bot", "type": "agent", "agent": {"prompt": "Say {{ inputs.word }}", "tools": ["upper@1.2.0"],
                                                     "model": "gpt-test"},
             "output_schema": {"type": "object", "properties": {"said": {"type": "string"}}, "required": ["said"]}},
        ],
        "edges": [{"source": "src", "target": "up", "mapping": [{"source": "name", "target": "text"}]}],
    }  # fmt: skip
    spec.update(extra)
    return parse_workflow(spec)


def test_sample_is_valid_for_its_schema() -> None:
    sample = sample_from_schema(SCHEMA)
    jsonschema.validate(sample, SCHEMA)
    assert sample["unit"] == "C" and sample["when"] == "2024-01-01" and sample["limit"] == 2.5
    assert len(sample["tags"]) == 2 and sample["days"] == 1


def test_tool_node_with_given_input_and_debug() -> None:
    report = run_node_test(wf(), "up", {"text": "hey"}, debug=True)
    assert report["ok"], report
    assert report["output"] == {
        "text": "HEYhey?",
        "n": 3,
    }  # templates render over inputs, override parameters
    assert "working" in report["stdout"] and report["duration"] > 0
    assert report["debug"]["rendered_templates"] == {"suffix": "hey?"}
    assert report["debug"]["tool"] == "upper@1.2.0" and report["debug"]["resolved_inputs"] == {"text": "hey"}


def test_tool_node_with_generated_input() -> None:
    report = run_node_test(wf(), "up")
    assert report["input_generated"] and report["ok"]
    assert report["output"]["text"].startswith("SAMPLE TEXT")


def test_python_process_runs_sandboxed_and_validates_output() -> None:
    assert run_node_test(wf(), "py", {"x": 21})["output"] == {"double": 42}
    report = run_node_test(wf(), "py", {"x": None})
    assert (
        not report["ok"]
        and report["error"]["kind"] == "exception"
        and "TypeError" in report["error"]["message"]
    )
    looping = wf(nodes=[{"id": "spin", "type": "process", "process": {"language": "python",
                                                                       "expression": "while True: pass"}}])  # fmt: skip
    report = run_node_test(looping, "spin", {}, limits=RunLimits(timeout_seconds=1))
    assert report["error"]["kind"] == "timeout"


def test_jmespath_process_and_unknown_node() -> None:
    assert run_node_test(wf(), "jm", {"a": {"b": 5}})["output"] == 5
    with pytest.raises(NodeTestError, match="No node 'upp' in workflow 'nt'; did you mean 'up'"):
        run_node_test(wf(), "upp", {})


def test_agent_node_steps_in_debug(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.add_tool_call("upper", {"text": "hi"}).add_json({"said": "HI"})
    client = openai.OpenAI(base_url=openai_server.url + "/v1", api_key="k", max_retries=0)
    report = run_node_test(wf(), "bot", {"word": "hi"}, debug=True, client=client)
    assert report["ok"] and report["output"] == {"said": "HI"}
    assert report["debug"]["rendered_templates"]["prompt"] == "Say hi"
    steps = report["debug"]["steps"]
    assert [s["kind"] for s in steps] == ["tool_call", "answer"]
    assert steps[0]["result"] == {"output": {"text": "HI", "n": 2}}
    assert report["debug"]["usage"]["total_tokens"] == 30


def test_compatibility_of_mappings() -> None:
    bad = wf(edges=[
        {"source": "src", "target": "up", "mapping": [{"source": "nmae", "target": "text"}]},
        {"source": "src", "target": "up", "id": "e2", "mapping": [{"source": "name", "target": "txt"}]},
        {"source": "src", "target": "up", "id": "e3", "mapping": [{"source": "age", "target": "text"}]},
        {"source": "up", "target": "py", "mapping": [{"source": "n", "target": "x"}]},
    ])  # fmt: skip
    problems = {p.code: p for p in compatibility_problems(bad)}
    assert problems["E_MAPPING_SOURCE_FIELD"].hint == "did you mean 'name'?"
    assert problems["E_MAPPING_TARGET_FIELD"].edge_id == "e2"
    assert "is integer/number but up.text expects string" in problems["E_MAPPING_TYPE_MISMATCH"].message
    assert len(problems) == 3
    assert [p.code for p in type_problems(bad)] == ["E_MAPPING_TYPE_MISMATCH"]
    mismatch = problems["E_MAPPING_TYPE_MISMATCH"]
    assert (mismatch.severity, mismatch.edge_id, mismatch.node_id) == ("error", "e3", "up")
    assert mismatch.hint == "Add a transform to the mapping (e.g. `to_string(@)`), or map another field."
    assert compatibility_problems(wf()) == []
    broken_agent = wf(nodes=[{"id": "bot", "type": "agent", "agent": {"tools": ["uper@1"]}}], edges=[])
    [problem] = compatibility_problems(broken_agent)
    assert problem.code == "E_TOOL_UNKNOWN" and problem.hint == "did you mean 'upper'?"
    assert problem.pointer == "/nodes/0/agent/tools/0"


def test_compatibility_is_what_validation_says_under_the_same_codes() -> None:
    """/tools/compatibility once had its own checks with other codes (E_MAPPING_SOURCE_UNKNOWN where
    validation said E_MAPPING_SOURCE_FIELD): every problem it reports is one of validation's."""
    from airflow_canvas.validation import validate_workflow

    bad = wf(edges=[{"source": "src", "target": "up", "mapping": [{"source": "nmae", "target": "txt"}]}])
    compat = compatibility_problems(bad)
    assert compat and all(p in validate_workflow(bad) for p in compat)


def test_compatibility_and_validation_read_schemas_by_one_rule() -> None:
    """A tool node that declares its own input schema is checked against it (the task checks its
    inputs there), by /tools/compatibility as by validation: both report the same mismatch. Before,
    compatibility took the tool's schema first and validation the node's, so they disagreed."""
    from airflow_canvas.validation import validate_workflow

    own = {"type": "object", "properties": {"text": {"type": "integer"}}}
    spec = wf()
    nodes = [n.model_copy(update={"input_schema": own}) if n.id == "up" else n for n in spec.nodes]
    mismatched = spec.model_copy(update={"nodes": nodes})  # src.name (string) -> up.text (integer)
    compat = [p for p in compatibility_problems(mismatched) if p.code == "E_MAPPING_TYPE_MISMATCH"]
    validation = [p for p in validate_workflow(mismatched) if p.code == "E_MAPPING_TYPE_MISMATCH"]
    assert [(p.edge_id, p.message) for p in compat] == [(p.edge_id, p.message) for p in validation]
    assert len(compat) == 1 and "up.text expects integer" in compat[0].message


def test_generated_input_of_a_node_without_an_object_schema_is_empty() -> None:
    # A fresh output node declares no input schema: "run with mock data" ran on a sample of {} (a
    # string) and answered a server error; it runs on {} and shows the node's output.
    chain = parse_workflow(
        {"id": "fresh", "nodes": [{"id": "start", "type": "input"}, {"id": "finish", "type": "output"}],
         "edges": [{"source": "start", "target": "finish"}]}
    )  # fmt: skip
    report = run_node_test(chain, "finish", None, True)
    assert report["ok"] and report["input_generated"] and report["output"] == {}
    assert report["debug"]["resolved_inputs"] == {}
