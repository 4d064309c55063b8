"""validate_data takes untrusted JSON (the API, the CLI): whatever arrives, it returns problems
and never raises, and every pointer it reports resolves in the input."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_canvas.spec.repair import parse_pointer
from airflow_canvas.validation import validate_data

IDS = st.sampled_from(["a", "b", "c", "g", "h", "bad id", "", "a__branch", "A"])
JUNK = st.one_of(
    st.none(),
    st.integers(-2, 3),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
SCHEMA = st.one_of(
    st.just({}),
    st.just({"type": "object", "properties": {"x": {"type": "string"}}, "additionalProperties": False}),
    st.just({"type": "strang"}),
    JUNK,
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, JUNK)


NODE = st.fixed_dictionaries(
    {"id": maybe(IDS), "type": maybe(st.sampled_from(["input", "process", "output", "tool", "agent"]))},
    optional={
        "group": maybe(IDS),
        "tool": maybe(st.sampled_from(["echo@1", "nope@1", "echo@^9"])),
        "agent": maybe(st.just({"prompt": "{{ x"})),
        "process": maybe(st.just({"expression": "a[?"})),
        "input_schema": SCHEMA,
        "output_schema": SCHEMA,
        "execution": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "on_error": maybe(st.sampled_from(["fallback", "fail"])),
                    "fallback_node": maybe(IDS),
                    "retry": maybe(st.just({"retries": -1})),
                    "map_over": maybe(IDS),
                },
            )
        ),
    },
)
EDGE = st.fixed_dictionaries(
    {"source": maybe(IDS), "target": maybe(IDS)},
    optional={
        "kind": maybe(st.sampled_from(["data_flow", "dependency", "trigger"])),
        "condition": maybe(st.sampled_from(["ok", "[", ""])),
        "mapping": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {"target": maybe(st.sampled_from(["x", "y"]))}, optional={"source": maybe(st.just("x.z"))}
                ),
                max_size=2,
            )
        ),
        "id": maybe(IDS),
    },
)
GROUP = st.fixed_dictionaries(
    {"id": maybe(IDS)}, optional={"parent": maybe(IDS), "mode": maybe(st.just("sequential"))}
)
SPEC = st.fixed_dictionaries(
    {"id": maybe(st.just("wf"))},
    optional={
        "nodes": maybe(st.lists(maybe(NODE), max_size=6)),
        "edges": maybe(st.lists(maybe(EDGE), max_size=6)),
        "groups": maybe(st.lists(maybe(GROUP), max_size=3)),
        "triggers": maybe(st.just({"schedule": {"kind": "cron", "value": "x"}, "assets": {"uris": []}})),
        "tools": maybe(st.just([{"name": "echo", "version": "1.0.0"}, {"name": "Bad"}])),
        "spec_version": maybe(st.just(1)),
    },
)


def _resolves(data: Any, pointer: str) -> bool:
    """The pointer leads into the input, up to a missing last key (e.g. a required field)."""
    value = data
    parts = parse_pointer(pointer)
    for k, part in enumerate(parts):
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return k == len(parts) - 1
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SPEC)
def test_validate_data_never_raises_and_pointers_resolve(data: dict[str, Any]) -> None:
    wf, problems = validate_data(data)
    assert wf is None or not any(p.severity == "error" for p in problems if p.code.startswith("E_FIELD"))
    for problem in problems:
        assert problem.code and problem.message
        assert _resolves(data, problem.pointer), (problem, data)
