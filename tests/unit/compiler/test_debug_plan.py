"""The debugger's plan and states (compiler/debug_plan.py, service/debugger.py), without Airflow or the
sandbox: the order (groups kept whole), inputs assembled as the operators assemble them (mappings,
transforms, fallbacks, mapped items), branch skips and trigger rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.compiler.debug_plan import debug_plan
from airflow_canvas.service import debugger
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def example(name: str) -> Workflow:
    return parse_workflow(json.loads((EXAMPLES / f"{name}.json").read_text()))


def ok(output: Any) -> dict[str, Any]:
    return {"state": "success", "output": output}


def states(wf: Workflow, results: dict[str, Any]) -> dict[str, str]:
    view = debugger.session_view(wf, debug_plan(wf), results)
    return {n: v["state"] for n, v in view["nodes"].items()}


def test_order_is_the_dags_with_groups_whole() -> None:
    wf = example("ticket_triage")
    plan = debug_plan(wf)
    assert plan.order == ["ticket", "score", "billing_reply", "general_reply", "triaged"]
    assert plan.tasks["score"].group_chain == ["triage", "classify"]
    # The generated branch task sits between the scorer and its targets.
    assert "score__branch" in plan.tasks["billing_reply"].upstream
    # Every task comes after its upstream tasks.
    seen: set[str] = set()
    for task_id, step in plan.tasks.items():
        assert set(step.upstream) <= seen, task_id
        seen.add(task_id)


def test_order_puts_a_group_in_one_piece() -> None:
    wf = parse_workflow(
        {
            "id": "g",
            "groups": [{"id": "grp"}],
            "nodes": [
                {"id": "a", "type": "input"},
                {"id": "g1", "type": "process", "group": "grp"},
                {"id": "solo", "type": "process"},
                {"id": "g2", "type": "process", "group": "grp"},
                {"id": "z", "type": "output"},
            ],
            "edges": [
                {"source": "a", "target": "g1"},
                {"source": "g1", "target": "g2"},
                {"source": "a", "target": "solo"},
                {"source": "g2", "target": "z"},
                {"source": "solo", "target": "z"},
            ],
        }
    )
    order = debug_plan(wf).order
    assert abs(order.index("g1") - order.index("g2")) == 1
    assert order[0] == "a" and order[-1] == "z"


def test_inputs_follow_mappings_and_transforms() -> None:
    wf = parse_workflow(
        {
            "id": "m",
            "nodes": [
                {"id": "a", "type": "input"},
                {"id": "b", "type": "input"},
                {"id": "c", "type": "process"},
            ],
            "edges": [
                {
                    "source": "a",
                    "target": "c",
                    "mapping": [{"source": "items", "target": "n", "transform": "length(@)"}],
                },
                {"source": "b", "target": "c"},
            ],
        }
    )
    plan = debug_plan(wf)
    results = {"a": ok({"items": [1, 2, 3], "ignored": 1}), "b": ok({"k": "v"})}
    assert debugger.node_inputs(wf, plan, "c", results) == {"k": "v", "n": 3}
    # The same arguments the compiled DAG gives the operator.
    source = compile_workflow(wf).source
    assert """input_mapping={"n": '"a"."items" | length(@)'}""" in source
    assert 'merge_upstream=["b"]' in source


def test_a_false_condition_skips_its_target_and_what_only_it_feeds() -> None:
    wf = example("ticket_triage")
    general = ok({"category": "general", "keywords": []})
    got = states(wf, {"ticket": ok({"subject": "s", "body": "b"}), "score": general})
    assert got["billing_reply"] == "skipped" and got["general_reply"] == "ready"
    plan = debug_plan(wf)
    assert debugger.chosen_branches(plan, "score", general["output"]) == {
        "billing_reply": False,
        "general_reply": True,
    }
    # The join after both branches waits for the chosen one, then runs (none_failed_min_one_success).
    got = states(wf, {"ticket": ok({}), "score": general, "general_reply": ok({"queue": "general"})})
    assert got["triaged"] == "ready"
    view = debugger.session_view(
        wf, plan, {"ticket": ok({}), "score": general, "general_reply": ok({"q": 1})}
    )
    assert view["next"] == "triaged" and view["next_input"] == {"q": 1}


def test_trigger_rules_after_a_failure() -> None:
    wf = parse_workflow(
        {
            "id": "f",
            "nodes": [
                {"id": "a", "type": "input"},
                {
                    "id": "risky",
                    "type": "process",
                    "execution": {"on_error": "fallback", "fallback_node": "safe"},
                },
                {"id": "safe", "type": "process"},
                {"id": "after", "type": "output"},
                {"id": "plain", "type": "process"},
                {"id": "blocked", "type": "output"},
            ],
            "edges": [
                {"source": "a", "target": "risky"},
                {"source": "risky", "target": "after"},
                {"source": "a", "target": "plain"},
                {"source": "plain", "target": "blocked"},
            ],
        }
    )
    plan = debug_plan(wf)
    fine = {"a": ok({}), "risky": ok({"v": 1})}
    assert states(wf, fine)["safe"] == "skipped"  # the fallback runs only when its owner fails
    assert states(wf, fine)["after"] == "ready"
    failed = {"a": ok({}), "risky": {"state": "failed", "output": None}}
    assert states(wf, failed)["safe"] == "ready"
    assert states(wf, {**failed, "safe": ok({"v": 2})})["after"] == "ready"
    # The downstream node reads the fallback's output in the failed node's slot.
    assert debugger.node_inputs(wf, plan, "after", {**failed, "safe": ok({"v": 2})}) == {"v": 2}
    # Without a fallback, a failure blocks what follows (all_success).
    assert states(wf, {"a": ok({}), "plain": {"state": "failed"}})["blocked"] == "upstream_failed"


def test_mapped_node_expands_over_the_upstream_list() -> None:
    wf = example("doc_summarisation")
    plan = debug_plan(wf)
    step = plan.tasks["summarise"]
    results = {"document": ok({"text": "t", "max_sentences": 2}), "split": ok({"chunks": ["x", "y", "z"]})}
    assert debugger.mapped_items(plan, step, results) == ["x", "y", "z"]
    assert debugger.node_inputs(wf, plan, "summarise", results) == {"max_sentences": 2, "text": "x"}


def test_a_result_must_name_a_node_and_a_state() -> None:
    wf = example("ticket_triage")
    with pytest.raises(debugger.DebugError, match="ghost"):
        debugger.session_view(wf, debug_plan(wf), {"ghost": ok(1)})
    with pytest.raises(debugger.DebugError, match="state"):
        debugger.session_view(wf, debug_plan(wf), {"ticket": {"state": "running"}})
