"""The importers and eject treat what they are given as data: nothing is expanded from the
environment, no path in it is opened, no module it names is imported (only ``airflow.`` operator
modules), and YAML may not expand or nest without bound. The API-level proofs are in
tests/security/; these call the functions directly."""

from __future__ import annotations

import json
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from airflow_canvas.exporters import ExportError, export_workflow
from airflow_canvas.exporters.eject import _tool_entry
from airflow_canvas.importers import ImportError_, import_text
from airflow_canvas.importers.report import ImportReport
from airflow_canvas.importers.untrusted import (
    MAX_DEPTH,
    check_shape,
    load_airflow_operator,
    refuse_file_keys,
    variable_references,
)
from airflow_canvas.importers.yaml_values import load_yaml_text
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Tool

EMPTY = "airflow.providers.standard.operators.empty.EmptyOperator"


@pytest.fixture
def marker_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """(module name, marker path): a package on sys.path that writes the marker when imported."""
    name = f"untrusted_mod_{uuid.uuid4().hex[:10]}"
    marker = tmp_path / "imported"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('x')\ndef run(): pass\n")
    (tmp_path / name / "sub.py").write_text("class Op: pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, marker
    for mod in [m for m in sys.modules if m.split(".")[0] == name]:
        del sys.modules[mod]


def test_yaml_is_read_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNTRUSTED_SECRET", "value-from-the-server")
    loaded = load_yaml_text("a: $UNTRUSTED_SECRET\nb: '${UNTRUSTED_SECRET} and $HOME'\n", "t.yml")
    assert loaded == {"a": "$UNTRUSTED_SECRET", "b": "${UNTRUSTED_SECRET} and $HOME"}


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/object/apply:os.system ['true']", "!!python/object/apply:os.system"),
        ("a: !!python/name:os.system ''", "!!python/name:os.system"),
        ("a: !join [x, y]", "!join"),
    ],
)
def test_yaml_tags_are_refused_by_name(text: str, tag: str) -> None:
    with pytest.raises(ImportError_, match=f"the YAML tag '{tag}' at line 1, column 4 is refused"):
        load_yaml_text(text, "t.yml")


def test_shape_limits() -> None:
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(ImportError_, match="cycle"):
        check_shape({"a": cyclic}, "t")
    deep: list = []
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(ImportError_, match="nests more than"):
        check_shape(deep, "t")
    shared = ["x"] * 1000
    with pytest.raises(ImportError_, match="aliases"):
        check_shape([shared] * 1001, "t")  # a million values through one list used 1001 times
    check_shape({"a": [shared] * 10, "b": shared}, "t")  # sharing within bounds is fine


def test_aliases_within_bounds_still_work() -> None:
    [result] = import_text(
        textwrap.dedent(f"""
        d:
          x-common: &common {{retries: 2}}
          default_args: *common
          tasks:
            - {{task_id: t, operator: {EMPTY}}}
        """),
        "t.yml",
    )
    assert result.workflow.defaults.retry.retries == 2


def test_variable_references_name_their_keys() -> None:
    config = {
        "description": "$A and ${B}",
        "tasks": [{"task_id": "t", "bash_command": "echo $HOME"}, {"x": "${C}"}],
        "plain": "costs $5? no: 5$",
    }
    assert dict(variable_references(config, "d")) == {
        "d/description": ["$A", "${B}"],
        "d/tasks/t/bash_command": ["$HOME"],
        "d/tasks/1/x": ["${C}"],
        "d/plain": ["$5"],  # os.path.expandvars would look it up too
    }


def test_refused_file_keys_are_errors_naming_them() -> None:
    report = ImportReport("t.yml", "dag-factory")
    conf = {"python_callable_file": "/x.py", "python_callable_name": "f", "doc_md_file_path": "/d.md", "k": 1}
    assert refuse_file_keys(conf, "d/tasks/t", report) == {"k": 1}
    assert {(i.path, i.severity) for i in report.items} == {
        ("d/tasks/t/python_callable_file", "error"),
        ("d/tasks/t/python_callable_name", "error"),
        ("d/tasks/t/doc_md_file_path", "error"),
    }
    assert all("never reads files or loads code from a path" in i.message for i in report.items)


def test_operator_loading_is_limited_to_airflow(marker_module) -> None:
    name, marker = marker_module
    for path in (f"{name}.Op", f"{name}.sub.Op"):
        message = load_airflow_operator(path)
        assert isinstance(message, str) and "not under 'airflow.'" in message
    assert not marker.exists() and name not in sys.modules
    assert load_airflow_operator(EMPTY).__name__ == "EmptyOperator"


def test_elyra_component_source_only_reaches_airflow_modules(marker_module) -> None:
    name, marker = marker_module
    node = {
        "id": "n",
        "type": "execution_node",
        "op": "x_Op",
        "app_data": {"label": "n", "component_source": f"/{name}/sub.py", "component_parameters": {}},
    }
    doc = {"doc_type": "pipeline", "pipelines": [{"id": "p", "nodes": [node]}], "primary_pipeline": "p"}
    [result] = import_text(json.dumps(doc), "x.pipeline")
    assert result.workflow.nodes[0].operator == EMPTY
    assert not marker.exists()


def test_elyra_nesting_is_bounded() -> None:
    doc = '{"doc_type": "pipeline", "pipelines": [], "x": ' + "[" * 200_000 + "]" * 200_000 + "}"
    with pytest.raises(ImportError_, match="nests"):
        import_text(doc, "x.pipeline")


def _tool_workflow(tool: dict) -> object:
    return parse_workflow(
        {
            "id": "w",
            "nodes": [{"id": "t", "type": "tool", "tool": f"{tool['name']}@1.0.0"}],
            "tools": [{"version": "1.0.0", **tool}],
        }
    )


def test_eject_never_imports_a_tool_module(marker_module) -> None:
    name, marker = marker_module
    wf = _tool_workflow({"name": "leaky", "entry_point": f"{name}:run"})
    with pytest.raises(
        ExportError, match=r"Node 't': tool leaky@1\.0\.0 has no `code` and its entry_point"
    ) as info:
        export_workflow(wf, "python")
    assert info.value.node_id == "t"
    assert not marker.exists() and name not in sys.modules


def test_eject_reads_built_in_tools_from_the_package_files() -> None:
    from airflow_canvas.tools.builtin import BUILTIN_TOOLS

    folder = Path(__file__).resolve().parents[3] / "airflow_canvas" / "tools" / "builtin"
    for tool in BUILTIN_TOOLS:
        module, _, function = tool.entry_point.partition(":")
        try:
            entry = _tool_entry(tool, [])
        except ExportError as exc:  # a built-in that imports airflow_canvas can't be ejected
            assert "depends on airflow_canvas" in str(exc)
            continue
        assert entry["code"] == (folder / f"{module.rsplit('.', 1)[1]}.py").read_text(encoding="utf-8")
        assert entry["entry_point"] == function


def test_eject_refuses_a_code_tool_whose_entry_point_is_a_module_path() -> None:
    tool = Tool(name="odd", version="1.0.0", code="def run():\n    return {}\n", entry_point="os:system")
    with pytest.raises(ExportError, match="entry_point must name a function in that code"):
        _tool_entry(tool, ["t"])
