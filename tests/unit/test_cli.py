"""The `airflow-canvas` command: every subcommand, exit codes, messages instead of tracebacks."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas import cli
from airflow_canvas.cli import deploy as cli_deploy
from airflow_canvas.cli import main

GOOD = {
    "id": "good",
    "nodes": [{"id": "a", "type": "input"}, {"id": "b", "type": "output"}],
    "edges": [{"source": "a", "target": "b"}],
}
BAD = {
    "id": "bad",
    "nodes": [{"id": "a", "type": "process"}, {"id": "b", "type": "tool"}],
    "edges": [{"source": "a", "target": "c"}],
}


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_schema_to_stdout_and_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Airflow Canvas workflow" and "nodes" in schema["properties"]
    out = tmp_path / "schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == schema


def test_validate_ok_and_invalid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = write(tmp_path, "good.json", GOOD), write(tmp_path, "bad.json", BAD)
    assert main(["validate", good]) == 0
    assert capsys.readouterr().out == f"{good}: ok\n"
    assert main(["validate", good, bad]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: invalid (2 errors)" in out
    assert "error E_EDGE_TARGET_UNKNOWN at /edges/0/target (edge 'a->c')" in out
    assert "error E_TOOL_MISSING at /nodes/1/tool (node 'b')" in out
    assert "hint:" in out


def test_validate_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "bad.json", BAD)
    assert main(["validate", "--json", bad]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    codes = {p["code"] for p in report["files"][0]["problems"]}
    assert codes == {"E_EDGE_TARGET_UNKNOWN", "E_TOOL_MISSING"}
    assert set(report["files"][0]["problems"][0]) == {
        "code",
        "message",
        "pointer",
        "node_id",
        "edge_id",
        "group_id",
        "hint",
        "severity",
    }


def test_validate_field_errors_and_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    yaml_file = write(
        tmp_path,
        "wf.yaml",
        "id: y\nnodes:\n  - {id: a, type: proces}\n  - {id: b, type: output}\n"
        "edges:\n  - {source: a, target: x}\n",
    )
    assert main(["validate", yaml_file]) == 1
    out = capsys.readouterr().out
    assert "E_FIELD_INVALID at /nodes/0/type" in out
    assert "E_EDGE_TARGET_UNKNOWN at /edges/0/target" in out  # structural problems too, at once


def test_strict_turns_warnings_into_failures(tmp_path: Path) -> None:
    warn = write(tmp_path, "warn.json", {**GOOD, "groups": [{"id": "empty"}]})
    assert main(["validate", warn]) == 0
    assert main(["validate", "--strict", warn]) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON: Expecting property name"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_unreadable_input_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = str(tmp_path / "missing.json") if content is None else write(tmp_path, "x.json", content)
    code = main(["validate", path])
    captured = capsys.readouterr()
    assert message in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err
    assert code == (1 if content == "[1, 2]" else 2)


def test_compile_writes_dag_files_only_when_all_are_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = write(tmp_path, "good.json", GOOD), write(tmp_path, "bad.json", BAD)
    out = tmp_path / "out"
    assert main(["compile", good, bad, "-o", str(out)]) == 1
    assert not out.exists()
    assert "nothing was written" in capsys.readouterr().err
    assert main(["compile", good, "-o", str(out)]) == 0
    source = (out / "good.py").read_text()
    ast.parse(source)
    assert "good" in source
    assert main(["compile", good, "-o", "-"]) == 0
    assert capsys.readouterr().out.endswith(source)


def test_compile_rejects_two_files_with_one_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, two = write(tmp_path, "one.json", GOOD), write(tmp_path, "two.json", GOOD)
    assert main(["compile", one, two, "-o", str(tmp_path / "out")]) == 1
    assert "both define workflow 'good'" in capsys.readouterr().err


def test_deploy_validates_everything_before_deploying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from airflow_canvas.compiler import deploy

    calls: list[tuple[str, Path]] = []

    def fake_deploy(wf: Any, deploy_dir: Path, **_: Any) -> deploy.DeployResult:
        calls.append((wf.id, deploy_dir))
        return deploy.DeployResult(deploy_dir / f"{wf.id}.py", wf.id, "f" * 64)

    monkeypatch.setattr(deploy, "deploy_workflow", fake_deploy)
    good, bad = write(tmp_path, "good.json", GOOD), write(tmp_path, "bad.json", BAD)
    assert main(["deploy", good, bad, "--dir", str(tmp_path / "d")]) == 1
    assert calls == []  # the bad file stopped everything
    assert main(["deploy", good, "--dir", str(tmp_path / "d")]) == 0
    assert calls == [("good", tmp_path / "d")]
    monkeypatch.setenv(cli_deploy.DEPLOY_DIR_ENV, str(tmp_path / "env_dir"))
    assert main(["deploy", good]) == 0
    assert calls[-1] == ("good", tmp_path / "env_dir")
    assert "deployed (dag_id good" in capsys.readouterr().out


def test_deploy_failure_names_what_was_and_was_not_deployed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from airflow_canvas.compiler import deploy

    def failing(wf: Any, deploy_dir: Path, **_: Any) -> deploy.DeployResult:
        if wf.id == "second":
            raise deploy.DeployError(
                "the DAG file does not import", dag_id=wf.id, details="ImportError: boom"
            )
        return deploy.DeployResult(deploy_dir / f"{wf.id}.py", wf.id, "0" * 64)

    monkeypatch.setattr(deploy, "deploy_workflow", failing)
    files = [write(tmp_path, f"{n}.json", {**GOOD, "id": n}) for n in ("first", "second", "third")]
    assert main(["deploy", *files, "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "ImportError: boom" in err
    assert f"deployed before it: {files[0]}" in err and f"not attempted: {files[2]}" in err


def test_default_deploy_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    monkeypatch.setenv(cli_deploy.DEPLOY_DIR_ENV, "/srv/dags")
    assert cli_deploy.default_deploy_dir() == Path("/srv/dags")
    monkeypatch.delenv(cli_deploy.DEPLOY_DIR_ENV)
    configured = {"deploy_dir": "/from/airflow.cfg"}
    fake = types.ModuleType("airflow.configuration")
    fake.conf = types.SimpleNamespace(  # type: ignore[attr-defined]
        get=lambda section, key, fallback=None: (
            configured.get(key, fallback) if section == "airflow_canvas" else fallback
        )
    )
    monkeypatch.setitem(sys.modules, "airflow.configuration", fake)
    assert cli_deploy.default_deploy_dir() == Path("/from/airflow.cfg")
    configured.clear()
    assert cli_deploy.default_deploy_dir() == Path("dags_generated")


def test_new_from_template_with_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    args = [
        "new",
        "Sales report!",
        "-t",
        "scheduled_report",
        "--set",
        "cron=0 6 * * *",
        "--set",
        'to=["a@example.com"]',
        "--set",
        "title=42",
        "-o",
        str(out),
    ]
    assert main(args) == 0
    spec = json.loads(out.read_text())
    assert (spec["id"], spec["name"]) == ("sales_report", "Sales report!")
    assert spec["triggers"]["schedule"]["value"] == "0 6 * * *"
    send = next(n for n in spec["nodes"] if n["id"] == "send")
    assert (
        send["parameters"]["to"] == ["a@example.com"] and send["parameters"]["subject"] == "42"
    )  # a string param
    assert main(["validate", str(out)]) == 0
    assert main(args) == 2  # exists
    assert "--force" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0


def test_new_defaults_to_the_blank_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "hello"]) == 0
    spec = json.loads((tmp_path / "hello.json").read_text())
    assert spec["id"] == "hello" and {n["type"] for n in spec["nodes"]} == {"input", "output"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-t", "nope"], "There is no template 'nope'"),
        (["--set", "langauge=x", "-t", "llm_summarise"], "did you mean 'language'"),
        (["--set", "novalue"], "expected key=value"),
        (["-t", "scheduled_report", "--set", "cron=bad"], "E_SCHEDULE_INVALID"),
    ],
)
def test_new_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["new", "x", "-o", str(tmp_path / "x.json"), *args]) in (1, 2)
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_templates_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    assert "ticket_triage" in out and "subgraph" in out
    assert main(["templates", "--json", "--kind", "subgraph"]) == 0
    assert {t["kind"] for t in json.loads(capsys.readouterr().out)} == {"subgraph"}


def test_sync_permissions_calls_the_plugin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import types

    fake = types.ModuleType("airflow_canvas.store.permissions")
    fake.sync_permissions = lambda ensure_fab_tables=False: {"Admin": ["can_read on Canvas Workflows"]}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "airflow_canvas.store.permissions", fake)
    assert main(["sync-permissions"]) == 0
    assert "Admin: can_read on Canvas Workflows" in capsys.readouterr().out


def test_unexpected_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(_: Any) -> int:
        raise RuntimeError("kaput")

    monkeypatch.setitem(cli.COMMANDS, "schema", cli.Command("schema", "x", lambda p: None, boom))
    assert main(["schema"]) == 1
    assert capsys.readouterr().err == "error: RuntimeError: kaput (run with --debug for the traceback)\n"
    with pytest.raises(RuntimeError):
        main(["--debug", "schema"])


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2


def test_commands_can_be_added_by_modules(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import types

    module = types.ModuleType("canvas_test_extra_cmd")

    def configure(parser: Any) -> None:
        parser.add_argument("word")

    def run(args: Any) -> int:
        print(f"echo {args.word}")
        return 0

    def register_on_import() -> None:
        cli.register(cli.Command("echo", "test command", configure, run))

    monkeypatch.setitem(sys.modules, "canvas_test_extra_cmd", module)
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["canvas_test_extra_cmd", "airflow_canvas.no_such_module"])
    monkeypatch.setattr(cli, "COMMANDS", dict(cli.COMMANDS))
    register_on_import()
    assert main(["echo", "hi"]) == 0
    assert capsys.readouterr().out == "echo hi\n"


def test_python_dash_m_starts_without_importing_airflow(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", GOOD)
    code = (
        "import sys, runpy; sys.argv = ['airflow_canvas', 'validate', sys.argv[1]];"
        "\ntry: runpy.run_module('airflow_canvas', run_name='__main__')"
        "\nexcept SystemExit as e: assert e.code == 0, e.code"
        "\nassert 'airflow.configuration' not in sys.modules, 'airflow was imported'"
    )
    result = subprocess.run([sys.executable, "-c", code, good], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"{good}: ok" in result.stdout
