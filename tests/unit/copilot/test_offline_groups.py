"""`explain group <id>` in the offline co-pilot: mode, members in run order (nested groups too), the
connections across the group's border, its problems with working fixes, the latest run's state and
first failure, suggestions, unknown groups, and groups that share an id with a node."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.explain import group_members
from airflow_canvas.copilot.offline import respond
from airflow_canvas.copilot.patch import apply_patch, parse_ops
from airflow_canvas.copilot.responses import CodePart, Reply, Suggestion, SuggestionsPart
from airflow_canvas.spec.states import STATE_PRIORITY, aggregate_state

from .conftest import base_spec, make_ctx


def grouped_spec() -> dict[str, Any]:
    """fetch -> a, then (sequential group `enrich`): a, the parallel group `inner` (y, x; x feeds y),
    c; c -> summarize. Canvas order lists y before x, so `inner`'s data-flow order differs from it."""
    spec = base_spec()
    spec["nodes"] = [
        spec["nodes"][0],  # fetch
        spec["nodes"][1],  # summarize
        {"id": "a", "type": "process", "group": "enrich"},
        {"id": "y", "type": "process", "group": "inner", "name": "Why"},
        {"id": "x", "type": "process", "group": "inner"},
        {"id": "c", "type": "process", "group": "enrich"},
    ]
    spec["edges"] = [
        {"source": "fetch", "target": "summarize"},
        {"source": "fetch", "target": "a"},
        {"source": "x", "target": "y"},
        {"source": "c", "target": "summarize", "kind": "dependency"},
    ]
    spec["groups"] = [
        {"id": "enrich", "label": "Enrich tickets", "mode": "sequential"},
        {"id": "inner", "label": "Inner steps", "parent": "enrich"},
    ]
    return spec


def suggestions(reply: Reply) -> list[Suggestion]:
    return [i for p in reply.parts if isinstance(p, SuggestionsPart) for i in p.items]


def members_block(reply: Reply) -> list[str]:
    text = next(p.markdown for p in reply.parts if p.type == "text" and p.markdown.startswith("**Members**"))
    return text.splitlines()[2:]


@pytest.fixture
def gctx() -> CopilotContext:
    ctx = make_ctx(grouped_spec())
    assert not ctx.problems, ctx.problems
    return ctx


def test_members_in_run_order_with_nested_group(gctx: CopilotContext) -> None:
    reply = respond("explain group enrich", gctx)
    assert reply.error is None
    text = reply.plain_text()
    assert "**Group `enrich` “Enrich tickets”** is a **sequential** group" in text
    assert "TaskGroup `enrich`" in text
    assert "4 nodes in 2 groups, in run order" in text
    # Sequential: numbered in canvas order; the nested parallel group's members in data-flow order.
    assert members_block(reply) == [
        "1. `a` (process node)",
        "2. group `inner` “Inner steps” (parallel, 2 nodes)",
        "   - `x` (process node)",
        "   - `y` “Why” (process node)",
        "3. `c` (process node)",
    ]
    assert "**Into the group:** `fetch` → `a`." in text
    assert "**Out of the group:** `c` → `summarize` (dependency)." in text
    assert "No validation problems in this group." in text
    assert "Latest run" not in text  # no run in the context


def test_nested_group_knows_its_parent_and_border(gctx: CopilotContext) -> None:
    reply = respond("what does group inner do?", gctx)
    text = reply.plain_text()
    assert "is a **parallel** group" in text and "sits inside group `enrich`" in text
    assert "TaskGroup `enrich.inner`" in text
    assert members_block(reply) == ["- `x` (process node)", "- `y` “Why” (process node)"]
    # x -> y is inside; the group's only border crossings are the sequential chain's, not edges.
    assert "nothing outside connects into it" in text and "nothing outside reads from it" in text
    sent = {s.message for s in suggestions(reply) if s.action == "send"}
    assert "explain group enrich" in sent


def test_group_members_api_follows_data_flow_not_canvas_order(gctx: CopilotContext) -> None:
    members = group_members(gctx.workflow, "inner")
    assert [m.node.id for m in members if m.node] == ["x", "y"]
    spec = grouped_spec()
    spec["groups"][1]["mode"] = "sequential"  # now canvas order is the run order
    members = group_members(make_ctx(spec).workflow, "inner")
    assert [m.node.id for m in members if m.node] == ["y", "x"]


def test_labels_ids_and_quotes_resolve(gctx: CopilotContext) -> None:
    for message in (
        'describe group "Enrich tickets"',
        "explain group 'enrich tickets'",
        "explain group “Enrich Tickets”",
        "explain the group ENRICH",
        "explain group enrich?",
    ):
        reply = respond(message, gctx)
        assert reply.error is None, (message, reply.plain_text())
        assert reply.plain_text().startswith("**Group `enrich`"), message


def test_ambiguous_label_asks_for_an_id() -> None:
    spec = grouped_spec()
    spec["groups"][1]["label"] = "Enrich tickets"
    reply = respond('explain group "enrich tickets"', make_ctx(spec))
    assert reply.error == "command" and "`enrich`, `inner`" in reply.plain_text()


def test_problems_of_members_with_working_fixes() -> None:
    spec = grouped_spec()
    spec["edges"].append({"source": "x", "target": "zz"})  # broken edge from a member of inner
    spec["edges"].append({"source": "summarize", "target": "nowhere"})  # broken, outside the group
    spec["nodes"][5]["execution"] = {"on_error": "fallback", "fallback_node": "gone"}  # c
    ctx = make_ctx(spec)
    reply = respond("explain group enrich", ctx)
    text = reply.plain_text()
    problems = next(
        p.markdown for p in reply.parts if p.type == "text" and p.markdown.startswith("**Problems**")
    )
    assert "connection `x->zz`" in problems and "`c`" in problems and "*Fix:*" in problems
    assert "nowhere" not in problems  # not this group's problem
    assert "No validation problems" not in text
    fixes = [s for s in suggestions(reply) if s.action == "apply_patch" and s.label != "Collapse `enrich`"]
    labels = [s.label for s in fixes]
    assert any("x->zz" in label for label in labels) and any("`gone`" in label for label in labels)
    assert not any("nowhere" in label for label in labels)
    combined = next(s for s in fixes if s.label == "Apply all fixes")
    fixed = apply_patch(ctx.workflow, parse_ops(combined.ops))
    left = [p for p in make_ctx(fixed).errors]
    assert [p.edge_id for p in left] == ["summarize->nowhere"]  # only the outside error remains
    # The nested group reports only what concerns it.
    inner = respond("explain group inner", ctx).plain_text()
    assert "x->zz" in inner and "`gone`" not in inner


def test_group_level_problem_is_listed() -> None:
    spec = grouped_spec()
    spec["groups"].append({"id": "spare", "label": "Spare"})
    reply = respond("explain group spare", make_ctx(spec))
    text = reply.plain_text()
    assert "holds no nodes and no groups" in text and "Warning in group `spare`" in text
    assert not [s for s in suggestions(reply) if s.action in ("run_node", "focus_node")]


RUN = {
    "run_id": "manual__2",
    "state": "failed",
    "nodes": {
        "fetch": {"state": "success"},
        "a": {"state": "success", "duration": 0.5},
        "x": {
            "state": "failed",
            "try_number": 2,
            "error": "KeyError: 'ticket'",
            "log_tail": "Traceback ...\nKeyError: 'ticket'",
            "inputs": {"rows": []},
        },
        "y": {"state": "upstream_failed"},
        "c": {"state": "upstream_failed"},
        "summarize": {"state": "upstream_failed"},
    },
}


def test_run_state_and_first_failing_member() -> None:
    ctx = make_ctx(grouped_spec(), run=RUN)
    reply = respond("explain group enrich", ctx)
    text = reply.plain_text()
    assert (
        "**Latest run** `manual__2`: the group is **failed** (2 upstream_failed, 1 success, 1 failed)."
        in text
    )
    assert members_block(reply) == [
        "1. `a` (process node): ✓ success",
        "2. group `inner` “Inner steps” (parallel, 2 nodes): ✗ failed",
        "   - `x` (process node): ✗ failed",
        "   - `y` “Why” (process node): ↑✗ upstream_failed",
        "3. `c` (process node): ↑✗ upstream_failed",
    ]
    assert "It went wrong first at `x`" in text and "**`x` failed** (try 2): KeyError" in text
    assert "does not have the shape it expects" in text  # explain_run_failure's data hint
    codes = {p.title for p in reply.parts if isinstance(p, CodePart)}
    assert {"Inputs of x", "Log tail of x"} <= codes
    run_x = next(s for s in suggestions(reply) if s.action == "run_node")
    assert run_x.node_id == "x" and run_x.input == {"rows": []}


def test_run_upstream_failure_names_the_culprit() -> None:
    run = {
        "run_id": "r",
        "state": "failed",
        "nodes": {
            "fetch": {"state": "failed", "error": "ConnectionError: 503"},
            "a": {"state": "upstream_failed"},
            "x": {"state": "upstream_failed"},
            "y": {"state": "upstream_failed"},
            "c": {"state": "upstream_failed"},
        },
    }
    reply = respond("why did group enrich fail?", make_ctx(grouped_spec(), run=run))
    text = reply.plain_text()
    assert "the group is **upstream_failed** (4 upstream_failed)" in text
    assert "because `fetch`, upstream of the group, failed" in text
    assert "It went wrong first" not in text
    assert any(s.message == "explain node fetch" for s in suggestions(reply))


def test_run_partly_done_and_not_run() -> None:
    run = {"run_id": "r", "state": "running", "nodes": {"a": {"state": "success"}, "x": {"state": "running"}}}
    text = respond("explain group enrich", make_ctx(grouped_spec(), run=run)).plain_text()
    assert "the group is **running** (2 not run, 1 success, 1 running)" in text
    run = {"run_id": "r", "state": "running", "nodes": {"a": {"state": "success"}}}
    text = respond("explain group enrich", make_ctx(grouped_spec(), run=run)).plain_text()
    assert "the group is **not finished**" in text
    run = {"run_id": "r", "state": "queued", "nodes": {}}
    text = respond("explain group inner", make_ctx(grouped_spec(), run=run)).plain_text()
    assert "the group is **not run** (2 not run)" in text


def test_aggregate_state_is_airflows() -> None:
    from airflow.api_fastapi.common.parameters import state_priority

    assert list(STATE_PRIORITY) == [s.value if s is not None else None for s in state_priority]
    assert aggregate_state(["success", "failed", None]) == "failed"
    assert aggregate_state(["success", None]) is None
    assert aggregate_state(["success", "skipped"]) == "success"
    assert aggregate_state([]) is None


def test_suggestions_collapse_run_focus(gctx: CopilotContext) -> None:
    reply = respond("explain group enrich", gctx)
    items = {s.action + ":" + s.label: s for s in suggestions(reply)}
    collapse = items["apply_patch:Collapse `enrich`"]
    out = apply_patch(gctx.workflow, parse_ops(collapse.ops))
    assert next(g for g in out.groups if g.id == "enrich").collapsed
    assert items["run_node:Run `a` with mock data"].node_id == "a"  # the group's entry member
    assert items["focus_node:Show `a`"].node_id == "a"
    assert items["send:Explain group `inner`"].message == "explain group inner"
    expand = respond("explain group enrich", make_ctx(out))
    assert "It is collapsed on the canvas." in expand.plain_text()
    assert any(s.label == "Expand `enrich`" for s in suggestions(expand))


def test_unknown_group_lists_the_groups(gctx: CopilotContext) -> None:
    reply = respond("explain group enrch", gctx)
    text = reply.plain_text()
    assert reply.error == "command" and reply.proposal is None
    assert "There is no group `enrch`. Did you mean 'enrich'?" in text
    assert "- `enrich` “Enrich tickets”: sequential, 4 nodes" in text
    assert "- `inner` “Inner steps”: parallel, 2 nodes, inside `enrich`" in text
    assert {s.message for s in suggestions(reply)} == {"explain group enrich", "explain group inner"}
    # A node's id: pointed to the node.
    reply = respond("explain group fetch", gctx)
    assert reply.error == "command" and "`fetch` is a node: ask `explain node fetch`" in reply.plain_text()
    assert suggestions(reply)[0].message == "explain node fetch"


def test_explain_node_still_wins_and_bare_group_ids_work(gctx: CopilotContext) -> None:
    reply = respond("explain node a", gctx)
    assert reply.plain_text().startswith("**`a`** (process node)")
    reply = respond("explain inner", gctx)  # no node `inner`: the group
    assert reply.error is None and reply.plain_text().startswith("**Group `inner`")
    reply = respond("why did inner fail?", gctx)
    assert reply.plain_text().startswith("**Group `inner`")
    reply = respond("explain node inner", gctx)  # "node" said: no guessing, but a pointer
    assert reply.error == "command"
    assert (
        "There is no node `inner`. There is a group `inner`: ask `explain group inner`." in reply.plain_text()
    )
    reply = respond("explain nothere", gctx)
    assert reply.error == "command" and "There is no node `nothere`" in reply.plain_text()


def test_group_and_node_sharing_an_id() -> None:
    spec = grouped_spec()
    spec["groups"].append({"id": "a", "label": "Checks", "parent": "enrich"})
    spec["nodes"].append({"id": "check", "type": "process", "group": "a"})
    ctx = make_ctx(spec)
    node = respond("explain a", ctx)
    assert node.plain_text().startswith("**`a`** (process node)")
    assert "There is also a group `a`" in node.plain_text()
    assert any(s.message == "explain group a" for s in suggestions(node))
    assert respond("explain node a", ctx).plain_text().startswith("**`a`** (process node)")
    group = respond("explain group a", ctx)
    text = group.plain_text()
    assert text.startswith("**Group `a` “Checks”**") and "- `check` (process node)" in text
    assert "There is also a node `a`" in text
    assert any(s.message == "explain node a" for s in suggestions(group))
    assert respond('explain group "Checks"', ctx).plain_text().startswith("**Group `a`")


def test_nesting_loop_does_not_hang() -> None:
    spec = grouped_spec()
    spec["groups"][0]["parent"] = "inner"  # enrich <-> inner
    ctx = make_ctx(spec)
    assert any(p.code == "E_GROUP_CYCLE" for p in ctx.problems)
    text = respond("explain group enrich", ctx).plain_text()
    assert "group `inner`" in text and "E_GROUP_CYCLE" not in text and "**Problems**" in text
