"""plugin/bodies.py: the checks on a JSON body's data (depth, NaN/Infinity, lone surrogates) name
each field, never recurse themselves, and leave good bodies alone."""

from __future__ import annotations

import json

import pytest

from airflow_canvas.plugin.bodies import (
    MAX_JSON_DEPTH,
    MAX_PROBLEMS,
    check_json_body,
    is_json_content_type,
    value_problems,
)


def test_good_bodies_pass() -> None:
    body = {"spec": {"nodes": [{"id": "a", "parameters": {"k": [1, 2.5, "é", "\U0001f600", None, True]}}]}}
    assert check_json_body(json.dumps(body).encode()) is None
    assert check_json_body(json.dumps(body, ensure_ascii=False).encode()) is None
    assert check_json_body(b'{"spec": ') is None  # malformed: FastAPI answers 400 with the position


def test_each_defect_names_its_field_and_node() -> None:
    raw = b'{"spec": {"nodes": [{"id": "n1", "parameters": {"a": NaN, "b\\ud800": 1, "c": "x\\udfff"}}]}}'
    refusal = check_json_body(raw)
    assert refusal is not None and refusal.status == 422
    found = [(p.code, p.pointer, p.node_id) for p in refusal.problems]
    assert found == [
        ("E_JSON_NOT_FINITE", "/spec/nodes/0/parameters/a", "n1"),
        ("E_JSON_BAD_STRING", "/spec/nodes/0/parameters", "n1"),
        ("E_JSON_BAD_STRING", "/spec/nodes/0/parameters/c", "n1"),
    ]
    assert refusal.problems[0].message.startswith("spec.nodes.0.parameters.a: NaN is not a JSON number")


@pytest.mark.parametrize(
    "token,name", [("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("1e999", "Infinity")]
)
def test_infinities(token: str, name: str) -> None:
    refusal = check_json_body(f'{{"x": [{token}]}}'.encode())
    assert refusal is not None and refusal.problems[0].message.startswith(f"x.0: {name} is not")


def test_depth_is_counted_from_the_body_and_the_path_is_shortened() -> None:
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert check_json_body(at_limit.encode()) is None
    over = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    refusal = check_json_body(over.encode())
    assert refusal is not None
    (problem,) = refusal.problems
    assert problem.code == "E_JSON_TOO_DEEP" and problem.pointer == "/0" * MAX_JSON_DEPTH
    assert "more)" in problem.message and len(problem.message) < 200


def test_nesting_past_the_decoder_and_huge_integers() -> None:
    refusal = check_json_body(b"[" * 200_000 + b"]" * 200_000)
    assert refusal is not None and refusal.problems[0].code == "E_JSON_TOO_DEEP"
    refusal = check_json_body(b'{"n": ' + b"9" * 5000 + b"}")
    assert refusal is not None and refusal.problems[0].code == "E_JSON_BAD_NUMBER"
    refusal = check_json_body(b'{"a": "\xff"}')
    assert refusal is not None and refusal.status == 400 and refusal.problems[0].code == "E_JSON_NOT_UTF8"


def test_problems_are_capped() -> None:
    assert len(value_problems([float("nan")] * 1000)) == MAX_PROBLEMS


def test_json_content_types() -> None:
    assert is_json_content_type("application/json; charset=utf-8")
    assert is_json_content_type("application/merge-patch+json")
    assert not is_json_content_type("text/plain") and not is_json_content_type(None)
