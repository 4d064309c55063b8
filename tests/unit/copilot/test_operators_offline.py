"""The offline co-pilot finds Airflow operators with the palette's search
(catalogue.operators.search_operators, also GET /catalogue/operators and the LLM's lookup): a
request naming an operator proposes an operator-backed tool node that validates (issue 17, item 3)."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_canvas.catalogue import operators as catalogue
from airflow_canvas.copilot.offline import respond
from airflow_canvas.copilot.offline.operators import find_operator, node_id_for
from airflow_canvas.copilot.responses import Reply, SuggestionsPart
from airflow_canvas.spec import Workflow

from .conftest import base_spec, make_ctx
from .test_offline import applied

BASH = "airflow.providers.standard.operators.bash.BashOperator"
HTTP_SENSOR = "airflow.providers.http.sensors.http.HttpSensor"


def _added(reply: Reply, before: Workflow) -> list[Any]:
    after = applied(reply, make_ctx(before))
    return [n for n in after.nodes if before.node(n.id) is None]


def _choices(reply: Reply) -> list[Any]:
    return [i for p in reply.parts if isinstance(p, SuggestionsPart) for i in p.items]


def test_a_bash_operator_that_runs_a_command() -> None:
    ctx = make_ctx(base_spec())
    reply = respond("add a bash operator that runs echo hi", ctx)
    [node] = _added(reply, ctx.workflow)
    assert (node.type.value, node.operator, node.tool, node.id) == ("tool", BASH, None, "bash")
    assert node.parameters == {"bash_command": "echo hi"}
    assert reply.proposal is not None and reply.proposal.warnings == []  # validated, nothing to warn about


def test_a_sensor_after_a_node_and_a_class_named_as_typed() -> None:
    ctx = make_ctx(base_spec())
    reply = respond("add an http sensor with endpoint /health after fetch", ctx)
    [node] = _added(reply, ctx.workflow)
    assert (node.operator, node.id) == (HTTP_SENSOR, "http_sensor")
    assert node.parameters == {"endpoint": "/health"}
    wf = applied(reply, ctx)
    assert any(e.source == "fetch" and e.target == "http_sensor" for e in wf.edges)
    [node] = _added(respond("please add the BashOperator with bash_command 'date -u'", ctx), ctx.workflow)
    assert (node.operator, node.parameters) == (BASH, {"bash_command": "date -u"})


def test_a_required_argument_the_words_do_not_give_is_asked_for() -> None:
    ctx = make_ctx(base_spec())
    reply = respond("add an http sensor", ctx)
    assert reply.proposal is None
    assert "HttpSensor needs `endpoint`" in reply.plain_text() and "palette" in reply.plain_text()


def test_the_search_is_the_palettes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the catalogue's search ranks first is what the co-pilot proposes."""
    calls: list[str] = []
    real = catalogue.search_operators

    def spy(query: str = "", limit: int = 50) -> list[catalogue.OperatorEntry]:
        calls.append(query)
        return real(query, limit)

    monkeypatch.setattr(catalogue, "search_operators", spy)
    assert find_operator("a bash operator") is not None and calls == ["bash"]


def test_several_matches_are_asked_about() -> None:
    ctx = make_ctx(base_spec())
    reply = respond("add an sql operator", ctx)
    assert reply.proposal is None
    choices = _choices(reply)
    assert len(choices) >= 2 and all("using airflow.providers.common.sql" in c.message for c in choices)
    # each choice is the grammar command that adds that operator (its arguments then come from its form)
    assert all(c.message.startswith("add tool node ") for c in choices)
    answer = respond(choices[0].message, ctx)
    assert answer.proposal is not None or "requires the argument" in answer.plain_text()


def test_an_operator_that_is_not_installed_is_said_so() -> None:
    ctx = make_ctx(base_spec())
    reply = respond("add an S3 sensor", ctx)
    assert reply.proposal is None
    text = reply.plain_text()
    assert "No installed Airflow operator matches" in text and "s3 sensor" in text.lower()
    assert "provider" in text


def test_grammar_checks_the_operator_path() -> None:
    ctx = make_ctx(base_spec())
    empty = "airflow.providers.standard.operators.empty.EmptyOperator"
    [node] = _added(respond(f"add tool node sh using {empty}", ctx), ctx.workflow)
    assert (node.id, node.operator) == ("sh", empty)
    reply = respond("add tool node sh using airflow.providers.standard.operators.bash.BashOperater", ctx)
    assert reply.proposal is None and "no installed operator" in reply.plain_text()
    assert BASH in reply.plain_text()


def test_node_ids_follow_the_palette() -> None:
    assert [node_id_for(n) for n in ("BashOperator", "HttpSensor", "SQLExecuteQueryOperator")] == [
        "bash",
        "http_sensor",
        "sql_execute_query",
    ]


def test_other_requests_are_not_taken_for_operators() -> None:
    assert find_operator("a step that downloads a web page") is None
    ctx = make_ctx(base_spec())
    [node] = _added(respond("add a process node clean", ctx), ctx.workflow)
    assert node.operator is None
