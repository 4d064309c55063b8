"""The caches that keep a ToolOperator call cheap (benchmarks/tools.py) never weaken a check: a
schema changed in place is checked as changed, a tool's module state is fresh on every call, and a
bundled file is still verified against its digest on every load."""

from __future__ import annotations

import hashlib

import pytest

from airflow_canvas.runtime import core
from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.bundle import (
    ToolIntegrityError,
    load_bundled_tool,
    tool_digest,
    tool_path,
    write_tool_files,
)
from airflow_canvas.tools.loader import load_entry_point


def test_schema_changed_in_place_is_checked_as_changed() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    assert core.violations({"n": 1}, schema) == []
    schema["properties"]["n"]["minimum"] = 5  # same object, new content
    assert [v.message for v in core.violations({"n": 1}, schema)] == ["1 is less than the minimum of 5"]
    schema["required"] = ["m"]
    assert len(core.violations({"n": 7}, schema)) == 1


def test_equal_schemas_share_a_validator_and_it_ignores_later_mutation_of_the_first() -> None:
    first = {"type": "string", "maxLength": 2}
    core.violations("ab", first)
    validator = core._validator(first)
    first["maxLength"] = 100  # the cached validator was built on its own copy
    assert core._validator({"type": "string", "maxLength": 2}) is validator
    assert core.violations("abc", {"type": "string", "maxLength": 2})
    assert core.violations("abc", first) == []


def test_tool_module_state_is_fresh_on_every_call() -> None:
    tool = Tool(name="counter", version="1.0.0",
                code="calls = []\n\ndef run():\n    calls.append(1)\n    return {'n': len(calls)}\n")  # fmt: skip
    assert load_entry_point(tool)() == {"n": 1}
    assert load_entry_point(tool)() == {"n": 1}


def test_bundled_file_is_verified_on_every_load(tmp_path) -> None:
    tool = Tool(name="echo", version="1.0.0", code="def run(x):\n    return {'x': x}\n")
    write_tool_files(tmp_path, [tool])
    digest = tool_digest(tool)
    dag = tmp_path / "dag.py"
    assert load_bundled_tool(dag, "echo", "1.0.0", digest).code == tool.code
    assert load_bundled_tool(dag, "echo", "1.0.0", digest).code == tool.code  # cached parse
    path = tool_path(tmp_path, "echo", "1.0.0", digest)
    path.write_bytes(path.read_bytes().replace(b"return", b"return  "))
    assert hashlib.sha256(path.read_bytes()).hexdigest() != digest
    with pytest.raises(ToolIntegrityError):
        load_bundled_tool(dag, "echo", "1.0.0", digest)
