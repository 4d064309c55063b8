"""No workflow can replace the tool code another deployed DAG runs.

Before: tool files were ``_canvas_tools/<name>/<version>.json`` per deploy folder and overwritten
when their content differed, so a User's inline ``json_transform@1.0.0`` (deployed by an Op)
replaced the built-in for every DAG in that environment. Now:

- an inline tool may not take a built-in or published tool's name, at any version (E_TOOL_SHADOWS);
- tool files are content-addressed and each generated DAG pins the SHA-256 it loads, so two
  workflows whose inline tools share name@version each run their own code, and a file changed
  after deploy is refused at load;
- a published version's body never changes: not by saving it again, not through an alias version
  such as ``01.0.0``, and not by saving the draft while its tests run before it is published.

DAGs are loaded the way a worker loads them: the deployed file parsed by Airflow's DagBag, the
task's ``load_tool()``/``execute()``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.compiler.deploy import deploy_workflow
from airflow_canvas.spec.load import parse_workflow
from tests.integration.api.conftest import API

pytestmark = pytest.mark.slow


def inline_tool(name: str, version: str, marker: str) -> dict[str, Any]:
    return {
        "name": name,
        "version": version,
        "code": f"def run(text):\n    return {{'ran': {marker!r}, 'text': text}}\n",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        "output_schema": {"type": "object", "required": ["ran"]},
    }


def published_tool(name: str, version: str, marker: str) -> dict[str, Any]:
    test = {"name": "t", "input": {"text": "x"}, "expected": {"ran": marker, "text": "x"}}
    return {**inline_tool(name, version, marker), "tests": [test]}


def tool_workflow(workflow_id: str, ref: str, tools: list[dict[str, Any]]) -> dict[str, Any]:
    """One tool node calling ``ref`` with a fixed parameter (no upstream, so it runs on its own)."""
    return {
        "id": workflow_id,
        "name": workflow_id,
        "nodes": [{"id": "call", "type": "tool", "tool": ref, "parameters": {"text": "hi"}}],
        "edges": [],
        "tools": tools,
    }


def deployed_task(dag_file: Path, task_id: str = "call") -> Any:
    """The task as a worker gets it: the deployed file parsed by Airflow's DagBag."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dag_file), safe_mode=False)
    assert not bag.import_errors, bag.import_errors
    [dag] = bag.dags.values()
    return dag.get_task(task_id)


def run_task(task: Any) -> Any:
    return task.execute({"params": {}})


@pytest.fixture
def deploy_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "dags"
    folder.mkdir()
    return folder


@pytest.fixture
def without_validation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Compile with validation switched off: what a deploy would do if a check were missed."""
    import airflow_canvas.compiler as compiler

    monkeypatch.setattr(compiler, "validation_problems", lambda wf, tools=None: [])
    yield


# -- inline tools may not take a shared tool's name ---------------------------------------------
def _problems(response: Any) -> list[dict[str, Any]]:
    return response.json()["problems"]


@pytest.mark.parametrize("version", ["1.0.0", "7.0.0"])
def test_a_user_cannot_save_an_inline_tool_named_like_a_builtin(client, auth, version: str) -> None:
    evil = inline_tool("json_transform", version, "evil")
    spec = tool_workflow(f"shadow_builtin_{version[0]}", f"json_transform@{version}", [evil])
    r = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth("User"))
    assert r.status_code == 422, r.text
    [problem] = [p for p in _problems(r) if p["code"] == "E_TOOL_SHADOWS"]
    assert problem["pointer"] == "/tools/0/name" and problem["node_id"] == "call"
    assert "built-in tool 'json_transform'" in problem["message"] and "'call'" in problem["message"]
    assert "Rename the inline tool" in problem["hint"] and "json_transform@1.0.0" in problem["hint"]
    assert client.get(f"{API}/workflows/{spec['id']}", headers=auth("User")).status_code == 404


def test_an_inline_tool_may_not_take_a_published_tools_name(client, auth) -> None:
    op = auth("Op")
    published = published_tool("sec_shared_tool", "1.0.0", "published")
    assert client.post(f"{API}/tools", json={"tool": published}, headers=op).status_code == 201
    r = client.post(f"{API}/tools/sec_shared_tool/versions/1.0.0/publish", headers=op)
    assert r.status_code == 200, r.text
    for version in ("1.0.0", "2.0.0"):
        mine = inline_tool("sec_shared_tool", version, "mine")
        spec = tool_workflow(f"shadow_published_{version[0]}", f"sec_shared_tool@{version}", [mine])
        for role in ("User", "Op"):  # not even a role that may write code
            r = client.post(f"{API}/workflows", json={"spec": spec}, headers=auth(role))
            assert r.status_code == 422, r.text
            [problem] = [p for p in _problems(r) if p["code"] == "E_TOOL_SHADOWS"]
            assert "published tool 'sec_shared_tool'" in problem["message"]


# -- deployed tool files are content-addressed ----------------------------------------------------
def test_two_workflows_with_the_same_tool_ref_each_run_their_own_code(deploy_dir: Path) -> None:
    first = deploy_workflow(
        parse_workflow(tool_workflow("sec_tools_a", "shout@1.0.0", [inline_tool("shout", "1.0.0", "A")])),
        deploy_dir,
    )
    files_after_first = {p: p.read_bytes() for p in (deploy_dir / "_canvas_tools").rglob("*.json")}
    second = deploy_workflow(
        parse_workflow(tool_workflow("sec_tools_b", "shout@1.0.0", [inline_tool("shout", "1.0.0", "B")])),
        deploy_dir,
        import_check=False,
    )
    files = sorted((deploy_dir / "_canvas_tools" / "shout").glob("*.json"))
    assert len(files) == 2
    # The second deploy wrote a file of its own and left the first one's byte for byte.
    assert all(p.read_bytes() == data for p, data in files_after_first.items())
    for path in files:  # each file is named by the digest of its bytes
        assert hashlib.sha256(path.read_bytes()).hexdigest() in path.name
    assert run_task(deployed_task(first.path))["ran"] == "A"
    assert run_task(deployed_task(second.path))["ran"] == "B"
    # Redeploying the first leaves both files as they are and still runs A.
    deploy_workflow(
        parse_workflow(tool_workflow("sec_tools_a", "shout@1.0.0", [inline_tool("shout", "1.0.0", "A")])),
        deploy_dir,
        import_check=False,
    )
    assert sorted((deploy_dir / "_canvas_tools" / "shout").glob("*.json")) == files
    assert run_task(deployed_task(second.path))["ran"] == "B"


def test_an_inline_tool_named_like_a_builtin_cannot_replace_it_even_unvalidated(
    deploy_dir: Path,
    without_validation: None,
) -> None:
    """The original attack, with validation bypassed: the other DAG still runs the built-in."""
    honest = deploy_workflow(
        parse_workflow(
            {
                "id": "sec_uses_builtin",
                "nodes": [
                    {
                        "id": "call",
                        "type": "tool",
                        "tool": "json_transform@1.0.0",
                        "parameters": {"data": {"a": 1}, "expression": "a"},
                    }
                ],
            }
        ),
        deploy_dir,
        import_check=False,
    )
    evil = tool_workflow(
        "sec_shadows_builtin", "json_transform@1.0.0", [inline_tool("json_transform", "1.0.0", "evil")]
    )
    evil["nodes"][0]["parameters"] = {"text": "x"}
    shadowing = deploy_workflow(parse_workflow(evil), deploy_dir, import_check=False)
    task = deployed_task(honest.path)
    assert task.load_tool().entry_point.startswith("airflow_canvas.tools.builtin.")
    assert run_task(task) == {"result": 1}
    assert run_task(deployed_task(shadowing.path))["ran"] == "evil"  # only in its own DAG


def test_a_tool_file_changed_after_deploy_is_refused(deploy_dir: Path) -> None:
    result = deploy_workflow(
        parse_workflow(tool_workflow("sec_tampered", "shout@1.0.0", [inline_tool("shout", "1.0.0", "A")])),
        deploy_dir,
        import_check=False,
    )
    [path] = (deploy_dir / "_canvas_tools" / "shout").glob("*.json")
    task = deployed_task(result.path)
    assert run_task(task)["ran"] == "A"
    data = json.loads(path.read_text())
    data["code"] = "def run(text):\n    return {'ran': 'tampered', 'text': text}\n"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    with pytest.raises(Exception, match="changed since it was deployed") as refused:
        run_task(deployed_task(result.path))
    assert type(refused.value).__name__ == "ToolIntegrityError"
    # A deploy of the same workflow repairs the file (its name says what it must hold).
    deploy_workflow(
        parse_workflow(tool_workflow("sec_tampered", "shout@1.0.0", [inline_tool("shout", "1.0.0", "A")])),
        deploy_dir,
        import_check=False,
    )
    assert run_task(deployed_task(result.path))["ran"] == "A"


def test_an_agent_loads_exactly_the_tool_content_it_was_compiled_with(deploy_dir: Path) -> None:
    spec = {
        "id": "sec_agent_tools",
        "nodes": [{"id": "call", "type": "agent", "agent": {"prompt": "go", "tools": ["shout@1.0.0"]}}],
        "tools": [inline_tool("shout", "1.0.0", "A")],
    }
    result = deploy_workflow(parse_workflow(spec), deploy_dir, import_check=False)
    other = {**spec, "id": "sec_agent_tools_b", "tools": [inline_tool("shout", "1.0.0", "B")]}
    deploy_workflow(parse_workflow(other), deploy_dir, import_check=False)
    [tool] = deployed_task(result.path).load_tools()
    assert "'A'" in tool.code
    [path] = [p for p in (deploy_dir / "_canvas_tools" / "shout").glob("*.json") if "'A'" in p.read_text()]
    path.write_text(path.read_text().replace("'A'", "'Z'"))
    with pytest.raises(Exception, match="changed since it was deployed"):
        deployed_task(result.path).load_tools()


# -- published versions are immutable ------------------------------------------------------------
def test_a_published_version_never_gets_another_body(client, auth) -> None:
    op = auth("Op")
    r = client.post(f"{API}/tools", json={"tool": published_tool("sec_frozen", "1.0.0", "orig")}, headers=op)
    assert r.status_code == 201, r.text
    assert client.post(f"{API}/tools/sec_frozen/versions/1.0.0/publish", headers=op).status_code == 200
    # Saving another body under the published version: refused, and so is publishing it again.
    r = client.post(f"{API}/tools", json={"tool": published_tool("sec_frozen", "1.0.0", "new")}, headers=op)
    assert r.status_code == 409 and "immutable" in r.json()["detail"]
    r = client.post(f"{API}/tools/sec_frozen/versions/1.0.0/publish", headers=op)
    assert r.status_code == 422 and "already published" in r.json()["detail"]
    # An alias of the same version number ("01.0.0" is 1.0.0 too) is no way around it.
    for alias in ("01.0.0", "1.00.0", "\u0661.0.0"):
        r = client.post(
            f"{API}/tools", json={"tool": published_tool("sec_frozen", alias, "alias")}, headers=op
        )
        assert r.status_code == 422, (alias, r.text)
    from airflow_canvas.store.tools import invalidate_cache
    from airflow_canvas.tools.registry import resolve_tool

    invalidate_cache()
    assert "'orig'" in resolve_tool("sec_frozen@1.0.0").code
    r = client.get(f"{API}/tools/sec_frozen/versions/1.0.0", headers=op)
    assert "'orig'" in r.json()["spec"]["code"]


def test_a_draft_saved_while_its_tests_run_is_not_published(client, auth) -> None:
    """Publishing runs the draft's tests, then marks it published: a save in between must not make
    an untested body the published one."""
    from airflow import settings

    from airflow_canvas.spec.models import Tool
    from airflow_canvas.store import tools as store
    from airflow_canvas.tools.runner import RunResult

    tested = Tool.model_validate(published_tool("sec_race", "1.0.0", "tested"))
    sneaked = Tool.model_validate(published_tool("sec_race", "1.0.0", "untested"))

    def tests_during_which_someone_saves(tool: Tool) -> RunResult:
        with settings.Session() as other:
            store.save_draft(other, sneaked, user="someone")
        return RunResult(tool=tool.ref, tests=[{"name": "t", "passed": True}])

    with settings.Session() as session:
        store.save_draft(session, tested, user="publisher")
        with pytest.raises(Exception, match="changed or published while its tests ran"):
            store.publish(session, "sec_race", "1.0.0", run_tests=tests_during_which_someone_saves)
    with settings.Session() as session:
        row = store.get_row(session, "sec_race", "1.0.0")
        assert not row.published and "'untested'" in row.spec
