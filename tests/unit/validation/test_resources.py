"""Design-time checks of what a spec names in Airflow's database: connections (with the type a
tool needs), Variables read by templates, pools. Warnings, run on every validation although the
rest is memoised, and skipped for a kind the caller does not pass (a user who may not list
connections gets no connection check, so validation cannot probe for connection ids)."""

from __future__ import annotations

from airflow_canvas.validation import Resources, validate
from airflow_canvas.validation.resources import variable_names
from tests.unit.spec.helpers import node, spec

BASH = "airflow.providers.standard.operators.bash.BashOperator"
CONNECTIONS = {"crm_api": "http", "warehouse": "postgres", "openai_default": "openai"}


def _codes(data: dict, **resources: object) -> list[tuple[str, str, str | None]]:
    found = validate(data, resources=Resources(**resources)).problems  # type: ignore[arg-type]
    return [
        (p.code, p.pointer, p.node_id) for p in found if p.code.startswith(("W_CONNECTION", "W_VARIABLE"))
    ]


def test_http_request_with_the_default_connection_warns_when_it_does_not_exist() -> None:
    """The reported case: deploy and run failed with "conn_id http_default isn't defined"."""
    data = spec([node("fetch", "tool", tool="http_request@1.0.0", parameters={"endpoint": "/x"})])
    [problem] = [p for p in validate(data, resources=Resources(connections=CONNECTIONS)).problems
                 if p.code == "W_CONNECTION_UNKNOWN"]  # fmt: skip
    assert problem.severity == "warning" and problem.node_id == "fetch" and problem.pointer == "/nodes/0"
    assert "http_default" in problem.message and "the tool's default" in problem.message
    assert problem.hint and "crm_api" in problem.hint and "warehouse" not in problem.hint  # only http ones


def test_a_connection_of_the_wrong_type_and_a_typo() -> None:
    data = spec(
        [
            node("a", "tool", tool="http_request@1.0.0", parameters={"conn_id": "warehouse"}),
            node("b", "tool", tool="http_request@1.0.0", parameters={"conn_id": "crm_apj"}),
            node("c", "tool", tool="sql_query@1.0.0", parameters={"conn_id": "warehouse", "sql": "select 1"}),
        ]
    )
    found = validate(data, resources=Resources(connections=CONNECTIONS)).problems
    by_node = {p.node_id: p for p in found if p.code.startswith("W_CONNECTION")}
    assert by_node["a"].code == "W_CONNECTION_TYPE" and "'postgres'" in by_node["a"].message
    assert by_node["b"].code == "W_CONNECTION_UNKNOWN" and by_node["b"].hint == "did you mean 'crm_api'?"
    assert by_node["b"].pointer == "/nodes/1/parameters/conn_id"
    assert "c" not in by_node  # sql_query takes a database connection of any type


def test_agents_operators_and_notifications_name_connections_too() -> None:
    data = spec(
        [
            node("bot", "agent", agent={"prompt": "hi", "connection_id": "openai_prod"}),
            node("sh", "tool", operator=BASH, parameters={"bash_command": "true", "ssh_conn_id": "box"}),
            node(
                "ok",
                "tool",
                operator=BASH,
                parameters={"bash_command": "true", "x_conn_id": "{{ var.value.c }}"},
            ),
        ],
        notifications=[{"on": ["failure"], "to": ["a@example.com"], "connection_id": "smtp_x"}],
    )
    assert _codes(data, connections=CONNECTIONS) == [
        ("W_CONNECTION_UNKNOWN", "/nodes/0/agent/connection_id", "bot"),
        ("W_CONNECTION_UNKNOWN", "/nodes/1/parameters/ssh_conn_id", "sh"),
        ("W_CONNECTION_UNKNOWN", "/notifications/0/connection_id", None),
    ]  # a templated id is rendered at run time: not checked


def test_variables_read_by_templates() -> None:
    assert variable_names("{{ var.value.region }} {{ var.json.cfg.x }} {{ var.value.get('k') }}") == (
        "region",
        "cfg",
        "k",
    )
    assert variable_names("{{ var.value.get('k', 'd') }} {{ params.var }}") == ()  # a default, or no Variable
    assert variable_names("{{ var.value.broken ") == ()  # E_JINJA_SYNTAX's, not this check's
    data = spec(
        [
            node("p", "process", templates={"where": "{{ var.value.regoin }}"}),
            node("sh", "tool", operator=BASH, parameters={"bash_command": "echo {{ var.value.region }}"}),
        ]
    )
    found = [p for p in validate(data, resources=Resources(variables=frozenset({"region"}))).problems
             if p.code == "W_VARIABLE_UNKNOWN"]  # fmt: skip
    assert [(p.node_id, p.pointer, p.hint) for p in found] == [
        ("p", "/nodes/0/templates/where", "did you mean 'region'?")
    ]


def test_kinds_not_passed_are_not_checked_and_results_follow_the_database() -> None:
    data = spec([node("fetch", "tool", tool="http_request@1.0.0", parameters={"conn_id": "crm_api"})])
    assert _codes(data) == []  # nothing known: nothing claimed
    assert _codes(data, connections={}) == [("W_CONNECTION_UNKNOWN", "/nodes/0/parameters/conn_id", "fetch")]
    # the rest of validation is memoised by content; the resource checks see the database as it is now
    assert _codes(data, connections={"crm_api": "http"}) == []
    assert _codes(data, connections={}) != []


def test_pools_keyword_and_resources_agree() -> None:
    data = spec([node("a", execution={"pool": "gpu"})])
    by_keyword = validate(data, pools={"cpu"}).problems
    by_resources = validate(data, resources=Resources(pools=frozenset({"cpu"}))).problems
    assert by_keyword == by_resources and [p.code for p in by_keyword] == ["W_POOL_UNKNOWN"]


def test_a_tool_schema_that_is_not_json_schema_gets_no_parameter_verdict() -> None:
    """The hostile-text property test found it: a type jsonschema does not know crashed the
    parameter check; the schema problem is reported, the parameters are not judged by it."""
    tool = {
        "name": "odd",
        "version": "1.0.0",
        "code": "def run(x):\n    return {}\n",
        "input_schema": {"type": "object", "properties": {"x": {"type": "sometimes"}}},
        "output_schema": {"type": "object"},
    }
    data = spec([node("n", "tool", tool="odd@1.0.0", parameters={"x": 1})], tools=[tool])
    codes = [p.code for p in validate(data).problems]
    assert "E_TOOL_PARAMETER_INVALID" not in codes and any(c.startswith("E_SCHEMA") for c in codes), codes
