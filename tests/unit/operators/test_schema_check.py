"""The one JSON Schema check (airflow_canvas.runtime.core: violations, schema_problems)."""

from __future__ import annotations

from airflow_canvas.runtime.core import Violation, violations
from airflow_canvas.runtime.core import schema_problems as schema_errors

SCHEMA = {
    "type": "object",
    "properties": {
        "n": {"type": "integer"},
        "items": {"type": "array", "items": {"type": "object", "properties": {"b": {"type": "string"}}}},
    },
    "required": ["n"],
}


def test_no_schema_means_no_violations() -> None:
    assert violations({"anything": 1}, None) == [] and violations(5, {}) == []
    assert schema_errors("x", None) == []


def test_violations_are_ordered_by_path_with_list_indexes_kept() -> None:
    found = violations({"items": [{"b": 1}], "n": "x"}, SCHEMA)
    assert found == [
        Violation(("items", 0, "b"), "1 is not of type 'string'"),
        Violation(("n",), "'x' is not of type 'integer'"),
    ]


def test_schema_errors_formats_paths_root_and_limit() -> None:
    value = {"items": [{"b": 1}], "n": "x"}
    assert schema_errors(value, SCHEMA) == [
        "items/0/b: 1 is not of type 'string'",
        "n: 'x' is not of type 'integer'",
    ]
    assert schema_errors(value, SCHEMA, limit=1) == ["items/0/b: 1 is not of type 'string'"]
    assert schema_errors(value, SCHEMA, sep=".")[0].startswith("items.0.b: ")
    assert schema_errors({}, SCHEMA) == ["(root): 'n' is a required property"]
    assert schema_errors({}, SCHEMA, root="parameters") == ["parameters: 'n' is a required property"]


def test_the_schema_draft_comes_from_dollar_schema() -> None:
    # "dependencies" is a draft-7 keyword; 2020-12 (the default) ignores it.
    schema = {"dependencies": {"a": ["b"]}}
    assert violations({"a": 1}, schema) == []
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
    assert [v.message for v in violations({"a": 1}, draft7)] == ["'b' is a dependency of 'a'"]
