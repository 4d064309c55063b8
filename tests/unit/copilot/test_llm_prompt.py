"""The system prompt stays true to the spec: every top-level field, node type, on_error and edge
kind is documented (a new one fails here until it is), the worked examples apply and validate, the
trimmed function schemas still accept them and are smaller than the patch model's, and the LLM
modules stay small."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from airflow_canvas.copilot import llm_prompt
from airflow_canvas.copilot.llm_examples import EXAMPLE_WORKFLOW, EXAMPLES
from airflow_canvas.copilot.llm_functions import function_schemas, trimmed_patch_schema, untrimmed_size
from airflow_canvas.copilot.patch import apply_patch, parse_ops
from airflow_canvas.spec import models as m
from airflow_canvas.spec import parse_workflow
from airflow_canvas.validation import validate_workflow


def test_every_workflow_field_and_enum_is_documented() -> None:
    prompt = llm_prompt.system_prompt()
    for name, info in m.Workflow.model_fields.items():
        assert info.description or name in llm_prompt.WORKFLOW_DOCS, f"document Workflow.{name} in llm_prompt"
        assert f"\n  {name} (" in prompt
    assert set(llm_prompt.NODE_TYPE_DOCS) == set(m.NodeType)
    assert set(llm_prompt.ON_ERROR_DOCS) == set(m.OnError)
    assert set(llm_prompt.EDGE_KIND_DOCS) == set(m.EdgeKind)
    for e in m.OnError:
        assert f"  {e.value}: " in prompt
    for name in m.FieldMapping.model_fields:
        assert f"\n  {name} (" in prompt
    # Operator-backed nodes are tool nodes too: the old "tool nodes need `tool`" is gone.
    assert "OR `operator` = an installed Airflow operator's import path" in prompt
    assert "ui (" not in prompt  # layout is the canvas's business


def test_type_names_read_like_the_spec() -> None:
    fields = m.ExecutionPolicy.model_fields
    assert llm_prompt.type_name(fields["on_error"].annotation) == "fail|skip|continue|fallback"
    assert llm_prompt.type_name(fields["weight_rule"].annotation) == "downstream|upstream|absolute"
    assert llm_prompt.type_name(m.Workflow.model_fields["nodes"].annotation) == "list[Node]"
    assert llm_prompt.type_name(m.Workflow.model_fields["params"].annotation) == "object"


@pytest.mark.parametrize(("request_text", "base", "call"), EXAMPLES, ids=[e[0][:30] for e in EXAMPLES])
def test_worked_examples_apply_and_validate(request_text: str, base: str, call: dict) -> None:
    start = parse_workflow(EXAMPLE_WORKFLOW if base == "digest" else {"id": "from_nothing"})
    out = apply_patch(start, parse_ops(call["ops"]))
    errors = [p for p in validate_workflow(out) if p.severity == "error"]
    assert not errors, errors
    jsonschema.validate(call, trimmed_patch_schema())  # the trimmed schema accepts what the prompt shows
    assert json.dumps(call, separators=(",", ":")) in llm_prompt.system_prompt()


def test_function_schemas_are_trimmed_and_valid() -> None:
    schemas = list(function_schemas())
    for schema in schemas:
        jsonschema.Draft202012Validator.check_schema(schema["function"]["parameters"])
    size = len(json.dumps(schemas))
    assert size < 0.7 * untrimmed_size(), (size, untrimmed_size())
    text = json.dumps(schemas)
    assert '"title"' not in text and '"ui"' not in text


def test_llm_modules_stay_small() -> None:
    folder = Path(llm_prompt.__file__).parent
    for path in sorted(folder.glob("llm*.py")):
        assert len(path.read_text().splitlines()) < 400, path.name
