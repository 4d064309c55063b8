"""Property: whatever text an editor puts into any string *or any dict key* of a workflow, the
generated DAG file never runs it.

A realistic spec covering every node type, operator-backed nodes (a `$callable` too), templates,
edge mappings (into an operator as well), conditions, map_over, params, nested groups, schedule and
Asset triggers, notifications at every level and an inline tool is walked once: every string
value and every dict key is a slot. Each example replaces one to three slots with hostile text
(code that would touch a marker file if it ever ran, quotes, newlines, triple quotes, backslashes,
Jinja, unicode look-alikes, NUL, lone surrogates, keywords, or any text at all) and compiles the
result. Validation may refuse it (that is fine, but only with a SpecError, never a crash). Every
file that compiles must pass an AST allowlist (only imports of the compiler's vocabulary, only
calls of imported names, `import_string` of a constant path, literals), and all of them are then
imported in one child interpreter: the marker file must never appear.

Before the fix, a hostile key in an operator node's `templates` or in a mapping's `target` was
written as a keyword argument name and ran at import (issue 13, finding 2)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.problems import SpecError
from tests.security.generated_code import code_problems, import_all

MARK = "@MARKER@"  # replaced by the test's marker path
RUN = f"__import__('os').system('touch {MARK}')"
INJECT = f"x={RUN},y"
# Each leaves a valid BashOperator call in the base spec below: the DAG would run it on every parse.
TEMPLATE_KEY_VALID = f"append_env={RUN} or True,cwd"
MAPPING_TARGET_VALID = f"output_encoding={RUN} or 'utf-8',skip_on_exit_code"
HOSTILE = [
    INJECT,
    TEMPLATE_KEY_VALID,
    MAPPING_TARGET_VALID,
    RUN,
    f'"); {RUN}; ("',
    f"'); {RUN}; ('",
    f'"""\n{RUN}\n"""',
    f"'''\n{RUN}\n'''",
    f"a\n{RUN}\n",
    f"x)\n{RUN}\n#",
    f"\\\n{RUN}",
    "\\",
    '"',
    "'",
    '"""',
    "{{ " + RUN + " }}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "${" + RUN + "}",
    "\x00",
    "\ud800",
    "\u2028",
    "ｔａｓｋ_id",  # NFKC: Python reads it as task_id
    "task_id",
    "class",
    "__name__",
    "__builtins__",
    "import_string",
    "SmtpNotifier",
    "DAG",
    "a.b",
    "",
    " ",
    "-",
    "1x",
    "os.system",
    "airflow.providers.standard.operators.bash.BashOperator\n",
    f"airflow.providers.standard.operators.bash.BashOperator;{RUN}",
    "😀",
    "x.md",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=3).map("".join),
)

BASH = "airflow.providers.standard.operators.bash.BashOperator"
SMTP_TO = ["ops@example.com"]
BASE: dict[str, Any] = {
    "id": "hostile_walk",
    "name": "Hostile walk",
    "description": "Every kind of field the compiler writes.",
    "tags": ["security", "property"],
    "triggers": {
        "schedule": {"kind": "cron", "value": "0 6 * * *"},
        "assets": {"uris": ["s3://bucket/in-a", "s3://bucket/in-b"], "mode": "or"},
    },
    "settings": {"owner": "data-team", "start_date": "2024-02-03", "max_active_runs": 2},
    "defaults": {"retry": {"retries": 2, "delay_seconds": 90}, "pool": "default_pool", "queue": "default"},
    "params": {"region": "eu", "limits": {"max": 3}},
    "notifications": [
        {
            "on": ["failure"],
            "notifier": "smtp",
            "to": SMTP_TO,
            "subject": "Failed",
            "message": "Run {{ run_id }} failed",
            "parameters": {"from_email": "canvas@example.com"},
        },
        {"on": ["deadline_miss"], "notifier": "smtp", "to": SMTP_TO, "deadline_seconds": 3600},
    ],
    "nodes": [
        {
            "id": "ask",
            "type": "input",
            "name": "Ask",
            "description": "The question.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "question": {"type": "string", "title": "Question", "default": "why?"},
                    "count": {"type": "integer", "minimum": 1, "default": 2},
                },
                "required": ["count"],
            },
        },
        {
            "id": "prep",
            "type": "process",
            "name": "Prepare",
            "group": "inner",
            "process": {"language": "jmespath", "expression": "{said: question, items: [question]}"},
            "parameters": {"style": "short", "nested": {"k": ["v", 1]}},
            "templates": {"greeting": "Hello {{ params.region }}"},
            "output_schema": {
                "type": "object",
                "properties": {"said": {"type": "string"}, "items": {"type": "array"}},
            },
            "execution": {"timeout_seconds": 600, "on_error": "fallback", "fallback_node": "backup"},
            "notifications": [{"on": ["retry"], "notifier": "smtp", "to": SMTP_TO, "subject": "Retrying"}],
        },
        {
            "id": "backup",
            "type": "process",
            "group": "inner",
            "process": {"expression": "{said: 'fallback', items: []}"},
        },
        {
            "id": "each",
            "type": "process",
            "name": "Each item",
            "group": "outer",
            "process": {"language": "jmespath", "expression": "@"},
            "input_schema": {"type": "object", "properties": {"items": {"type": "array"}}},
            "execution": {"map_over": "items"},
        },
        {
            "id": "count_words",
            "type": "tool",
            "tool": "word_count@1.0.0",
            "group": "outer",
            "parameters": {"lower": True},
            "templates": {"text": "{{ params.region }}"},
        },
        {
            "id": "answer",
            "type": "agent",
            "name": "Answer",
            "agent": {
                "prompt": "Answer {{ inputs.said }}",
                "system_prompt": "Be brief.",
                "tools": ["word_count@1.0.0"],
                "model": "gpt-x",
                "connection_id": "openai_default",
            },
            "output_schema": {"type": "object", "properties": {"answer": {"type": "string"}}},
        },
        {
            "id": "shell",
            "type": "tool",
            "name": "Shell",
            "operator": BASH,
            "parameters": {"bash_command": "echo {{ params.region }}", "env": {"GREETING": "hi"}},
            "templates": {"cwd": "/tmp"},
        },
        {
            "id": "py",
            "type": "tool",
            "operator": "airflow.providers.standard.operators.python.PythonOperator",
            "parameters": {"python_callable": {"$callable": "json.dumps"}, "op_kwargs": {"obj": {"a": 1}}},
        },
        {
            "id": "done",
            "type": "output",
            "description": "Publishes the answer.",
            "parameters": {"asset_uri": "s3://bucket/out"},
        },
    ],
    "edges": [
        {"source": "ask", "target": "prep", "label": "question"},
        {"source": "prep", "target": "each", "mapping": [{"source": "items", "target": "items"}]},
        {
            "source": "prep",
            "target": "count_words",
            "mapping": [{"source": "said", "target": "text", "transform": "@"}],
        },
        {
            "source": "prep",
            "target": "answer",
            "condition": "said != 'skip'",
            "mapping": [{"source": "said", "target": "said"}],
        },
        {"source": "prep", "target": "shell", "mapping": [{"source": "said", "target": "output_encoding"}]},
        {"source": "shell", "target": "py", "kind": "dependency"},
        {"source": "answer", "target": "done"},
        {"source": "each", "target": "done", "kind": "trigger"},
    ],
    "groups": [
        {
            "id": "outer",
            "label": "Outer",
            "description": "Outer group",
            "notifications": [{"on": ["failure"], "notifier": "smtp", "to": SMTP_TO}],
        },
        {"id": "inner", "label": "Inner", "parent": "outer", "mode": "sequential"},
    ],
    "tools": [
        {
            "name": "word_count",
            "version": "1.0.0",
            "description": "Counts words.",
            "code": "def run(text, lower=False):\n    return {'count': len(text.split())}\n",
            "input_schema": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "lower": {"type": "boolean"}},
            },
            "output_schema": {"type": "object", "properties": {"count": {"type": "integer"}}},
            "tests": [{"name": "two", "input": {"text": "a b"}, "expected": {"count": 2}}],
        }
    ],
}

Path_ = tuple[Any, ...]  # keys and list indexes from the root of the spec


def slots(data: Any, at: Path_ = ()) -> list[tuple[str, Path_]]:
    """("value", path) for every string, ("key", path) for every dict key, in document order."""
    out: list[tuple[str, Path_]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.append(("key", (*at, key)))
            out.extend(slots(value, (*at, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.extend(slots(value, (*at, i)))
    elif isinstance(data, str):
        out.append(("value", at))
    return out


SLOTS = slots(BASE)


def replaced(data: Any, kind: str, path: Path_, text: str) -> None:
    """Put ``text`` in place of the string at ``path`` (or of the dict key at ``path``), keeping
    the key order; a path an earlier replacement renamed away is left alone."""
    parent = data
    for step in path[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    if kind == "value":
        if isinstance(parent, (dict, list)) and (last in parent if isinstance(parent, dict) else True):
            parent[last] = text
        return
    if isinstance(parent, dict) and last in parent and text not in parent:
        items = [(text if k == last else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)


def mutate(replacements: list[tuple[int, str]], marker: str) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for index, text in replacements:
        kind, path = SLOTS[index]
        replaced(data, kind, path, text.replace(MARK, marker))
    return data


def _slot(kind: str, *path: Any) -> int:
    return SLOTS.index((kind, path))


def _model_field_names() -> set[str]:
    from pydantic import BaseModel

    from airflow_canvas.spec import models

    classes = [c for c in vars(models).values() if isinstance(c, type) and issubclass(c, BaseModel)]
    return {name for c in classes for name in c.model_fields}


# Renaming a key of the spec's own structure ("nodes", "type") is refused at once; keys of user
# data (parameters, templates, schemas, params, env ...) and values are where the danger lies,
# so half the draws come from those.
USER_SLOTS = [
    i for i, (kind, path) in enumerate(SLOTS) if kind == "value" or path[-1] not in _model_field_names()
]
slot = st.one_of(st.sampled_from(USER_SLOTS), st.integers(0, len(SLOTS) - 1))
cases = st.lists(st.tuples(slot, hostile), min_size=1, max_size=2, unique_by=lambda r: r[0])


def test_base_spec_is_realistic_and_covers_every_kind_of_field(tmp_path: Path) -> None:
    """The spec the property walks compiles cleanly and imports: a vacuous base would prove nothing."""
    source = compile_workflow(parse_workflow(copy.deepcopy(BASE))).source
    assert code_problems(source) == []
    for needle in (
        "BashOperator(",
        "import_string(",
        "SmtpNotifier(",
        "DeadlineAlert(",
        ".expand(",
        "Param(",
    ):
        assert needle in source, needle
    path = tmp_path / "base.py"
    path.write_text(source, encoding="utf-8")
    assert import_all([path]) == {str(path): "ok"}
    kinds = {kind for kind, _ in SLOTS}
    assert kinds == {"key", "value"} and len(SLOTS) > 150


def test_hostile_text_in_any_field_or_key_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    out = tmp_path / "generated"
    out.mkdir()
    sources: dict[str, str] = {}
    stats = {"examples": 0, "compiled": 0}

    @settings(
        max_examples=400,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(cases)
    # The two keys of finding 2, and the variant that stays a valid DAG, always tried:
    @example([(_slot("key", "nodes", 6, "templates", "cwd"), INJECT)])
    @example([(_slot("key", "nodes", 6, "templates", "cwd"), TEMPLATE_KEY_VALID)])
    @example([(_slot("value", "edges", 4, "mapping", 0, "target"), INJECT)])
    @example([(_slot("value", "edges", 4, "mapping", 0, "target"), MAPPING_TARGET_VALID)])
    @example([(_slot("key", "nodes", 6, "parameters", "env"), INJECT)])
    @example([(_slot("value", "nodes", 7, "parameters", "python_callable", "$callable"), RUN)])
    @example([(_slot("value", "nodes", 6, "operator"), f"{BASH};{RUN}")])
    @example([(_slot("key", "notifications", 0, "parameters", "from_email"), INJECT)])
    @example([(_slot("key", "notifications", 0, "parameters", "from_email"), "class")])
    @example([(_slot("key", "notifications", 0, "parameters", "from_email"), "ｔｏ")])
    def run(replacements: list[tuple[int, str]]) -> None:
        stats["examples"] += 1
        data = mutate(replacements, str(marker))
        try:
            source = compile_workflow(parse_workflow(data)).source
        except SpecError:
            return  # refused, with problems: fine
        stats["compiled"] += 1
        problems = code_problems(source)
        assert problems == [], (replacements, problems, source)
        assert not marker.exists()
        sources.setdefault(source, f"case_{len(sources)}.py")

    run()
    paths = []
    for source, name in sources.items():
        path = out / name
        path.write_text(source, encoding="utf-8", errors="surrogatepass")
        paths.append(path)
    report = import_all(paths)
    assert not marker.exists(), "a generated DAG file ran code while being imported"
    assert len(report) == len(paths)
    # Many of the compiled files really were DAGs Airflow builds (the import is not vacuous).
    assert sum(status == "ok" for status in report.values()) >= len(paths) // 2, report
    assert stats["compiled"] >= 60, stats
