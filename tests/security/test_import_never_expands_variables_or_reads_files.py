"""A User (the lowest role that may import) uploads dag-factory YAML and Elyra pipelines built to
make the API server give away its secrets: ``$VAR`` references (the importer used to run
``os.path.expandvars`` over the upload, which returned the JWT secret, so the User could sign an
Admin token, and the DB URL), a datasets ``file:`` naming a server path (read, and whether it existed
showed), dag-factory's ``*_file`` keys, YAML tags that build Python objects, operator paths naming
a server module, and an alias bomb. None of them reads, imports or expands anything on the server:
``$`` text stays as written, each refused key is an error naming it, and nothing secret comes back.
The CLI import keeps the same rules."""

from __future__ import annotations

import json
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API

Headers = Callable[[str], dict[str, str]]
SECRET_VAR = "CANVAS_SECURITY_TEST_SECRET"
EMPTY = "airflow.providers.standard.operators.empty.EmptyOperator"


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Secret values in the environment of the process the API app runs in: a fresh one, plus the
    server's real JWT secret and DB URL (set for the test Airflow by tests/conftest.py)."""
    import os

    monkeypatch.setenv(SECRET_VAR, f"s3cr3t-{uuid.uuid4().hex}")
    names = (SECRET_VAR, "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    found = {name: os.environ[name] for name in names if os.environ.get(name)}
    assert SECRET_VAR in found and "AIRFLOW__API_AUTH__JWT_SECRET" in found
    return found


class ServerModule:
    """A module on the server's sys.path that writes a marker file when it is imported."""

    def __init__(self, folder: Path) -> None:
        self.name = f"corp_mod_{uuid.uuid4().hex[:12]}"
        self.marker = folder / f"{self.name}.imported"
        package = folder / self.name
        package.mkdir()
        body = f"from pathlib import Path\nPath({str(self.marker)!r}).write_text('imported')\n"
        (package / "__init__.py").write_text(body, encoding="utf-8")
        (package / "sub.py").write_text("class Op:\n    pass\n", encoding="utf-8")

    @property
    def imported(self) -> bool:
        return self.marker.exists() or self.name in sys.modules


@pytest.fixture
def server_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerModule]:
    module = ServerModule(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield module
    for name in [n for n in sys.modules if n.split(".")[0] == module.name]:
        sys.modules.pop(name, None)


def _import(client: TestClient, auth: Headers, content: str, filename: str = "upload.yml") -> Any:
    body = {"filename": filename, "content": textwrap.dedent(content)}
    return client.post(f"{API}/import", json=body, headers=auth("User"))


def _items(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in result["report"]["items"]:
        out.setdefault(item["path"], []).append(item)
    return out


def _assert_no_secret(text: str, secrets: dict[str, str]) -> None:
    for name, value in secrets.items():
        assert value not in text, f"the value of {name} came back"


def test_user_import_keeps_variables_as_written(
    client: TestClient, auth: Headers, secrets: dict[str, str]
) -> None:
    r = _import(
        client,
        auth,
        f"""
        leak:
          description: "${{AIRFLOW__API_AUTH__JWT_SECRET}} $AIRFLOW__DATABASE__SQL_ALCHEMY_CONN ${SECRET_VAR}"
          default_args: {{owner: "${SECRET_VAR}"}}
          tags: ["$AIRFLOW__API_AUTH__JWT_SECRET"]
          params: {{token: "${{{SECRET_VAR}}}"}}
          tasks:
            - task_id: shell
              operator: airflow.operators.bash.BashOperator
              bash_command: "echo $HOME && echo ${{{SECRET_VAR}}}"
        """,
    )
    assert r.status_code == 200, r.text
    _assert_no_secret(r.text, secrets)
    [result] = r.json()["results"]
    wf = result["workflow"]
    assert wf["description"] == (
        f"${{AIRFLOW__API_AUTH__JWT_SECRET}} $AIRFLOW__DATABASE__SQL_ALCHEMY_CONN ${SECRET_VAR}"
    )
    assert wf["nodes"][0]["parameters"]["bash_command"] == f"echo $HOME && echo ${{{SECRET_VAR}}}"
    assert wf["params"] == {"token": f"${{{SECRET_VAR}}}"}
    assert wf["tags"] == ["$AIRFLOW__API_AUTH__JWT_SECRET"]
    items = _items(result)
    # each key holding a reference says it was kept as written
    for path in ("leak/description", "leak/tasks/shell/bash_command", "leak/params/token", "leak/tags/0"):
        assert any("kept as written" in i["message"] for i in items[path]), path


def test_user_import_never_reads_a_datasets_file(
    client: TestClient, auth: Headers, secrets: dict[str, str], tmp_path: Path
) -> None:
    secret_uri = f"s3://{secrets[SECRET_VAR]}/data"
    on_disk = tmp_path / "datasets.yml"
    on_disk.write_text(f"datasets:\n  - name: ds\n    uri: {secret_uri}\n", encoding="utf-8")
    text = """
        consumer:
          schedule: {{file: {path}, datasets: [ds]}}
          tasks:
            - task_id: t
              operator: airflow.operators.bash.BashOperator
              bash_command: echo 1
              outlets: {{file: {path}, datasets: [ds]}}
    """
    answers = []
    for path in (on_disk, tmp_path / "missing.yml", "/etc/passwd"):
        r = _import(client, auth, text.format(path=path))
        assert r.status_code == 200, r.text
        assert secret_uri not in r.text and "root:" not in r.text
        _assert_no_secret(r.text, secrets)
        [result] = r.json()["results"]
        assert "assets" not in result["workflow"].get("triggers", {})
        assert "outlets" not in result["workflow"]["nodes"][0].get("parameters", {})
        items = _items(result)
        for key in ("consumer/schedule/file", "consumer/tasks/t/outlets/file"):
            [refused] = items[key]
            assert refused["severity"] == "error" and "never reads files" in refused["message"]
        answers.append(result["report"])
    # the same answer whether the path exists, does not, or is a system file: nothing leaks
    assert answers[0] == answers[1] == answers[2]


def test_user_import_refuses_dag_factory_keys_that_read_files(
    client: TestClient, auth: Headers, tmp_path: Path
) -> None:
    marker = tmp_path / "callable_ran"
    script = tmp_path / "callables.py"
    script.write_text(f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\ndef f(): pass\n")
    doc = tmp_path / "doc.md"
    doc.write_text("SECRET-DOC-CONTENT", encoding="utf-8")
    r = _import(
        client,
        auth,
        f"""
        d:
          doc_md_file_path: {doc}
          on_failure_callback_name: f
          on_failure_callback_file: {script}
          tasks:
            - task_id: py
              operator: airflow.operators.python.PythonOperator
              python_callable_name: f
              python_callable_file: {script}
        """,
    )
    assert r.status_code == 200, r.text
    assert "SECRET-DOC-CONTENT" not in r.text and not marker.exists()
    [result] = r.json()["results"]
    items = _items(result)
    for key in (
        "d/doc_md_file_path",
        "d/on_failure_callback_file",
        "d/on_failure_callback_name",
        "d/tasks/py/python_callable_file",
        "d/tasks/py/python_callable_name",
    ):
        assert [i["severity"] for i in items[key]] == ["error"], key
        assert "never reads files or loads code" in items[key][0]["message"]


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/apply:pathlib.Path.write_text [!!python/object/apply:pathlib.Path ['{marker}'], x]",
        "!!python/name:os.system",
        "!join ['a', 'b']",
    ],
)
def test_user_import_refuses_yaml_tags(
    client: TestClient, auth: Headers, tmp_path: Path, tagged: str
) -> None:
    marker = tmp_path / "tag_ran"
    value = tagged.format(marker=marker)
    r = _import(
        client, auth, f"d:\n  description: {value}\n  tasks:\n    - task_id: t\n      operator: {EMPTY}\n"
    )
    assert r.status_code == 422, r.text
    assert "is refused" in r.json()["detail"] and "tag" in r.json()["detail"]
    assert not marker.exists()


def test_user_import_never_imports_a_module_named_as_operator(
    client: TestClient, auth: Headers, server_module: ServerModule
) -> None:
    r = _import(
        client,
        auth,
        f"""
        d:
          tasks:
            - task_id: a
              operator: {server_module.name}.Op
            - task_id: b
              operator: {server_module.name}.sub.Op
        """,
    )
    assert r.status_code == 200, r.text
    assert not server_module.imported, "the import loaded a module the upload named"
    [result] = r.json()["results"]
    assert {n["operator"] for n in result["workflow"]["nodes"]} == {EMPTY}  # placeholders
    items = _items(result)
    for task in ("a", "b"):
        [item] = items[f"d/tasks/{task}/operator"]
        assert item["severity"] == "error" and "not under 'airflow.'" in item["message"]


def test_user_import_of_an_elyra_pipeline_reads_no_file(
    client: TestClient, auth: Headers, secrets: dict[str, str], tmp_path: Path
) -> None:
    notebook = tmp_path / "secret.py"
    notebook.write_text("SECRET-SCRIPT-CONTENT = 1\n", encoding="utf-8")
    node = {
        "id": "n1",
        "type": "execution_node",
        "op": "execute-python-node",
        "app_data": {
            "label": "script",
            "component_parameters": {
                "filename": str(notebook),
                "env_vars": [{"env_var": "TOKEN", "value": f"${SECRET_VAR}"}],
            },
        },
    }
    pipeline = {
        "doc_type": "pipeline",
        "version": "3.0",
        "primary_pipeline": "p",
        "pipelines": [{"id": "p", "app_data": {"properties": {"name": "elyra_leak"}}, "nodes": [node]}],
    }
    r = _import(client, auth, json.dumps(pipeline), filename="x.pipeline")
    assert r.status_code == 200, r.text
    assert "SECRET-SCRIPT-CONTENT" not in r.text
    _assert_no_secret(r.text, secrets)
    [result] = r.json()["results"]
    parameters = result["workflow"]["nodes"][0]["parameters"]
    assert parameters["env"] == {"TOKEN": f"${SECRET_VAR}"}  # data, kept as written
    assert "cwd" not in parameters  # an upload has no folder on the server


def test_user_import_of_an_alias_bomb_is_refused_quickly(client: TestClient, auth: Headers) -> None:
    lines = ["default:", '  x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    # 9**7 (4.8 million) values from 1 kB of text: over the limit, yet small enough that the code
    # before the fix (which walked them all) answered in seconds instead of exhausting memory
    lines += [f"  x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 7)]
    lines += ["d:", "  params: {x: *a6}", "  tasks:", "    - {task_id: t, operator: " + EMPTY + "}"]
    started = time.monotonic()
    r = _import(client, auth, "\n".join(lines) + "\n")
    assert r.status_code == 422, f"{r.status_code}: {len(r.text):,} characters of response"
    assert "aliases" in r.json()["detail"]
    assert time.monotonic() - started < 10
    cycle = f"d:\n  params: &p [*p]\n  tasks:\n    - {{task_id: t, operator: {EMPTY}}}\n"
    r = _import(client, auth, cycle)
    assert r.status_code == 422 and "cycle" in r.json()["detail"], r.text


def test_cli_import_keeps_variables_and_reads_no_datasets_file(
    tmp_path: Path, secrets: dict[str, str]
) -> None:
    """The CLI import runs the same importer: what the file says is data there too."""
    from airflow_canvas.cli import main

    datasets = tmp_path / "datasets.yml"
    datasets.write_text(f"datasets:\n  - name: ds\n    uri: s3://{secrets[SECRET_VAR]}/x\n", encoding="utf-8")
    source = tmp_path / "cli_leak.yml"
    source.write_text(
        textwrap.dedent(f"""
        cli_leak:
          description: "${{{SECRET_VAR}}} $AIRFLOW__API_AUTH__JWT_SECRET"
          schedule: {{file: {datasets}, datasets: [ds]}}
          tasks:
            - task_id: t
              operator: {EMPTY}
        """),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    main(["import", str(source), "-o", str(out), "--json"])
    spec = (out / "cli_leak.json").read_text(encoding="utf-8")
    _assert_no_secret(spec, secrets)
    assert json.loads(spec)["description"] == f"${{{SECRET_VAR}}} $AIRFLOW__API_AUTH__JWT_SECRET"
    assert "assets" not in json.loads(spec).get("triggers", {})
