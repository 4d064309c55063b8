"""The template gallery: every template instantiates to a valid workflow, parameters are
substituted as data (never as JSON text), and bad parameters get clear errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema.validators import validator_for

from airflow_canvas.spec.load import dump_workflow, parse_workflow
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.templates import (
    TEMPLATE_DIR,
    TemplateError,
    instantiate_subgraph,
    instantiate_template,
    list_templates,
    substitute,
)
from airflow_canvas.validation import validate_workflow

WORKFLOWS = [t.name for t in list_templates("workflow")]
SUBGRAPHS = [t.name for t in list_templates("subgraph")]
NASTY = 'He said "hi" \\ }, {"$param": "x"} {{ 7*7 }} {% raw %}\n\u2603 \'; DROP TABLE x; --'


def test_gallery_has_the_promised_templates() -> None:
    names = {t.name for t in list_templates()}
    assert {
        "blank",
        "llm_summarise",
        "ticket_triage",
        "rag_answer",
        "etl_quality",
        "scheduled_report",
    } <= names
    assert len(SUBGRAPHS) >= 2
    for info in list_templates():
        assert info.title and info.description and info.kind in ("workflow", "subgraph")
        assert info.to_dict()["name"] == info.name


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflow_template_instantiates_to_a_valid_workflow(name: str) -> None:
    wf = instantiate_template(name)
    assert wf.id == name
    assert validate_workflow(wf) == []
    assert parse_workflow(dump_workflow(wf)) == wf  # survives a save/load round trip


@pytest.mark.parametrize("name", SUBGRAPHS + WORKFLOWS)
def test_subgraph_instantiates_with_prefixed_ids_and_validates_inside_a_workflow(name: str) -> None:
    part = instantiate_subgraph(name, {}, id_prefix="p1_")
    assert part.nodes and all(n.id.startswith("p1_") for n in part.nodes)
    assert all(e.source.startswith("p1_") and e.target.startswith("p1_") for e in part.edges)
    assert all(g.id.startswith("p1_") for g in part.groups)
    assert all(n.group is None or n.group.startswith("p1_") for n in part.nodes)
    ids = {n.id for n in part.nodes}
    assert set(part.entry) <= ids and set(part.exit) <= ids
    host = parse_workflow(
        {
            "id": "host",
            "nodes": [{"id": "src", "type": "process"}] + [n.model_dump(mode="json") for n in part.nodes],
            "edges": [{"source": "src", "target": e, "kind": "dependency"} for e in part.entry]
            + [e.model_dump(mode="json") for e in part.edges],
            "groups": [g.model_dump(mode="json") for g in part.groups],
            "tools": [t.model_dump(mode="json") for t in part.tools],
        }
    )
    assert [p for p in validate_workflow(host) if p.severity == "error"] == []


def test_two_copies_of_a_subgraph_do_not_collide() -> None:
    a, b = (
        instantiate_subgraph("agent_with_fallback", id_prefix="a_"),
        instantiate_subgraph("agent_with_fallback", id_prefix="b_"),
    )
    assert (
        a.nodes[0].execution.fallback_node == "a_canned" and b.nodes[0].execution.fallback_node == "b_canned"
    )
    assert not {n.id for n in a.nodes} & {n.id for n in b.nodes}


def test_parameters_are_substituted_as_values() -> None:
    wf = instantiate_template("etl_quality", {"extract_sql": NASTY, "alert_to": [NASTY]})
    extract = wf.node("extract")
    assert extract is not None and extract.parameters["sql"] == NASTY
    assert wf.node("alert").parameters["to"] == [NASTY]  # type: ignore[union-attr]
    wf = instantiate_template("ticket_triage", {"categories": [NASTY, "other"]})
    classify = wf.node("classify")
    assert classify is not None
    assert classify.output_schema["properties"]["category"]["enum"] == [NASTY, "other"]
    assert classify.parameters["categories"] == [NASTY, "other"]


@pytest.mark.parametrize("name", ["llm_summarise", "ticket_triage"])
def test_prompts_read_parameter_values_as_data_not_as_jinja(name: str) -> None:
    """Values reach prompts through the node's `parameters` (rendered like AgentOperator does),
    so Jinja typed into a parameter is printed, never evaluated."""
    from jinja2.sandbox import SandboxedEnvironment

    nasty = "{{ 7*7 }} {% raw %}\"'" if name == "llm_summarise" else NASTY  # language is short
    params = {"language": nasty} if name == "llm_summarise" else {"categories": [nasty]}
    agent_node = next(n for n in instantiate_template(name, params).nodes if n.type.value == "agent")
    assert agent_node.agent is not None and nasty not in agent_node.agent.system_prompt
    rendered = (
        SandboxedEnvironment(autoescape=False)
        .from_string(agent_node.agent.system_prompt)
        .render(inputs={}, params={}, parameters=agent_node.parameters)
    )
    assert nasty in rendered and "49" not in rendered


def test_defaults_and_given_values() -> None:
    wf = instantiate_template(
        "scheduled_report", {"cron": "*/10 * * * *"}, workflow_id="ops_report", workflow_name="Ops report"
    )
    assert (wf.id, wf.name) == ("ops_report", "Ops report")
    assert wf.triggers.schedule is not None and wf.triggers.schedule.value == "*/10 * * * *"
    assert wf.node("send").parameters["to"] == ["team@example.com"]  # type: ignore[union-attr]


def test_unknown_parameter_is_named_with_a_hint() -> None:
    with pytest.raises(TemplateError, match=r"no parameter 'langauge'; did you mean 'language'\?"):
        instantiate_template("llm_summarise", {"langauge": "French"})


def test_wrong_parameter_type_is_named() -> None:
    with pytest.raises(TemplateError, match=r"max_words: 'many' is not of type 'integer'"):
        instantiate_template("llm_summarise", {"max_words": "many"})


def test_parameters_that_make_an_invalid_workflow_raise_spec_error() -> None:
    with pytest.raises(SpecError) as info:
        instantiate_template("scheduled_report", {"cron": "every morning"})
    assert info.value.problems[0].pointer == "/triggers/schedule/value"


def test_unknown_template_and_bad_ids() -> None:
    with pytest.raises(TemplateError, match="Did you mean 'rag_answer'"):
        instantiate_template("rag_answr")
    with pytest.raises(TemplateError, match="not valid"):
        instantiate_template("blank", workflow_id="has space")
    with pytest.raises(TemplateError, match="sub-graph"):
        instantiate_template("http_fetch_extract")
    with pytest.raises(TemplateError, match="id_prefix"):
        instantiate_subgraph("http_fetch_extract", id_prefix="bad prefix")


def test_substitute_directives() -> None:
    params = {"n": 3, "tags": ["a", "b"], "text": NASTY}
    body = {
        "x": {"$param": "n"},
        "s": {"$join": ["n=", {"$param": "n"}, " tags=", {"$param": "tags"}]},
        "lit": {"$literal": {"$param": "n"}},
        "deep": [{"t": {"$param": "text"}}],
    }
    assert substitute(body, params) == {
        "x": 3,
        "s": "n=3 tags=a, b",
        "lit": {"$param": "n"},
        "deep": [{"t": NASTY}],
    }
    assert body["x"] == {"$param": "n"}  # the template itself is untouched
    with pytest.raises(TemplateError, match="does not declare"):
        substitute({"$param": "missing"}, params)
    with pytest.raises(TemplateError, match="alone"):
        substitute({"$param": "n", "other": 1}, params)


def _params_used(body: Any) -> set[str]:
    if isinstance(body, dict):
        if "$param" in body:
            return {body["$param"]}
        return set().union(*(_params_used(v) for v in body.values())) if body else set()
    if isinstance(body, list):
        return set().union(*(_params_used(v) for v in body)) if body else set()
    return set()


@pytest.mark.parametrize("path", sorted(TEMPLATE_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_template_files_are_well_formed(path: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["name"] == path.stem
    validator_for(data["parameters"]).check_schema(data["parameters"])
    declared = set(data["parameters"].get("properties", {}))
    assert _params_used(data["body"]) == declared  # every parameter is used, every use declared
    assert all("default" in s for s in data["parameters"].get("properties", {}).values())


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflow_template_compiles_to_python(name: str) -> None:
    import ast

    from airflow_canvas.compiler import compile_workflow

    compiled = compile_workflow(instantiate_template(name))
    ast.parse(compiled.source)
    assert compiled.dag_id == name


def _run_process(wf: Any, node_id: str, inputs: dict[str, Any]) -> Any:
    """A process node run the way ProcessOperator runs it (JMESPath, or exec setting `result`)."""
    import jmespath

    node = wf.node(node_id)
    if node.process.language == "jmespath":
        return jmespath.search(node.process.expression, inputs)
    namespace = {"inputs": inputs, "parameters": dict(node.parameters), "result": None}
    exec(compile(node.process.expression, node_id, "exec"), namespace)
    return namespace["result"]


def test_template_process_nodes_compute_what_their_edges_expect() -> None:
    import jmespath

    wf = instantiate_template("etl_quality", {"max_null_ratio": 0.5})
    rows = [{"id": 1, "amount": 2}, {"id": None, "amount": 3}, {"id": 2, "amount": None}]
    clean = _run_process(wf, "clean", {"rows": rows})
    assert clean == {"rows": [rows[0], rows[2]]}
    checked = _run_process(wf, "quality", clean)
    assert (checked["ok"], checked["row_count"]) == (True, 2)
    conditions = {e.target: e.condition for e in wf.edges if e.condition}
    assert jmespath.search(conditions["load"], checked) and not jmespath.search(conditions["alert"], checked)
    failing = _run_process(wf, "quality", {"rows": []})
    assert failing["ok"] is False and "only 0 rows" in failing["reason"]

    wf = instantiate_template("rag_answer", {"top_k": 2})
    response = {"results": [{"text": f"t{i}", "url": f"u{i}"} for i in range(5)]}
    selected = _run_process(wf, "select", {"question": "q", "response": response})
    assert selected == {
        "question": "q",
        "passages": [{"text": "t0", "url": "u0"}, {"text": "t1", "url": "u1"}],
    }
    # the fallback's output goes through the same selection without failing
    fallback = _run_process(wf, "no_results", {})
    assert _run_process(wf, "select", {"question": "q", "response": fallback["json"]})["passages"] == []

    wf = instantiate_template("hello_pipeline")
    assert _run_process(wf, "shape", {"who": "world"}) == {"greeting": "hello world"}
