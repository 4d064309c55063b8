"""Property: whatever text a user types into any field, it reaches the generated DAG file only as
a Python literal. The output parses, its AST holds nothing but the constructs the compiler writes
(calls to imported names only, no other attribute access, no comprehensions, lambdas, f-strings,
...), and every string comes back unchanged through ast.literal_eval."""

from __future__ import annotations

import ast
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.spec.load import parse_workflow

NASTY = [
    '"""',
    "'''",
    "\\",
    "{{ 7*7 }}",
    "{% for x in y %}",
    "\n",
    "\r\n",
    "\x00",
    "__import__('os').system('id')",
    '"); import os; os.system("id"); ("',
    "\u2028",
    "\ud7ff",
    "😀",
    "#",
    "\\N{BULLET}",
    "x.md",
]
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.lists(st.sampled_from(NASTY)).map("".join))
# Jinja fields (templates, agent prompts) must parse as Jinja: arbitrary text without braces.
jinja_text = text.filter(lambda s: "{" not in s and "}" not in s)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


def jmespath_literal(value: str) -> str:
    """A JMESPath raw string literal holding ``value``."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@st.composite
def workflows(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    strings: list[str] = []

    def t() -> str:
        value = draw(text)
        strings.append(value)
        return value

    def j() -> str:
        value = draw(jinja_text)
        strings.append(value)
        return value

    def unused() -> str:
        """Text of a field the DAG file does not carry (edge labels are canvas-only)."""
        return draw(text)

    def jp(template: str) -> str:
        """A JMESPath expression embedding arbitrary text in a raw string literal."""
        value = template.format(jmespath_literal(draw(text)))
        strings.append(value)
        return value

    params: dict[str, Any] = {}
    for _ in range(2):
        key = draw(text)
        if key not in params:
            strings.append(key)
            default = t()
            params[key] = {"type": "string", "description": t(), "default": default, "enum": [default, t()]}
    parameters = draw(st.dictionaries(text, json_value, max_size=3))
    strings.extend(k for k in parameters)
    wf = {
        "id": "safety",
        "name": t(),
        "description": t(),
        "tags": [t(), t()],
        "nodes": [
            {
                "id": "ask",
                "type": "input",
                "name": t(),
                "description": t(),
                "input_schema": {"type": "object", "properties": params},
            },
            {
                "id": "think",
                "type": "process",
                "name": t(),
                "description": t(),
                "group": "inner",
                "process": {"language": "jmespath", "expression": jp("{{said: {}}}")},
                "parameters": parameters,
                "templates": {"tpl": j()},
                "output_schema": {
                    "type": "object",
                    "description": t(),
                    "properties": {"said": {"type": "string"}},
                },
            },
            {
                "id": "agent",
                "type": "agent",
                "name": t(),
                "group": "outer",
                "agent": {
                    "system_prompt": j(),
                    "prompt": j(),
                    "model": t(),
                    "connection_id": "openai_default",
                },
            },
            {
                "id": "shell",
                "type": "tool",
                "operator": "airflow.providers.standard.operators.bash.BashOperator",
                "parameters": {"bash_command": t()},
            },
            {
                "id": "done",
                "type": "output",
                "description": t(),
                "parameters": {"asset_uri": "x://safe/asset"},
            },
        ],
        "edges": [
            {"source": "ask", "target": "think", "label": unused()},
            {
                "source": "think",
                "target": "agent",
                "label": unused(),
                "condition": jp("said == {}"),
                "mapping": [{"source": "said", "target": "said", "transform": jp("[@, {}]")}],
            },
            {"source": "agent", "target": "done"},
            {"source": "think", "target": "shell", "kind": "dependency"},
        ],
        "groups": [
            {"id": "outer", "label": t(), "description": t()},
            {"id": "inner", "label": t(), "description": t(), "parent": "outer"},
        ],
    }
    return wf, strings


ALLOWED_NODES = (
    ast.Module,
    ast.Expr,
    ast.Constant,
    ast.ImportFrom,
    ast.alias,
    ast.With,
    ast.withitem,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.Attribute,
    ast.keyword,
    ast.Dict,
    ast.List,
    ast.Assign,
    ast.BinOp,
    ast.RShift,
    ast.UnaryOp,
    ast.USub,
)


def check_ast(source: str) -> set[str]:
    tree = ast.parse(source)
    imported = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
    for node in tree.body:
        assert isinstance(node, (ast.Expr, ast.ImportFrom, ast.With)), ast.dump(node)[:200]
        if isinstance(node, ast.ImportFrom):
            assert node.module and (node.module.split(".")[0] in ("airflow", "datetime", "airflow_canvas"))
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    strings: set[str] = set()
    for node in ast.walk(tree):
        assert isinstance(node, ALLOWED_NODES), f"unexpected {type(node).__name__}"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id in imported, func.id
            else:
                assert isinstance(func, ast.Attribute) and func.attr in ("partial", "expand"), ast.dump(func)
        elif isinstance(node, ast.Attribute):
            assert node.attr in ("output", "utc", "partial", "expand"), node.attr
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            assert node.id in imported | assigned, node.id
        elif isinstance(node, ast.BinOp):
            assert isinstance(node.op, ast.RShift)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.add(node.value)
    # Every string constant is a plain literal: literal_eval of its source gives it back.
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert ast.literal_eval(ast.get_source_segment(source, node)) == node.value
    return strings


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(workflows())
def test_user_text_only_ever_becomes_literals(case: tuple[dict[str, Any], list[str]]) -> None:
    data, user_strings = case
    source = compile_workflow(parse_workflow(data)).source
    compile(source, "<generated>", "exec")
    constants = check_ast(source)
    for value in user_strings:
        # doc_md ending in ".md" gets a newline so Airflow does not read it as a file path.
        assert value in constants or value + "\n" in constants or any(value in c for c in constants), repr(
            value
        )
