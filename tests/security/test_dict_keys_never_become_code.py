"""Keys of a spec's dicts never become code (issue 13, finding 2).

An operator-backed node's `templates` keys and the `target` of a mapping into it are written as
keyword-argument names of the operator call. They were not checked: a User posting
`target: "x=__import__('os').system('touch /tmp/p'),y"` to `/compile` got a DAG file that ran the
command when imported, and `env=... or {},cwd` kept the file a valid DAG that ran it on every
parse. Now validation refuses such keys (E_OPERATOR_ARGUMENT, with the node, the JSON pointer and a
hint), the IR refuses them when validation is skipped, and the printer refuses to write any name it
has not checked as an identifier (UnsafeCode), whatever the IR holds.

The routes are called as a User (the lowest role that may read workflows) and, for saving, as an
Op; the compiler is also driven directly with validation bypassed."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.compiler.emitter import emit
from airflow_canvas.compiler.ir import build_ir
from airflow_canvas.compiler.pyfmt import Call, Code, Lit, call, py_str
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.problems import SpecError, pointer
from tests.integration.api.conftest import API
from tests.security.generated_code import code_problems, import_all

Headers = Callable[[str], dict[str, str]]
BASH = "airflow.providers.standard.operators.bash.BashOperator"
DIGEST = "0" * 64


def run(marker: Path) -> str:
    return f"__import__('os').system('touch {marker}')"


def operator_spec(workflow_id: str) -> dict[str, Any]:
    """input -> BashOperator, the data edge mapping one field into an operator argument."""
    return {
        "id": workflow_id,
        "nodes": [
            {
                "id": "ask",
                "type": "input",
                "input_schema": {
                    "type": "object",
                    "properties": {"region": {"type": "string", "default": "eu"}},
                },
            },
            {
                "id": "shell",
                "type": "tool",
                "operator": BASH,
                "parameters": {"bash_command": "echo hi"},
                "templates": {"cwd": "/tmp"},
            },
        ],
        "edges": [{"source": "ask", "target": "shell", "mapping": [{"source": "region", "target": "env"}]}],
    }


def with_template_key(spec: dict[str, Any], key: str) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    spec["nodes"][1]["templates"] = {key: "/tmp"}
    return spec


def with_mapping_target(spec: dict[str, Any], target: str) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    spec["edges"][0]["mapping"][0]["target"] = target
    return spec


def hostile_specs(marker: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """name -> (spec, JSON pointer of the hostile key)."""
    base = operator_spec(f"keys_{uuid.uuid4().hex[:8]}")
    template_key = f"x={run(marker)},y"
    # Both leave a valid BashOperator call: the DAG imports, so it would run on every parse.
    valid_variant = f"append_env={run(marker)} or True,cwd"
    mapping_target = f"output_encoding={run(marker)} or 'utf-8',skip_on_exit_code"
    return {
        "templates key": (
            with_template_key(base, template_key),
            pointer("nodes", 1, "templates", template_key),
        ),
        "templates key, valid DAG": (
            with_template_key(base, valid_variant),
            pointer("nodes", 1, "templates", valid_variant),
        ),
        "mapping target": (
            with_mapping_target(base, mapping_target),
            pointer("edges", 0, "mapping", 0, "target"),
        ),
    }


CASES = ["templates key", "templates key, valid DAG", "mapping target"]


def _assert_never_ran(source: str | None, marker: Path, tmp_path: Path) -> None:
    """If a DAG file came back, import it the way Airflow would: the marker must not appear."""
    if source:
        path = tmp_path / "returned_dag.py"
        path.write_text(source, encoding="utf-8")
        import_all([path])
    assert not marker.exists(), "the generated DAG file ran the key as code"


# -- through the real routes ------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_validate_names_the_key_that_would_become_code(
    client: TestClient, auth: Headers, tmp_path: Path, case: str
) -> None:
    marker = tmp_path / "PWNED"
    spec, where = hostile_specs(marker)[case]
    response = client.post(f"{API}/validate", json={"spec": spec}, headers=auth("User"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["valid"] is False
    found = [p for p in body["problems"] if p["code"] == "E_OPERATOR_ARGUMENT"]
    assert len(found) == 1, body["problems"]
    problem = found[0]
    assert problem["pointer"] == where
    assert problem["node_id"] == "shell"
    assert "Python name" in problem["hint"]
    if case == "mapping target":
        assert problem["edge_id"] == "ask->shell"
    assert not marker.exists()


@pytest.mark.parametrize("case", CASES)
def test_compile_returns_no_source_for_a_key_that_would_become_code(
    client: TestClient, auth: Headers, tmp_path: Path, case: str
) -> None:
    marker = tmp_path / "PWNED"
    spec, where = hostile_specs(marker)[case]
    response = client.post(f"{API}/compile", json={"spec": spec}, headers=auth("User"))
    assert response.status_code == 200, response.text
    body = response.json()
    _assert_never_ran(body.get("source"), marker, tmp_path)
    assert body["source"] is None
    assert [(p["code"], p["pointer"]) for p in body["problems"] if p["severity"] == "error"] == [
        ("E_OPERATOR_ARGUMENT", where)
    ]


def test_an_op_cannot_save_a_workflow_whose_key_would_become_code(
    client: TestClient, auth: Headers, tmp_path: Path
) -> None:
    """Op may write code, but not this way: the save that would have led to a deploy (and the key
    running on every DAG parse) is refused, and nothing is stored."""
    marker = tmp_path / "PWNED"
    spec, where = hostile_specs(marker)["templates key, valid DAG"]
    response = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("Op"))
    assert response.status_code == 422, response.text
    assert any(
        p["code"] == "E_OPERATOR_ARGUMENT" and p["pointer"] == where for p in response.json()["problems"]
    )
    assert client.get(f"{API}/workflows/{spec['id']}", headers=auth("Op")).status_code == 404


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("class", "E_NOTIFIER"),  # a keyword: `SmtpNotifier(class=...)` does not even parse
        ("ｔｏ", "E_NOTIFIER"),  # NFKC makes it `to=`, a second `to`: a different name than the one checked
        ("from_email=__import__('os').getcwd(),bcc", "E_NOTIFIER"),
    ],
)
def test_notifier_argument_names_are_identifiers(
    client: TestClient, auth: Headers, tmp_path: Path, key: str, code: str
) -> None:
    marker = tmp_path / "PWNED"
    spec = operator_spec(f"notify_{uuid.uuid4().hex[:8]}")
    spec["notifications"] = [{"notifier": "smtp", "to": ["ops@example.com"], "parameters": {key: "x"}}]
    response = client.post(f"{API}/compile", json={"spec": spec}, headers=auth("User"))
    assert response.status_code == 200, response.text
    body = response.json()
    _assert_never_ran(body.get("source"), marker, tmp_path)
    assert body["source"] is None
    problems = [p for p in body["problems"] if p["code"] == code]
    assert problems and problems[0]["pointer"] == pointer("notifications", 0, "parameters", key)


@pytest.mark.parametrize(
    "path",
    ["os.system('id')", "json.dumps\n", "json..dumps", "json", "class.x", "ｊｓｏｎ.dumps", ""],
)
def test_callable_paths_are_dotted_identifiers(client: TestClient, auth: Headers, path: str) -> None:
    spec = operator_spec(f"callable_{uuid.uuid4().hex[:8]}")
    spec["nodes"][1] = {
        "id": "py",
        "type": "tool",
        "operator": "airflow.providers.standard.operators.python.PythonOperator",
        "parameters": {"python_callable": {"$callable": path}},
    }
    spec["edges"] = []
    body = client.post(f"{API}/compile", json={"spec": spec}, headers=auth("User")).json()
    assert body["source"] is None
    [problem] = [p for p in body["problems"] if p["code"] == "E_CALLABLE_PATH_INVALID"]
    assert problem["pointer"] == "/nodes/1/parameters/python_callable/$callable"
    assert problem["node_id"] == "py"


def test_a_clean_operator_spec_still_compiles_and_imports(
    client: TestClient, auth: Headers, tmp_path: Path
) -> None:
    """The checks refuse only what is not a name: the same spec with plain keys is a working DAG."""
    spec = operator_spec(f"clean_{uuid.uuid4().hex[:8]}")
    body = client.post(f"{API}/compile", json={"spec": spec}, headers=auth("User")).json()
    assert body["source"] and 'cwd="/tmp"' in body["source"] and "env=ask.output" in body["source"]
    assert code_problems(body["source"]) == []
    path = tmp_path / "clean.py"
    path.write_text(body["source"], encoding="utf-8")
    assert import_all([path]) == {str(path): "ok"}


# -- the compiler with validation bypassed ----------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_the_ir_refuses_the_key_without_validation(tmp_path: Path, case: str) -> None:
    spec, where = hostile_specs(tmp_path / "PWNED")[case]
    with pytest.raises(SpecError) as caught:
        build_ir(parse_workflow(spec))  # no validate_workflow() on this path
    [problem] = caught.value.problems
    assert (problem.code, problem.pointer, problem.node_id) == ("E_OPERATOR_ARGUMENT", where, "shell")


def _clean_ir() -> Any:
    spec = operator_spec("bypass")
    spec["groups"] = [{"id": "grp"}]
    spec["nodes"][1]["group"] = "grp"
    return build_ir(parse_workflow(spec))


def _must_refuse(ir: Any) -> None:
    """emit() raises (UnsafeCode is a ValueError) instead of writing the hostile text."""
    try:
        source = emit(ir, DIGEST)
    except ValueError as exc:
        assert "cannot be written" in str(exc) or "is not" in str(exc), exc
        return
    raise AssertionError(f"the emitter wrote unchecked text as code: {code_problems(source)}\n{source}")


HOSTILE_NAME = "x=__import__('os').system('id'),y"


@pytest.mark.parametrize(
    "poison",
    [
        "operator kwarg name",
        "operator xcom kwarg name",
        "operator class",
        "operator module",
        "task variable",
        "group variable",
        "callable path",
        "workflow id in the header",
    ],
)
def test_the_emitter_refuses_unchecked_names_even_if_the_ir_holds_them(poison: str) -> None:
    ir = _clean_ir()
    shell = ir.tasks["shell"]
    if poison == "operator kwarg name":
        shell.kwargs[HOSTILE_NAME] = "/tmp"
    elif poison == "operator xcom kwarg name":
        shell.kwargs[HOSTILE_NAME] = Code("ask.output")  # the IR holds final kwargs as expressions
    elif poison == "operator class":
        shell.operator = "__import__('os').system('id') or BashOperator"
    elif poison == "operator module":
        shell.module = "os; import subprocess"
    elif poison == "task variable":
        shell.var = "__import__('os').system('id'); shell"
    elif poison == "group variable":
        ir.groups["grp"].var = "g:\n    __import__('os').system('id')\nwith g"
    elif poison == "callable path":
        shell.kwargs["bash_command"] = {"$callable": "os.system('id')"}
    elif poison == "workflow id in the header":
        ir.dag_id = 'x"""\n__import__("os").system("id")\n"""'
    _must_refuse(ir)


def test_a_clean_ir_still_emits() -> None:
    """The refusals above come from the poison, not from the fixture."""
    assert code_problems(emit(_clean_ir(), DIGEST)) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda: call("SmtpNotifier", **{"class": Lit(1)}),
        lambda: call("SmtpNotifier", **{"ｔｏ": Lit(1)}),
        lambda: call("SmtpNotifier", **{HOSTILE_NAME: Lit(1)}),
        lambda: Call("SmtpNotifier", (), (("to", Lit(1)), ("to", Lit(2)))),
        lambda: Call("__import__('os').system", (Lit("id"),)),
        lambda: Code("__import__('os')"),
        lambda: Code('t.output["a"] + __import__("os").system("id")'),
        lambda: Code('t.output["a"]["b"]'),
        lambda: Code("t.output['a'"),
    ],
    ids=[
        "keyword",
        "nfkc",
        "injection",
        "duplicate",
        "call func",
        "code call",
        "code concat",
        "code double subscript",
        "code unbalanced",
    ],
)
def test_the_printer_builds_names_only_through_its_checks(build: Callable[[], Any]) -> None:
    with pytest.raises(ValueError, match="cannot be written|not a|twice"):
        build()


def test_the_printer_accepts_what_the_compiler_writes() -> None:
    for text in (
        "None",
        "timezone.utc",
        "task.output",
        "task.output[" + py_str('a b"c') + "]",
        "task.output[" + py_str("\x00\ud800😀'\"\\") + "]",
        "DeadlineReference.DAGRUN_QUEUED_AT",
    ):
        assert Code(text).text == text
    assert call("BashOperator.partial", task_id=Lit("t")).func == "BashOperator.partial"


def test_compile_workflow_reports_an_unchecked_name_as_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    """If validation and the IR both missed a key, compile_workflow still ends in a SpecError."""
    import airflow_canvas.compiler as compiler

    monkeypatch.setattr(compiler, "validation_problems", lambda wf, tools=None: [])
    monkeypatch.setattr("airflow_canvas.compiler.ir._check_node_kind", lambda index, node: None)
    spec = with_template_key(operator_spec("bypass_all"), HOSTILE_NAME)
    with pytest.raises(SpecError) as caught:
        compile_workflow(parse_workflow(spec))
    assert [p.code for p in caught.value.problems] == ["E_UNSAFE_NAME"]
