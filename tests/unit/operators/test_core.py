"""The node-runtime core (runtime/core.py) stands alone: ejected DAG files carry its source and
the sandbox runs parts of it, so it may import neither Airflow nor airflow_canvas, at any level."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys

import pytest

from airflow_canvas.runtime import core


def _imported_modules(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):  # imports inside functions too
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add((node.module or "").split(".")[0])
    return found


def test_core_imports_only_the_standard_library_jsonschema_and_jmespath() -> None:
    imported = _imported_modules(inspect.getsource(core))
    assert imported <= set(sys.stdlib_module_names) | {"jsonschema", "jmespath"}, imported


def test_importing_the_core_loads_no_airflow() -> None:
    code = "import sys, airflow_canvas.runtime.core; print(sorted(m for m in sys.modules if m.split('.')[0] in ('airflow', 'jsonschema', 'jmespath')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_node_kinds() -> None:
    assert core.input_node_values({"n": 1, "x": 2}, {"properties": {"n": {}}}) == {"n": 1}
    assert core.input_node_values({"n": 1, "x": 2}, {}) == {"n": 1, "x": 2}
    assert core.output_node_value({"a": 1, "b": 2}, {"properties": {"a": {}, "c": {}}}) == {"a": 1}
    assert core.run_process("jmespath", "a[0]", {"a": [3]}, {}, "p") == 3
    assert core.run_process("python", "result = inputs['a'] * parameters['k']", {"a": 2}, {"k": 5}, "p") == 10
    with pytest.raises(ValueError, match="Node 'p': language must be one of"):
        core.run_process("sql", "select 1", {}, {}, "p")
    conditions = {"hi": "score", "flagged": "flag", "always": None, "low": "score == `0`"}
    assert core.choose_branches(conditions, {"score": 0, "flag": []}) == ["hi", "always", "low"]
    assert core.tool_arguments({"a": 1, "b": 1}, {"b": 2, "c": 2}, {"c": 3}) == {"a": 1, "b": 2, "c": 3}


def test_inputs_merge_map_and_fall_back() -> None:
    outputs = core.upstream_values({"a": ({"x": 1},), "b": None, "c": 7}, {"b": "c"})
    assert outputs == {"a": [{"x": 1}], "b": 7, "c": 7}  # lazy sequences become lists
    inputs = core.merge_inputs(outputs, ["b"], {"first": "a[0].x"}, "item", "it")
    assert inputs == {"b": 7, "first": 1, "item": "it"}
    schema = {"type": "object", "properties": {"item": {"type": "array", "items": {"type": "string"}}}}
    assert core.instance_input_schema(schema, "item")["properties"]["item"] == {"type": "string"}


def test_schema_check_names_the_node_and_path() -> None:
    with pytest.raises(core.CanvasInputError, match=r"Node 'n': input does not match its schema: a/0: "):
        core.check_schema(
            {"a": ["x"]}, {"properties": {"a": {"items": {"type": "integer"}}}}, what="input", node_id="n"
        )
