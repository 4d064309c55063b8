"""How specs map to Airflow constructs: trigger rules, branches, fallbacks, mapping, schedules,
Params, names and literals. Each test compiles a small spec and reads the generated source."""

from __future__ import annotations

import ast

import pytest

from airflow_canvas.compiler import compile_workflow, spec_hash
from airflow_canvas.compiler.ir import build_ir, mapping_expression
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.problems import SpecError
from tests.unit.compiler.helpers import proc, source_of, spec


def task_kwargs(source: str, var: str) -> dict[str, ast.expr]:
    """Keyword arguments of the operator call assigned to ``var`` in the generated module."""
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == var
        ):
            call = node.value
            while (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "expand"
            ):
                call = call.func.value
            assert isinstance(call, ast.Call)
            return {k.arg: k.value for k in call.keywords if k.arg}
    raise AssertionError(f"no task {var} in:\n{source}")


def kwarg(source: str, var: str, name: str):
    value = task_kwargs(source, var).get(name)
    return None if value is None else ast.literal_eval(value)


def test_data_flow_becomes_xcomargs_and_quoted_jmespath() -> None:
    src = source_of(
        spec(
            [proc("fetch"), proc("use")],
            [
                {
                    "source": "fetch",
                    "target": "use",
                    "mapping": [
                        {"source": "body.text", "target": "text"},
                        {"source": "", "target": "all", "transform": "length(@)"},
                    ],
                }
            ],
        )
    )
    kw = task_kwargs(src, "use")
    assert ast.unparse(kw["upstream_outputs"]) == "{'fetch': fetch.output}"
    assert ast.literal_eval(kw["input_mapping"]) == {
        "text": '"fetch"."body"."text"',
        "all": '"fetch" | length(@)',
    }
    assert "merge_upstream" not in kw


def test_edge_without_mapping_merges_the_whole_output() -> None:
    src = source_of(spec([proc("a"), proc("b")], [{"source": "a", "target": "b"}]))
    assert kwarg(src, "b", "merge_upstream") == ["a"]


def test_mapping_expression_quotes_every_identifier() -> None:
    assert mapping_expression("n-1", 'we"ird.x y', None) == '"n-1"."we\\"ird"."x y"'


def test_dependency_and_trigger_edges() -> None:
    src = source_of(
        spec(
            [proc("a"), proc("b"), proc("c")],
            [
                {"source": "a", "target": "b", "kind": "dependency"},
                {"source": "b", "target": "c", "kind": "trigger"},
            ],
        )
    )
    assert "a >> b" in src and "b >> c" in src
    assert kwarg(src, "b", "trigger_rule") is None
    assert kwarg(src, "c", "trigger_rule") == "all_done"


def test_condition_adds_a_branch_task_and_joins_tolerate_skips() -> None:
    src = source_of(
        spec(
            [proc("score"), proc("yes"), proc("no"), proc("join")],
            [
                {"source": "score", "target": "yes", "condition": "ok"},
                {"source": "score", "target": "no", "condition": "!ok"},
                {"source": "yes", "target": "join"},
                {"source": "no", "target": "join"},
            ],
            groups=[{"id": "g"}],
        )
    )
    assert kwarg(src, "score__branch", "conditions") == {"yes": "ok", "no": "!ok"}
    assert kwarg(src, "score__branch", "source") == "score"
    assert "score__branch >> [yes, no]" in src
    assert kwarg(src, "join", "trigger_rule") == "none_failed_min_one_success"
    assert kwarg(src, "yes", "trigger_rule") is None


def test_branch_targets_use_group_prefixed_task_ids() -> None:
    data = spec(
        [proc("score", group="g"), proc("yes", group="h")],
        [{"source": "score", "target": "yes", "condition": "ok"}],
        groups=[{"id": "g"}, {"id": "h"}],
    )
    assert kwarg(source_of(data), "score__branch", "conditions") == {"h.yes": "ok"}


def test_fallback_wiring() -> None:
    src = source_of(
        spec(
            [
                proc("src"),
                proc("risky", execution={"on_error": "fallback", "fallback_node": "safe"}),
                proc("safe"),
                proc("after"),
            ],
            [
                {"source": "src", "target": "risky"},
                {"source": "src", "target": "safe"},
                {"source": "risky", "target": "after", "mapping": [{"source": "x", "target": "x"}]},
            ],
        )
    )
    assert kwarg(src, "safe", "trigger_rule") == "one_failed"  # it also reads src's output
    assert "risky >> safe" in src
    after = task_kwargs(src, "after")
    assert ast.unparse(after["upstream_outputs"]) == "{'risky': risky.output, 'safe': safe.output}"
    assert ast.literal_eval(after["fallbacks"]) == {"risky": "safe"}
    assert ast.literal_eval(after["trigger_rule"]) == "all_done_min_one_success"
    assert kwarg(src, "risky", "on_error") == "fallback"


def test_fallback_with_only_the_failing_node_upstream_is_all_failed() -> None:
    src = source_of(
        spec([proc("risky", execution={"on_error": "fallback", "fallback_node": "safe"}), proc("safe")])
    )
    assert kwarg(src, "safe", "trigger_rule") == "all_failed"


def test_continue_lets_direct_downstream_run() -> None:
    src = source_of(
        spec(
            [proc("a", execution={"on_error": "continue"}), proc("b"), proc("c")],
            [{"source": "a", "target": "b"}, {"source": "b", "target": "c"}],
        )
    )
    assert kwarg(src, "a", "on_error") == "continue"
    assert kwarg(src, "b", "trigger_rule") == "all_done"
    assert kwarg(src, "c", "trigger_rule") is None


def test_execution_policy_and_workflow_defaults() -> None:
    src = source_of(
        spec(
            [
                proc(
                    "a",
                    execution={
                        "retry": {
                            "retries": 3,
                            "delay_seconds": 90,
                            "exponential_backoff": True,
                            "max_delay_seconds": 3600,
                        },
                        "timeout_seconds": 30,
                        "pool": "llm",
                        "pool_slots": 2,
                        "queue": "gpu",
                        "priority_weight": 5,
                        "weight_rule": "absolute",
                        "max_active_tis_per_dag": 1,
                        "executor": "LocalExecutor",
                    },
                ),
                proc("b"),
            ],
            defaults={"retry": {"retries": 1, "delay_seconds": 10}, "timeout_seconds": 600},
        )
    )
    a = {k: ast.unparse(v) for k, v in task_kwargs(src, "a").items()}
    assert a["retries"] == "3"
    assert a["retry_delay"] == "timedelta(minutes=1, seconds=30)"
    assert a["retry_exponential_backoff"] == "2.0"
    assert a["max_retry_delay"] == "timedelta(hours=1)"
    assert a["execution_timeout"] == "timedelta(seconds=30)"
    assert (a["pool"], a["pool_slots"], a["queue"]) == ("'llm'", "2", "'gpu'")
    assert (a["priority_weight"], a["weight_rule"]) == ("5", "'absolute'")
    assert (a["max_active_tis_per_dag"], a["executor"]) == ("1", "'LocalExecutor'")
    assert "retries" not in task_kwargs(src, "b")  # inherited from default_args
    assert '"retries": 1' in src and '"execution_timeout": timedelta(minutes=10)' in src


def test_map_over_a_field_expands_over_a_generated_items_task() -> None:
    src = source_of(
        spec(
            [
                proc("split", output_schema={"type": "object", "properties": {"parts": {"type": "array"}}}),
                proc(
                    "each",
                    execution={"map_over": "part"},
                    input_schema={"type": "object", "properties": {"part": {"type": "array"}}},
                ),
            ],
            [{"source": "split", "target": "each", "mapping": [{"source": "parts", "target": "part"}]}],
        )
    )
    assert ".expand(map_item=each__items.output)" in src
    assert "ProcessOperator.partial(" in src
    assert kwarg(src, "each__items", "input_mapping") == {"items": '"split"."parts"'}
    assert kwarg(src, "each", "map_over") == "part"
    assert src.index("each__items = ") < src.index("each = ")


def test_map_over_a_whole_output_expands_directly() -> None:
    src = source_of(
        spec(
            [
                proc("split"),
                proc(
                    "each",
                    execution={"map_over": "items"},
                    input_schema={"type": "object", "properties": {"items": {"type": "array"}}},
                ),
            ],
            [{"source": "split", "target": "each", "mapping": [{"source": "", "target": "items"}]}],
        )
    )
    assert ".expand(map_item=split.output)" in src
    assert "__items" not in src


@pytest.mark.parametrize(
    ("triggers", "expected"),
    [
        ({}, "schedule=None"),
        ({"schedule": {"kind": "cron", "value": "*/5 * * * *"}}, 'schedule="*/5 * * * *"'),
        ({"schedule": {"kind": "preset", "value": "@hourly"}}, 'schedule="@hourly"'),
        ({"schedule": {"kind": "interval", "value": "90m"}}, "schedule=timedelta(hours=1, minutes=30)"),
        ({"assets": {"uris": ["s3://a"]}}, 'schedule=Asset("s3://a")'),
        (
            {"assets": {"uris": ["s3://a", "s3://b"], "mode": "or"}},
            'AssetAny(Asset("s3://a"), Asset("s3://b"))',
        ),
        ({"assets": {"uris": ["s3://a", "s3://b"]}}, 'AssetAll(Asset("s3://a"), Asset("s3://b"))'),
        (
            {
                "assets": {
                    "uris": ["s3://a", "s3://b", "s3://c"],
                    "condition": {"or": [{"and": ["s3://a", "s3://b"]}, "s3://c"]},
                }
            },
            'AssetAny(AssetAll(Asset("s3://a"), Asset("s3://b")), Asset("s3://c"))',
        ),
        (
            {"schedule": {"kind": "preset", "value": "@daily"}, "assets": {"uris": ["s3://a"]}},
            'timetable=CronTriggerTimetable("0 0 * * *", timezone="UTC")',
        ),
        (
            {"schedule": {"kind": "interval", "value": "6h"}, "assets": {"uris": ["s3://a"]}},
            "timetable=DeltaTriggerTimetable(timedelta(hours=6))",
        ),
    ],
)
def test_schedules(triggers: dict, expected: str) -> None:
    src = source_of(spec([proc("a")], triggers=triggers))
    assert expected in " ".join(src.split())


def test_dag_settings() -> None:
    src = source_of(
        spec(
            [proc("a")],
            name="My flow",
            description="Doc",
            tags=["x", "x", "y"],
            settings={
                "owner": "ann",
                "start_date": "2024-03-05T06:30:00+02:00",
                "catchup": True,
                "max_active_runs": 2,
                "max_active_tasks": 8,
                "dagrun_timeout_seconds": 7200,
            },
        )
    )
    flat = " ".join(src.split())
    for part in [
        'dag_id="wf"',
        'dag_display_name="My flow"',
        "start_date=datetime(2024, 3, 5, 4, 30, tzinfo=timezone.utc)",
        "catchup=True",
        "max_active_runs=2",
        "max_active_tasks=8",
        "dagrun_timeout=timedelta(hours=2)",
        'default_args={"owner": "ann"}',
        'tags=["x", "y"]',
        'doc_md="Doc"',
    ]:
        assert part in flat


def test_params_from_input_node_schema() -> None:
    src = source_of(
        spec(
            [
                {
                    "id": "in",
                    "type": "input",
                    "input_schema": {
                        "type": "object",
                        "required": ["q"],
                        "properties": {
                            "q": {"type": "string", "description": "Question", "minLength": 3},
                            "n": {"type": "integer", "minimum": 1, "maximum": 9, "default": 3},
                            "mode": {"type": "string", "enum": ["a", "b"]},
                            "x-odd": {"type": "string", "$comment": "not a Param keyword"},
                        },
                    },
                }
            ]
        )
    )
    flat = " ".join(src.split())
    assert '"q": Param(type="string", description="Question", minLength=3)' in flat
    assert '"n": Param(3, type="integer", minimum=1, maximum=9)' in flat
    assert '"mode": Param(None, type=["string", "null"], enum=["a", "b"])' in flat
    assert '"x-odd": Param(None, type=["string", "null"])' in flat
    assert "t_in = InputOperator(" in src  # `in` is a keyword: the variable is prefixed


def test_output_node_outlets_and_doc_md_that_looks_like_a_path() -> None:
    src = source_of(
        spec(
            [
                {
                    "id": "out",
                    "type": "output",
                    "description": "/etc/passwd.md",
                    "parameters": {"asset_uri": "s3://x/y", "asset_uris": ["s3://z"]},
                }
            ]
        )
    )
    assert 'outlets=[Asset("s3://x/y"), Asset("s3://z")]' in src
    # Airflow reads a doc_md ending in .md as a file: user text must never become a path.
    assert kwarg(src, "out", "doc_md") == "/etc/passwd.md\n"


def test_airflow_operator_nodes() -> None:
    src = source_of(
        spec(
            [
                proc("a"),
                {
                    "id": "sh",
                    "type": "tool",
                    "operator": "airflow.providers.standard.operators.bash.BashOperator",
                    "parameters": {"bash_command": "echo hi"},
                },
            ],
            [{"source": "a", "target": "sh", "mapping": [{"source": "env", "target": "env"}]}],
        )
    )
    assert "from airflow.providers.standard.operators.bash import BashOperator" in src
    kw = task_kwargs(src, "sh")
    assert ast.literal_eval(kw["bash_command"]) == "echo hi"
    assert ast.unparse(kw["env"]) == "a.output['env']"
    assert kwarg(src, "a", "multiple_outputs") is True
    assert "a >> sh" in src


def test_operator_outside_airflow_is_refused() -> None:
    with pytest.raises(SpecError) as err:
        compile_workflow(parse_workflow(spec([{"id": "x", "type": "tool", "operator": "os.system"}])))
    assert err.value.problems[0].node_id == "x"


def test_tools_are_pinned_and_returned_for_bundling() -> None:
    tool = {
        "name": "echo",
        "version": "1.2.3",
        "code": "def run(**kw):\n    return kw\n",
        "tests": [{"input": {}, "expected": {}}],
    }
    data = spec([{"id": "t", "type": "tool", "tool": "echo@^1.0"}], tools=[tool])
    compiled = compile_workflow(parse_workflow(data))
    assert kwarg(compiled.source, "t", "tool") == "echo@1.2.3"
    assert [t.ref for t in compiled.tools] == ["echo@1.2.3"]


def test_compile_resolves_each_tool_reference_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation and the IR builder share one resolution: a published tool (a store query in the
    API server) is looked up once per compile, however many nodes use it."""
    from airflow_canvas.spec.models import Tool
    from airflow_canvas.tools import registry

    published = Tool(
        name="shout", version="2.1.0", code="def run(text):\n    return {'text': text.upper()}\n"
    )
    calls: list[int] = []

    def store() -> list[Tool]:
        calls.append(1)
        return [published]

    monkeypatch.setattr(registry, "_SOURCES", [store])
    nodes = [{"id": f"t{i}", "type": "tool", "tool": "shout@^2"} for i in range(3)]
    compiled = compile_workflow(parse_workflow(spec(nodes)))
    assert [kwarg(compiled.source, f"t{i}", "tool") for i in range(3)] == ["shout@2.1.0"] * 3
    assert [t.ref for t in compiled.tools] == ["shout@2.1.0"]
    assert len(calls) == 1


def test_groups_nest_and_sequential_groups_chain_members() -> None:
    src = source_of(
        spec(
            [proc("a", group="outer"), proc("b", group="inner"), proc("c", group="outer")],
            groups=[
                {"id": "outer", "mode": "sequential", "label": "Outer"},
                {"id": "inner", "parent": "outer"},
            ],
        )
    )
    assert 'with TaskGroup(group_id="outer", group_display_name="Outer") as outer:' in src
    assert '        with TaskGroup(group_id="inner") as inner:' in src
    assert "a >> inner" in src and "inner >> c" in src


def test_interleaved_group_is_a_clear_error() -> None:
    data = spec(
        [proc("a", group="g"), proc("b"), proc("c", group="g")],
        [{"source": "a", "target": "b"}, {"source": "b", "target": "c"}],
        groups=[{"id": "g"}],
    )
    with pytest.raises(SpecError) as err:
        compile_workflow(parse_workflow(data))
    assert err.value.problems[0].code == "E_GROUP_INTERLEAVED"


def test_ids_become_safe_unique_variable_names() -> None:
    ir = build_ir(
        parse_workflow(spec([proc("1st"), proc("my-node"), proc("my_node"), proc("dag"), proc("class")]))
    )
    assert [ir.tasks[i].var for i in ("1st", "my-node", "my_node", "dag", "class")] == [
        "t_1st",
        "my_node",
        "t_my_node",
        "t_dag",
        "t_class",
    ]


def test_invalid_spec_is_refused_with_every_problem() -> None:
    data = spec([proc("a"), proc("a")], [{"source": "a", "target": "ghost"}])
    with pytest.raises(SpecError) as err:
        compile_workflow(parse_workflow(data))
    codes = {p.code for p in err.value.problems}
    assert len(err.value.problems) >= 2 and any("DUPLICATE" in c or "CLASH" in c for c in codes)


def test_spec_hash_ignores_layout_only() -> None:
    a = parse_workflow(spec([proc("a", ui={"position": {"x": 1, "y": 2}})]))
    b = parse_workflow(spec([proc("a", ui={"position": {"x": 50, "y": 9}})], version=7))
    c = parse_workflow(spec([proc("a", description="changed")]))
    assert spec_hash(a) == spec_hash(b) != spec_hash(c)
    assert compile_workflow(a).source.replace("unversioned", "version 7") == compile_workflow(b).source


def test_header_names_workflow_version_and_hash() -> None:
    wf = parse_workflow(spec([proc("a")], version=3))
    compiled = compile_workflow(wf)
    head = compiled.source.split('"""')[1]
    assert "wf (version 3)" in head and compiled.spec_hash in head
    assert "edit the workflow, not this file" in head


def test_workflow_params_become_dag_params() -> None:
    src = source_of(spec([proc("a")], params={"limit": 10, "mode": "fast"}))
    assert 'params={"limit": Param(10), "mode": Param("fast")}' in " ".join(src.split())


def test_operator_class_names_are_never_shadowed_or_mixed_up() -> None:
    bash = "airflow.providers.standard.operators.bash.BashOperator"
    src = source_of(
        spec(
            [{"id": "BashOperator", "type": "tool", "operator": bash, "parameters": {"bash_command": "true"}}]
        )
    )
    assert "t_BashOperator = BashOperator(" in src
    clash = spec(
        [
            {"id": "a", "type": "tool", "operator": bash},
            {"id": "b", "type": "tool", "operator": "airflow.providers.other.operators.bash.BashOperator"},
        ]
    )
    with pytest.raises(SpecError) as err:
        build_ir(parse_workflow(clash))
    assert err.value.problems[0].code == "E_OPERATOR_NAME_CLASH"
