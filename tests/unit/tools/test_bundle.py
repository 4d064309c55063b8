"""Content-addressed tool files (tools/bundle.py) and how workers load them (tools/execute.py):
exact content by digest, the old layout only without a digest, built-ins verified against the
registry, names of inline tools that would stand in for shared ones refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from airflow_canvas.spec.compat import tool_exclude
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Tool, ToolTest
from airflow_canvas.tools import registry
from airflow_canvas.tools.bundle import (
    ToolIntegrityError,
    load_bundled_tool,
    tool_digest,
    tool_path,
    tool_text,
    write_tool_files,
)
from airflow_canvas.tools.execute import load_pinned_tool
from airflow_canvas.tools.registry import resolve_tool
from airflow_canvas.tools.semver import Version
from airflow_canvas.validation import validate_workflow


def shout(marker: str = "A", version: str = "1.0.0") -> Tool:
    return Tool(name="shout", version=version, code=f"def run(text):\n    return {{'ran': {marker!r}}}\n")


def test_files_are_named_by_the_digest_of_their_bytes(tmp_path: Path) -> None:
    a, b = shout("A"), shout("B")
    [path_a] = write_tool_files(tmp_path, [a])
    [path_b] = write_tool_files(tmp_path, [b])
    assert path_a != path_b and path_a.name == f"1.0.0-{tool_digest(a)}.json"
    assert path_a.read_text() == tool_text(a) and path_b.read_text() == tool_text(b)
    dag = tmp_path / "a_dag.py"
    assert load_bundled_tool(dag, "shout", "1.0.0", tool_digest(a)) == a
    assert load_bundled_tool(dag, "shout", "1.0.0", tool_digest(b)) == b
    assert not tool_path(tmp_path, "shout", "1.0.0").exists()  # the old layout is never written


def test_a_damaged_file_is_refused_then_repaired_by_the_next_deploy(tmp_path: Path) -> None:
    tool = shout()
    [path] = write_tool_files(tmp_path, [tool])
    path.write_text(path.read_text().replace("'A'", "'X'"))
    with pytest.raises(ToolIntegrityError, match="changed since it was deployed"):
        load_bundled_tool(tmp_path / "d.py", "shout", "1.0.0", tool_digest(tool))
    write_tool_files(tmp_path, [tool])
    assert load_bundled_tool(tmp_path / "d.py", "shout", "1.0.0", tool_digest(tool)) == tool


def test_a_file_holding_another_tool_is_refused(tmp_path: Path) -> None:
    other = Tool(name="other", version="1.0.0", code="def run():\n    return 1\n")
    path = tool_path(tmp_path, "shout", "1.0.0", tool_digest(other))
    path.parent.mkdir(parents=True)
    path.write_text(tool_text(other))  # right digest for its bytes, wrong tool for the reference
    with pytest.raises(ToolIntegrityError, match="holds tool other@1.0.0"):
        load_bundled_tool(tmp_path / "d.py", "shout", "1.0.0", tool_digest(other))


@pytest.mark.parametrize("digest", ["../../etc/passwd", "A" * 64, "a" * 63, "a" * 64 + "\n"])
def test_a_digest_is_exactly_64_lowercase_hex_digits(tmp_path: Path, digest: str) -> None:
    with pytest.raises(ToolIntegrityError, match="not a SHA-256"):
        load_pinned_tool("shout@1.0.0", tmp_path / "d.py", digest)


def test_dags_without_a_digest_still_load_the_old_layout(tmp_path: Path) -> None:
    """DAGs deployed before content addressing name no digest and read <version>.json; nothing
    writes that path any more, and a DAG with a digest never reads it."""
    old = shout("old")
    legacy = tool_path(tmp_path, "shout", "1.0.0")
    legacy.parent.mkdir(parents=True)
    legacy.write_text(tool_text(old))
    assert load_pinned_tool("shout@1.0.0", tmp_path / "d.py") == old
    write_tool_files(tmp_path, [shout("new")])
    assert legacy.read_text() == tool_text(old)
    assert load_pinned_tool("shout@1.0.0", tmp_path / "d.py", tool_digest(shout("new"))) == shout("new")


def test_a_builtin_missing_from_the_bundle_comes_from_the_registry_only_if_its_content_matches(
    tmp_path: Path,
) -> None:
    builtin = resolve_tool("json_transform@1.0.0")
    assert load_pinned_tool("json_transform@1.0.0", tmp_path / "d.py", tool_digest(builtin)) == builtin
    assert load_pinned_tool("json_transform@1.0.0", None, tool_digest(builtin)) == builtin
    with pytest.raises(ToolIntegrityError, match="not bundled beside the DAG file"):
        load_pinned_tool("json_transform@1.0.0", tmp_path / "d.py", "0" * 64)
    with pytest.raises(ToolIntegrityError, match="redeploy the workflow"):
        load_pinned_tool("shout@1.0.0", tmp_path / "d.py", tool_digest(shout()))  # inline, not bundled


def _with_inline(name: str, version: str) -> list:
    wf = parse_workflow(
        {
            "id": "inline_names",
            "nodes": [{"id": "call", "type": "tool", "tool": f"{name}@{version}"}],
            "tools": [{"name": name, "version": version, "code": "def run():\n    return {}\n"}],
        }
    )
    return [p for p in validate_workflow(wf) if p.code == "E_TOOL_SHADOWS"]


@pytest.mark.parametrize("version", ["1.0.0", "3.2.1"])
def test_an_inline_tool_may_not_take_a_builtin_name_at_any_version(version: str) -> None:
    [problem] = _with_inline("http_request", version)
    assert problem.pointer == "/tools/0/name" and problem.node_id == "call" and problem.severity == "error"
    assert "built-in tool 'http_request'" in problem.message and "'call'" in problem.message
    assert "use the built-in tool http_request@1.0.0" in (problem.hint or "")
    assert _with_inline("my_http_request", version) == []


def test_an_inline_tool_may_not_take_a_published_name(monkeypatch: pytest.MonkeyPatch) -> None:
    published = Tool(name="team_scorer", version="2.0.0", code="def run():\n    return {}\n")
    monkeypatch.setattr(registry, "_SOURCES", [lambda: [published]])
    [problem] = _with_inline("team_scorer", "9.0.0")
    assert "published tool 'team_scorer'" in problem.message and "team_scorer@2.0.0" in (problem.hint or "")


@pytest.mark.parametrize("alias", ["01.0.0", "1.00.0", "\u0661.0.0", "1.0.0\n", "1.0"])
def test_a_version_has_one_spelling(alias: str) -> None:
    """Otherwise "01.0.0" is another row and file name for Version(1, 0, 0) and can stand in for it."""
    with pytest.raises(ValidationError):
        Tool(name="shout", version=alias)
    assert Tool(name="shout", version="10.0.0").version == "10.0.0"
    with pytest.raises(ValueError):
        Version.parse("\u0661.0.0")


def test_tool_text_is_canonical_json() -> None:
    assert json.loads(tool_text(shout())) == shout().model_dump(mode="json", exclude=tool_exclude(shout()))
    assert tool_text(shout()) == tool_text(Tool.model_validate_json(tool_text(shout())))
    # The bundled file loads back as the same tool: what it leaves out are defaults.
    loaded = Tool.model_validate_json(tool_text(shout()))
    assert loaded.model_dump(exclude={"changelog"}) == shout().model_dump(exclude={"changelog"})


def test_fields_added_later_keep_digests_and_hashes_until_used() -> None:
    """A tool that does not use the newer fields is bundled (and hashed) as before they existed;
    one that uses them gets a new digest; a changelog never changes what runs."""
    tool = shout()
    plain = tool_text(tool)
    assert '"changelog"' not in plain and '"connection_type"' not in plain
    assert tool_digest(tool.model_copy(update={"changelog": "first release"})) == tool_digest(tool)
    sql = tool.model_copy(update={"connection_type": "sqlite"})
    assert tool_digest(sql) != tool_digest(tool)
    timed = tool.model_copy(
        update={"tests": [ToolTest(kind="performance", time_budget_ms=50, input={"text": "a"})]}
    )
    assert '"time_budget_ms": 50' in tool_text(timed) and '"required"' not in tool_text(timed)
