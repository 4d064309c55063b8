"""The tool studio's static check (tools/check.py): findings with positions, nothing executed, and
the publish preview's suggested version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.check import check_tool, publish_preview


def body(**changes: Any) -> dict[str, Any]:
    base = {
        "name": "t",
        "version": "1.0.0",
        "code": "def run(text):\n    return {'n': len(text)}\n",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        "output_schema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
        "tests": [{"input": {"text": "ab"}, "expected": {"n": 2}}],
    }
    return {**base, **changes}


def test_a_clean_tool_has_no_findings() -> None:
    assert check_tool(body()) == []


def test_syntax_error_has_its_line_and_column() -> None:
    (d,) = check_tool(body(code="x = 1\ndef run(text):\n    return (text\n"))
    assert (d.where, d.line) == ("code", 3) and d.column >= 1 and d.end_line >= d.line
    assert "SyntaxError" in d.message


def test_entry_point_and_signature() -> None:
    (d,) = check_tool(body(code="def main(text):\n    return {}\n"))
    assert "No top-level function 'run'" in d.message and "main" in d.message
    found = check_tool(body(code="def run(other, extra):\n    return {}\n", parameters={"extra": 1}))
    assert [(f.severity, f.message.split(" ")[0:3]) for f in found] == [
        ("error", ["Required", "input", "field"]),  # text is required but not a parameter
        ("warning", ["Parameter", "'other'", "has"]),  # other has no default and is not required
    ]  # extra has a tool default: fine
    assert check_tool(body(code="def run(**kwargs):\n    return {}\n")) == []


def test_invalid_schemas_assertions_and_inputs() -> None:
    found = check_tool(
        body(
            input_schema={"type": "array"},
            output_schema={"type": "object", "properties": {"n": {"type": "int"}}},
            tests=[{"input": {"text": 1}, "assertions": ["output['n'] >"]}],
        )
    )
    where = {f.where: f for f in found}
    assert "type must be 'object'" in where["input_schema"].message
    assert where["output_schema"].message.startswith("output_schema.properties.n.type:")
    assert where["tests.0.assertions.0"].severity == "error"


def test_nothing_is_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = (
        f"open({str(marker)!r}, 'w').write('x')\nimport os\nos.remove('/')\ndef run(text):\n    return {{}}\n"
    )
    assert check_tool(body(code=code)) == []
    assert not marker.exists()


def test_model_errors_name_the_field() -> None:
    found = check_tool(body(version="v1", language="cobol"))
    assert {"version", "language"} <= {f.where for f in found}


def test_publish_preview_suggests_the_needed_bump() -> None:
    v1 = Tool.model_validate(body())
    assert publish_preview(v1, [])["suggested_version"] == "1.0.0"
    narrower_output = Tool.model_validate(body(output_schema={"type": "object", "properties": {}}))
    p = publish_preview(narrower_output, [v1])
    assert (p["previous"], p["required_bump"], p["suggested_version"]) == ("1.0.0", "major", "2.0.0")
    new_optional_input = Tool.model_validate(
        body(
            input_schema={
                **v1.input_schema,
                "properties": {"text": {"type": "string"}, "k": {"type": "integer"}},
            }
        )
    )
    assert publish_preview(new_optional_input, [v1])["suggested_version"] == "1.1.0"
    code_only = Tool.model_validate(body(code="def run(text):\n    return {'n': len(str(text))}\n"))
    assert publish_preview(code_only, [v1])["suggested_version"] == "1.0.1"


def test_language_rules_are_reported_too() -> None:
    sql = body(language="sql", code="SELECT :text AS t", connection_type=None)
    assert "connection_type" in {f.where for f in check_tool(sql)}
    perf = body(tests=[{"kind": "performance", "input": {"text": "a"}}])
    assert [f.where for f in check_tool(perf)] == ["tests.0.time_budget_ms"]
