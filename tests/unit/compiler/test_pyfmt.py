"""The literal printer: exact round trips, and output that `ruff format` leaves as it is."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_canvas.compiler.pyfmt import (
    Lit,
    UnsafeCode,
    call,
    checked_expr,
    lit_expr,
    py_str,
    render,
    render_call_block,
)

RUFF = Path(sys.executable).with_name("ruff")
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@given(st.text())
def test_string_literals_round_trip(text: str) -> None:
    literal = py_str(text)
    assert ast.literal_eval(literal) == text
    assert "\n" not in literal  # one physical line, whatever the text holds


@given(json_value)
def test_data_literals_round_trip(value) -> None:
    source = "\n".join(render(lit_expr(value), prefix="x = "))
    tree = ast.parse(source)
    assert ast.literal_eval(tree.body[0].value) == value


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is installed with the test extra")
@settings(max_examples=25, deadline=None)
@given(st.lists(json_value, min_size=1, max_size=8), st.lists(st.text(), max_size=8))
def test_printed_code_is_what_ruff_format_keeps(values: list, texts: list[str]) -> None:
    lines = ['with DAG(dag_id="x"):']
    for i, value in enumerate(values):
        expr = call("Operator", task_id=Lit(f"t{i}"), parameters=lit_expr(value), names=lit_expr(texts))
        lines += render_call_block(expr, indent="    ", prefix=f"t{i} = ")
    source = "\n".join(lines) + "\n"
    proc = subprocess.run(
        [str(RUFF), "format", "--isolated", "--diff", "-"], input=source, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_only_expressions_of_the_model_are_printed() -> None:
    """The IR carries expressions (no source text to re-parse); raw data where an expression
    belongs is refused, and so is data no literal can hold."""
    expr = call("SmtpNotifier", to=lit_expr(["a@b.c"]), subject=Lit("Hi"))
    assert render(checked_expr(expr)) == ['SmtpNotifier(to=["a@b.c"], subject="Hi")']
    for raw in ({"$callable": "os.system"}, "os.system('id')", ["a"], None):
        with pytest.raises(UnsafeCode, match="cannot be written"):
            checked_expr(raw)
    with pytest.raises(ValueError):
        render(lit_expr({"x": float("nan")}))
