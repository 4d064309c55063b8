"""A request body no route can use is refused with a 422 in the API's JSON error shape, naming the
field, and nothing is stored: data nested hundreds of levels deep (which overflowed JSON decoding,
jsonschema or the Python parser that import-checks a generated DAG: plain-text 500s), a lone
surrogate ("\\ud800", which crashed the save and the response as a 500), NaN/Infinity (silently
stored as null) and unknown top-level fields (silently ignored, as Airflow's API does not). All of
it as a User, the lowest role that may write workflows, on the spec-saving routes and others."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API, chain_spec
from tests.integration.api.test_bad_input import snapshot
from tests.integration.api.test_rbac_routes import canvas_app

Headers = Callable[[str], dict[str, str]]
MAX_JSON_DEPTH = 100  # the documented limit (airflow_canvas.plugin.bodies.MAX_JSON_DEPTH)
_ids = itertools.count()
DEEP = "__DEEP__"


def new_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids)}"


def nested(levels: int, *, kind: str = "object") -> str:
    """JSON text of ``levels`` containers nested in one another (built as text: the encoder of the
    test process would itself overflow on such a value)."""
    if kind == "list":
        return "[" * levels + "1" + "]" * levels
    return '{"a": ' * levels + "1" + "}" * levels


def with_deep_parameter(body: dict[str, Any], levels: int, kind: str = "object") -> bytes:
    """``body`` (whose spec's node p1 has ``parameters = {"p": DEEP}``) with DEEP replaced by a
    value nested ``levels`` deep."""
    return json.dumps(body).replace(json.dumps(DEEP), nested(levels, kind=kind)).encode()


def deep_spec(wid: str) -> dict[str, Any]:
    spec = chain_spec(wid)
    spec["nodes"][1]["parameters"] = {"p": DEEP}
    return spec


@pytest.fixture(scope="module")
def saved(client: TestClient, auth: Headers) -> str:
    wid = new_id("badjson_saved")
    r = client.post(f"{API}/workflows", json={"spec": chain_spec(wid)}, headers=auth("User"))
    assert r.status_code == 201, r.text
    return wid


def send(client: TestClient, auth: Headers, method: str, path: str, raw: bytes) -> Any:
    headers = auth("User") | {"content-type": "application/json"}
    return client.request(method, f"{API}{path}", content=raw, headers=headers)


def assert_refused(r: Any, code: str, pointer_prefix: str, status: int = 422) -> dict[str, Any]:
    """A JSON 4xx in the API's shape whose first problem has ``code`` at ``pointer_prefix``."""
    assert r.status_code == status, r.text[:600]
    assert r.headers["content-type"].startswith("application/json")
    payload = r.json()
    assert set(payload) >= {"detail", "problems"} and payload["problems"], payload
    problem = payload["problems"][0]
    assert problem["code"] == code, payload
    assert problem["pointer"].startswith(pointer_prefix), payload
    return problem


def spec_routes(saved: str) -> list[tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]]:
    """(method, path, body around a spec) of routes taking a spec, the saving ones first."""
    return [
        ("POST", "/workflows", lambda spec: {"spec": spec}),
        ("PUT", f"/workflows/{saved}", lambda spec: {"spec": spec | {"id": saved}, "base_version": 1}),
        ("POST", "/validate", lambda spec: {"spec": spec}),
        ("POST", "/compile", lambda spec: {"spec": spec}),
        ("POST", "/nodes/change-type", lambda spec: {"spec": spec, "node_id": "p1", "type": "process"}),
        (
            "POST",
            "/copilot/apply",
            lambda spec: {"spec": spec, "ops": [{"op": "remove_node", "node_id": "p1"}]},
        ),
    ]


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 900])
def test_deep_parameters_are_refused_naming_the_node(
    client: TestClient, auth: Headers, saved: str, levels: int
) -> None:
    before = snapshot()
    for method, path, wrap in spec_routes(saved):
        r = send(client, auth, method, path, with_deep_parameter(wrap(deep_spec(new_id("deep"))), levels))
        problem = assert_refused(r, "E_JSON_TOO_DEEP", "/spec/nodes/1/parameters/p")
        assert problem["node_id"] == "p1" and f"deeper than {MAX_JSON_DEPTH}" in problem["message"], path
        assert problem["message"].startswith("spec.nodes.1.parameters.p"), problem
    assert snapshot() == before


def test_nesting_past_the_decoders_recursion_is_refused(client: TestClient, auth: Headers) -> None:
    before = snapshot()
    for kind in ("list", "object"):
        raw = with_deep_parameter({"spec": deep_spec(new_id("deeper"))}, 100_000, kind)
        assert_refused(send(client, auth, "POST", "/workflows", raw), "E_JSON_TOO_DEEP", "")
    assert snapshot() == before


def test_data_at_the_depth_limit_goes_through_every_stage(client: TestClient, auth: Headers) -> None:
    """The limit is low enough for what comes after: validation (jsonschema on a schema as deep as
    allowed), saving, and a generated DAG whose literal CPython still parses."""
    wid = new_id("at_limit")
    body = {"spec": deep_spec(wid)}
    # {"spec": {"nodes": [{"parameters": {"p": <value>}}]}}: the value starts at level 6.
    raw = with_deep_parameter(body, MAX_JSON_DEPTH - 5)
    # The input node's output schema (its DAG params) gets a property as deep as allowed: at level 7
    # ({"spec": {"nodes": [{"output_schema": {"properties": {"deep": ...), two levels per object.
    schema = '{"type": "integer"}'
    for _ in range((MAX_JSON_DEPTH - 7) // 2):
        schema = '{"type": "object", "properties": {"a": ' + schema + "}}"
    assert raw.count(b'"properties": {"x": ') == 1
    raw = raw.replace(b'"properties": {"x": ', b'"properties": {"deep": ' + schema.encode() + b', "x": ')
    r = send(client, auth, "POST", "/validate", raw)
    assert r.status_code == 200 and r.json()["valid"] is True, r.text[:600]
    r = send(client, auth, "POST", "/compile", raw)
    assert r.status_code == 200 and r.json()["source"], r.text[:600]
    compile(r.json()["source"], f"{wid}.py", "exec")
    r = send(client, auth, "POST", "/workflows", raw)
    assert r.status_code == 201, r.text[:600]


@pytest.mark.parametrize(
    "where,pointer",
    [
        ("description", "/spec/description"),
        ("parameter value", "/spec/nodes/1/parameters/p"),
        ("parameter key", "/spec/nodes/1/parameters"),
        ("message", "/message"),
    ],
)
def test_lone_surrogates_are_refused_naming_the_field(
    client: TestClient, auth: Headers, saved: str, where: str, pointer: str
) -> None:
    before = snapshot()
    lone = "\ud800"
    routes = spec_routes(saved)[: 2 if where == "message" else 4]  # message: the saving routes' own field
    for method, path, wrap in routes:
        spec = chain_spec(new_id("surrogate"))
        if where == "description":
            spec["description"] = f"hi {lone}"
        elif where == "parameter value":
            spec["nodes"][1]["parameters"] = {"p": lone}
        elif where == "parameter key":
            spec["nodes"][1]["parameters"] = {f"k{lone}": 1}
        body = wrap(spec) | ({"message": lone} if where == "message" else {})
        raw = json.dumps(body).encode()  # ASCII JSON with the escape "\ud800": valid JSON syntax
        assert b"\\ud800" in raw
        problem = assert_refused(send(client, auth, method, path, raw), "E_JSON_BAD_STRING", pointer)
        assert "surrogate" in problem["message"]
    assert snapshot() == before


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused_not_stored_as_null(
    client: TestClient, auth: Headers, saved: str, token: str
) -> None:
    before = snapshot()
    for method, path, wrap in spec_routes(saved):
        spec = chain_spec(new_id("nan"))
        spec["nodes"][1]["parameters"] = {"threshold": DEEP}
        raw = json.dumps(wrap(spec)).replace(json.dumps(DEEP), token).encode()
        problem = assert_refused(
            send(client, auth, method, path, raw), "E_JSON_NOT_FINITE", "/spec/nodes/1/parameters/threshold"
        )
        assert problem["node_id"] == "p1" and "is not a JSON number" in problem["message"]
    raw = b'{"workflow_id": "tpl_nan", "params": {"rate": NaN}}'
    assert_refused(
        send(client, auth, "POST", "/templates/hello_pipeline/instantiate", raw),
        "E_JSON_NOT_FINITE",
        "/params/rate",
    )
    assert snapshot() == before


def unknown_field_cases(saved: str) -> list[tuple[str, str, dict[str, Any], str]]:
    """(method, path, valid body, a misspelt field added to it)."""
    spec = chain_spec(saved)
    return [
        ("POST", "/workflows", {"spec": chain_spec(new_id("extra"))}, "mesage"),
        ("PUT", f"/workflows/{saved}", {"spec": spec, "base_version": 1}, "base_versoin"),
        ("POST", f"/workflows/{saved}/duplicate", {"new_id": new_id("extra_dup")}, "nmae"),
        ("POST", f"/workflows/{saved}/rollback", {"version": 1}, "force"),
        ("POST", f"/workflows/{saved}/branches", {"name": "b_extra"}, "from"),
        ("POST", "/validate", {"spec": spec}, "strict"),
        ("POST", "/compile", {"spec": spec}, "format"),
        ("POST", "/import", {"filename": "x.yml", "content": "a: 1\n"}, "sav"),
        ("POST", "/templates/hello_pipeline/instantiate", {"workflow_id": "tpl_x"}, "param"),
        ("POST", "/nodes/change-type", {"spec": spec, "node_id": "p1", "type": "process"}, "typ"),
        ("POST", "/copilot/apply", {"spec": spec, "ops": [{"op": "remove_node", "node_id": "p1"}]}, "opps"),
    ]


def test_unknown_top_level_fields_are_refused_like_airflows_api(
    client: TestClient, auth: Headers, saved: str
) -> None:
    before = snapshot()
    for method, path, body, field in unknown_field_cases(saved):
        r = send(client, auth, method, path, json.dumps(body | {field: True}).encode())
        problem = assert_refused(r, "E_FIELD_UNKNOWN", f"/{field}")
        # pydantic's extra_forbidden, as Airflow's StrictBaseModel answers, plus the fields that exist.
        assert problem["message"] == f"{field}: Extra inputs are not permitted", problem
        assert "This body takes:" in problem["hint"] and all(f in problem["hint"] for f in body), problem
    assert snapshot() == before
    r = send(client, auth, "POST", "/workflows", json.dumps({"spec": chain_spec("x"), "mesage": 1}).encode())
    assert r.json()["problems"][0]["hint"].startswith("Did you mean 'message'?")


def test_free_form_data_inside_a_body_keeps_arbitrary_keys(client: TestClient, auth: Headers) -> None:
    """Only the body's own fields are closed: node parameters, template params and such stay open."""
    wid = new_id("free_form")
    spec = chain_spec(wid)
    spec["nodes"][1]["parameters"] = {"any key": {"nested": [1, {"whatever": "ok"}]}, "x-y": None}
    r = client.post(f"{API}/workflows", json={"spec": spec, "message": "m"}, headers=auth("User"))
    assert r.status_code == 201, r.text
    assert r.json()["spec"]["nodes"][1]["parameters"]["any key"] == {"nested": [1, {"whatever": "ok"}]}


def _without_none(annotation: Any) -> Any:
    import types

    if isinstance(annotation, types.UnionType):
        members = [a for a in annotation.__args__ if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def _is_request_body(model: Any, base: type) -> bool:
    return isinstance(model, type) and issubclass(model, base)


def test_every_request_body_refuses_unknown_fields(api_app: Any) -> None:
    """Routes added later get the same rule: each body model derives from RequestBody."""
    from airflow_canvas.plugin.bodies import MAX_JSON_DEPTH as limit
    from airflow_canvas.plugin.bodies import RequestBody

    assert limit == MAX_JSON_DEPTH
    bodies = {
        f"{sorted(route.methods)[0]} {route.path}": route.body_field.field_info.annotation
        for route in canvas_app(api_app).routes
        if isinstance(route, APIRoute) and route.body_field is not None
    }
    assert len(bodies) >= 15
    # An optional body (`body: PublishBody | None = None`) is the model or nothing: judge the model.
    models = {where: _without_none(annotation) for where, annotation in bodies.items()}
    loose = {where: model for where, model in models.items() if not _is_request_body(model, RequestBody)}
    assert not loose, f"request bodies that accept unknown fields: {loose}"


@pytest.mark.parametrize(
    "path",
    [
        "/workflows?offset=100000000000000000000000",
        "/workflows/{saved}?version=100000000000000000000000",
        "/workflows/{saved}/versions/100000000000000000000000",
        "/workflows/{saved}/diff?from=1&to=100000000000000000000000",
    ],
)
def test_out_of_range_numbers_in_the_url_get_422(
    client: TestClient, auth: Headers, saved: str, path: str
) -> None:
    r = client.get(f"{API}{path.format(saved=saved)}", headers=auth("User"))
    assert r.status_code == 422, r.text
    assert r.json()["problems"], r.json()


def test_imported_files_get_the_same_checks(client: TestClient, auth: Headers) -> None:
    """An imported file is not a JSON body: YAML's own escapes and .nan reach the spec another way."""
    before = snapshot()
    wid = new_id("imp")
    yaml_text = (
        f"{wid}:\n"
        '  description: "made by \\ud800"\n'
        "  schedule: null\n"
        "  tasks:\n"
        "    t1:\n"
        "      operator: airflow.providers.standard.operators.empty.EmptyOperator\n"
        "      retry_exponential_backoff: .nan\n"
    )
    body = {"filename": f"{wid}.yml", "content": yaml_text, "save": True}
    r = client.post(f"{API}/import", json=body, headers=auth("User"))
    problem = assert_refused(r, "E_JSON_BAD_STRING", "/description")
    assert problem["message"].startswith(f"workflow {wid!r}: description"), problem
    assert snapshot() == before
