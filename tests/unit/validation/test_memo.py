"""validation's content memo (validation/cache.py): equal content is validated once, and nothing a
rule reads can change under a memoised result (pools, published tools, explicitly set execution
fields, NaN against null)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Tool
from airflow_canvas.tools import registry
from airflow_canvas.validation import cache, engine, validate, validate_workflow


def spec(**node: Any) -> dict[str, Any]:
    return {
        "id": "memo",
        "nodes": [{"id": "a", "type": "process", **node}, {"id": "b", "type": "output"}],
        "edges": [{"source": "a", "target": "b"}],
    }


@pytest.fixture
def calls() -> Iterator[list[int]]:
    cache.clear()
    counted = [0]
    real = engine.run_checks

    def counting(*args: Any, **kwargs: Any) -> Any:
        counted[0] += 1
        return real(*args, **kwargs)

    with mock.patch.object(engine, "run_checks", counting):
        yield counted
    cache.clear()


def test_equal_content_is_validated_once(calls: list[int]) -> None:
    first = validate(spec(name="x"))
    again = validate(parse_workflow(spec(name="x")))
    assert calls[0] == 1 and first.problems == again.problems
    validate(spec(name="y"))
    assert calls[0] == 2


def test_pools_are_checked_on_every_call_in_place(calls: list[int]) -> None:
    data = spec(execution={"pool": "gpu"}) | {"defaults": {"pool": "cpu"}}
    wf = parse_workflow(data)
    assert validate(wf, pools={"gpu", "cpu"}).problems == validate_workflow(wf, pools={"gpu", "cpu"})
    gone = validate(wf, pools={"cpu"}).problems  # the pool was deleted since: seen although memoised
    assert gone == validate_workflow(wf, pools={"cpu"})
    assert [p.code for p in gone].count("W_POOL_UNKNOWN") == 1
    assert calls[0] == 1 + 2  # the memoised validation + the two uncached references


def test_publishing_a_tool_is_seen(calls: list[int]) -> None:
    published: list[Tool] = []
    source = lambda: list(published)  # noqa: E731
    registry.register_source(source)
    try:
        data = spec(type="tool", tool="memo_tool@1.0.0")
        assert any(p.code.startswith("E_TOOL") for p in validate(data).errors)
        published.append(Tool(name="memo_tool", version="1.0.0", code="def run(**kw):\n    return kw\n"))
        assert not any(p.code.startswith("E_TOOL") for p in validate(data).errors)
        assert calls[0] == 2
    finally:
        registry._SOURCES.remove(source)


def test_key_sees_explicit_execution_fields_and_nan() -> None:
    defaults = {"defaults": {"pool": "cpu"}}
    unset = parse_workflow(spec() | defaults)
    explicit_null = parse_workflow(spec(execution={"pool": None}) | defaults)  # runs in no pool
    assert unset.model_dump() == explicit_null.model_dump()
    assert cache.key_of(unset) != cache.key_of(explicit_null)
    nan, null = parse_workflow(spec(parameters={"x": 1})), parse_workflow(spec(parameters={"x": 1}))
    nan.nodes[0].parameters["x"], null.nodes[0].parameters["x"] = math.nan, None
    assert cache.key_of(nan) != cache.key_of(null)


def test_the_memo_is_bounded(calls: list[int]) -> None:
    for i in range(cache.MAX_ENTRIES + 5):
        validate(spec(name=f"n{i}"))
    assert len(cache._ENTRIES) == cache.MAX_ENTRIES
