"""Semver rules, range resolution, breaking-change detection and publish refusal."""

from __future__ import annotations

import pytest

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.breaking_changes import required_bump, schema_changes
from airflow_canvas.tools.publish import PublishError, check_publish
from airflow_canvas.tools.registry import ToolResolutionError, resolve_tool
from airflow_canvas.tools.semver import Version, best_match, bump_of, matches, next_version, satisfies_bump

V = Version.parse

IN = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer", "maximum": 10}},
    "required": ["city"],
}
OUT = {
    "type": "object",
    "properties": {"temp": {"type": "number"}, "unit": {"type": "string", "enum": ["C", "F"]}},
    "required": ["temp", "unit"],
}
CODE = "def run(city, days=1):\n    return {'temp': 20.5, 'unit': 'C'}\n"
TESTS = [{"name": "oslo", "input": {"city": "Oslo"}, "expected": {"temp": 20.5, "unit": "C"}}]


def tool(version: str = "1.0.0", **changes) -> Tool:
    base = {"name": "weather", "version": version, "code": CODE, "input_schema": IN, "output_schema": OUT,
            "tests": TESTS}  # fmt: skip
    return Tool.model_validate({**base, **changes})


def with_props(schema: dict, **props) -> dict:
    return {**schema, "properties": {**schema["properties"], **props}}


# -- semver -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "version", "ok"),
    [
        ("^1.2", "1.2.0", True), ("^1.2", "1.9.3", True), ("^1.2", "2.0.0", False), ("^1.2", "1.1.9", False),
        ("^0.2.3", "0.2.9", True), ("^0.2.3", "0.3.0", False), ("~1.2.3", "1.2.9", True), ("~1.2.3", "1.3.0", False),
        ("1.x", "1.7.1", True), ("1.2.3", "1.2.3", True), ("1.2.3", "1.2.4", False), (">=1.2 <2", "1.5.0", True),
        ("*", "9.9.9", True),
    ],
)  # fmt: skip
def test_ranges(spec: str, version: str, ok: bool) -> None:
    assert matches(spec, V(version)) is ok


def test_best_match_picks_highest() -> None:
    versions = [V("1.2.0"), V("1.4.1"), V("2.0.0"), V("1.10.0")]
    assert best_match("^1.2", versions) == V("1.10.0")
    assert best_match("^3", versions) is None


def test_bump_rules() -> None:
    assert bump_of(V("1.2.3"), V("2.0.0")) == "major"
    assert bump_of(V("1.2.3"), V("1.3.0")) == "minor"
    assert bump_of(V("1.2.3"), V("1.2.4")) == "patch"
    assert bump_of(V("1.2.3"), V("1.2.3")) is None
    assert bump_of(V("0.2.3"), V("0.3.0")) == "major"  # 0.x: the minor digit is the breaking one
    assert satisfies_bump(V("1.2.3"), V("2.0.0"), "minor")
    assert not satisfies_bump(V("1.2.3"), V("1.3.0"), "major")
    assert next_version(V("1.2.3"), "major") == V("2.0.0")
    assert next_version(V("1.2.3"), "minor") == V("1.3.0")


def test_resolve_range_pins_highest_inline_version() -> None:
    tools = [tool("1.2.0"), tool("1.3.1"), tool("2.0.0")]
    assert resolve_tool("weather@^1.2", tools).version == "1.3.1"
    assert resolve_tool("weather@2.0.0", tools).version == "2.0.0"
    with pytest.raises(ToolResolutionError, match="no version matching"):
        resolve_tool("weather@^3", tools)
    with pytest.raises(ToolResolutionError, match="No tool named"):
        resolve_tool("wether@1.0.0", tools)


# -- breaking changes -------------------------------------------------------------------------------
def test_removed_output_field_is_major() -> None:
    new = tool(
        "1.1.0", output_schema={**OUT, "properties": {"temp": {"type": "number"}}, "required": ["temp"]}
    )
    changes = schema_changes(tool(), new)
    assert required_bump(tool(), new) == "major"
    assert any(c.where == "output" and "'unit' was removed" in c.message for c in changes)


def test_new_required_input_is_major() -> None:
    new = tool(input_schema={**with_props(IN, country={"type": "string"}), "required": ["city", "country"]})
    assert required_bump(tool(), new) == "major"
    assert any("'country' is now required" in c.message for c in schema_changes(tool(), new))


def test_input_type_narrowing_is_major_widening_minor() -> None:
    narrowed = tool(input_schema=with_props(IN, days={"type": "integer", "maximum": 5}))
    assert required_bump(tool(), narrowed) == "major"
    as_int = tool(input_schema=with_props(IN, city={"type": "integer"}))
    assert required_bump(tool(), as_int) == "major"
    widened = tool(input_schema=with_props(IN, days={"type": "number"}))
    assert required_bump(tool(), widened) == "minor"


def test_output_widening_is_major_narrowing_minor() -> None:
    wider_enum = tool(output_schema=with_props(OUT, unit={"type": "string", "enum": ["C", "F", "K"]}))
    assert required_bump(tool(), wider_enum) == "major"
    narrower = tool(output_schema=with_props(OUT, temp={"type": "integer"}))
    assert required_bump(tool(), narrower) == "minor"
    optional_now = tool(output_schema={**OUT, "required": ["temp"]})
    assert required_bump(tool(), optional_now) == "major"


def test_additions_are_minor_code_is_patch() -> None:
    assert required_bump(tool(), tool(input_schema=with_props(IN, lang={"type": "string"}))) == "minor"
    assert required_bump(tool(), tool(output_schema=with_props(OUT, humidity={"type": "number"}))) == "minor"
    assert required_bump(tool(), tool(code=CODE + "# faster\n")) == "patch"
    assert required_bump(tool(), tool()) is None


# -- publishing -------------------------------------------------------------------------------------
def test_publish_refused_without_tests() -> None:
    with pytest.raises(PublishError, match="no tests"):
        check_publish(tool(tests=[]), [])


def test_publish_refused_with_failing_test() -> None:
    bad = tool(
        tests=[*TESTS, {"name": "wrong", "input": {"city": "Rome"}, "expected": {"temp": 30, "unit": "C"}}]
    )
    with pytest.raises(PublishError, match="test 'wrong' failed") as info:
        check_publish(bad, [])
    assert [t["passed"] for t in info.value.tests] == [True, False]


def test_publish_runs_tests_and_passes() -> None:
    check = check_publish(tool(), [])
    assert check.previous is None and [t["passed"] for t in check.tests] == [True]


def test_published_version_is_immutable() -> None:
    with pytest.raises(PublishError, match="immutable"):
        check_publish(tool(code=CODE + "# edit\n"), [tool()])


def test_breaking_change_needs_major_bump() -> None:
    breaking = {"output_schema": {**OUT, "properties": {"temp": {"type": "number"}}, "required": ["temp"]},
                "code": "def run(city, days=1):\n    return {'temp': 20.5}\n",
                "tests": [{"input": {"city": "Oslo"}, "expected": {"temp": 20.5}}]}  # fmt: skip
    with pytest.raises(PublishError, match=r"need a major bump \(at least 2.0.0\)"):
        check_publish(tool("1.1.0", **breaking), [tool()])
    assert check_publish(tool("2.0.0", **breaking), [tool()]).required_bump == "major"


def test_patch_release_accepted_for_code_change() -> None:
    check = check_publish(tool("1.0.1", code=CODE + "# faster\n"), [tool()])
    assert check.required_bump == "patch" and check.previous is not None
