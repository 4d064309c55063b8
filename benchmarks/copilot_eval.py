"""Scores the offline co-pilot on the public evaluation set (benchmarks/copilot_eval.yaml): each
request is answered on its example workflow, the proposal (if any) is applied, and the effect is
checked on the resulting workflow - never the wording. Used by benchmarks/copilot.py and by
tests/unit/copilot/test_eval_set.py.

    .venv/bin/python benchmarks/copilot_eval.py [--failures] [--heldout-failures]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from airflow_canvas.copilot.context import CopilotContext  # noqa: E402
from airflow_canvas.copilot.offline.respond import interpret  # noqa: E402
from airflow_canvas.copilot.patch import apply_patch, parse_ops  # noqa: E402
from airflow_canvas.copilot.responses import Reply, SuggestionsPart  # noqa: E402
from airflow_canvas.spec import Workflow, parse_workflow  # noqa: E402

EVAL_SET = ROOT / "benchmarks" / "copilot_eval.yaml"


@dataclass
class Outcome:
    case: dict[str, Any]
    ok: bool
    why: str
    reply: Reply


def cases() -> list[dict[str, Any]]:
    # YAML 1.1 reads the key `on` as the boolean true: give it its name back.
    return [
        {("on" if k is True else k): v for k, v in c.items()} for c in yaml.safe_load(EVAL_SET.read_text())
    ]


@cache
def _spec(name: str) -> str:
    return (ROOT / "examples" / f"{name}.json").read_text()


def workflow(name: str) -> Workflow:
    return parse_workflow(json.loads(_spec(name)))


def _get(obj: Any, path: str) -> Any:
    for key in path.split("."):
        obj = getattr(obj, key, None) if obj is not None else None
    return obj


def _choices(reply: Reply) -> int:
    return sum(len(p.items) for p in reply.parts if isinstance(p, SuggestionsPart))


def check(case: dict[str, Any], reply: Reply, intent: str, slots: dict[str, str], before: Workflow) -> str:
    """'' when the reply has the expected effect, else what is wrong."""
    expect = case["expect"]
    if "intent" in expect:
        if intent != expect["intent"]:
            return f"intent {intent!r}, expected {expect['intent']!r}"
        for slot in ("node", "group"):
            if slot in expect and slots.get(slot) != expect[slot]:
                return f"{slot} {slots.get(slot)!r}, expected {expect[slot]!r}"
        return ""
    if expect.get("ask"):
        if reply.proposal is not None or _choices(reply) < 2:
            return "expected a question with >= 2 choices"
        return ""
    if reply.proposal is None:
        return "no proposal: " + reply.plain_text()[:160].replace("\n", " ")
    after = apply_patch(before, parse_ops(reply.proposal.ops))
    old_ids = {n.id for n in before.nodes}
    new_nodes = [n for n in after.nodes if n.id not in old_ids]
    edges = {(e.source, e.target) for e in after.edges}
    for want in expect.get("added", []):
        hit = None
        for node in new_nodes:
            if node.type.value != want["type"]:
                continue
            if want.get("tool") and (node.tool or "").partition("@")[0] != want["tool"]:
                continue
            if want.get("after") and (want["after"], node.id) not in edges:
                continue
            if want.get("before") and (node.id, want["before"]) not in edges:
                continue
            if any(node.parameters.get(k) != v for k, v in (want.get("params") or {}).items()):
                continue
            if want.get("url") and want["url"] not in (
                node.parameters.get("url"),
                node.parameters.get("endpoint"),
            ):
                continue
            hit = node
            break
        if hit is None:
            return f"no new node like {want}; new: {[(n.id, n.type.value, n.tool) for n in new_nodes]}"
        new_nodes.remove(hit)
    for node_id in expect.get("removed", []):
        if after.node(node_id) is not None:
            return f"{node_id} not removed"
    for src, dst in expect.get("edges_added", []):
        if (src, dst) not in edges:
            return f"no edge {src}->{dst}"
    for src, dst in expect.get("edges_removed", []):
        if (src, dst) in edges:
            return f"edge {src}->{dst} still there"
    for node_id, fields in (expect.get("set") or {}).items():
        changed = after.node(node_id)
        for path, value in fields.items():
            got = _get(changed, path)
            got = getattr(got, "value", got)
            if got != value and not (isinstance(value, int | float) and got == float(value)):
                return f"{node_id}.{path} = {got!r}, expected {value!r}"
    for old, new in (expect.get("renamed") or {}).items():
        if after.node(new) is None or after.node(old) is not None:
            return f"{old} not renamed to {new}"
    if "schedule" in expect:
        want = expect["schedule"]
        got = after.triggers.schedule.value if after.triggers.schedule else None
        if (got not in want) if isinstance(want, list) else (got != want):
            return f"schedule {got!r}, expected {want!r}"
    if "grouped" in expect:
        groups = {after.node(i).group for i in expect["grouped"]}  # type: ignore[union-attr]
        old_groups = {g.id for g in before.groups}
        if len(groups) != 1 or None in groups or groups & old_groups:
            return f"not grouped together in a new group: {groups}"
    if "ungrouped" in expect and any(g.id == expect["ungrouped"] for g in after.groups):
        return f"group {expect['ungrouped']} still there"
    return ""


def run_case(case: dict[str, Any]) -> Outcome:
    before = workflow(case["on"])
    ctx = CopilotContext(before, selection=case.get("select"))
    reply, intent, slots = interpret(case["say"], ctx)
    try:
        why = check(case, reply, intent, slots, before)
    except Exception as exc:  # a proposal that does not apply is a failure, not a crash
        why = f"{type(exc).__name__}: {exc}"
    return Outcome(case, not why, why, reply)


def score(heldout: bool | None = None) -> tuple[float, list[Outcome]]:
    """(share understood correctly, outcomes) over the tuning part, the held-out part, or all."""
    chosen = [c for c in cases() if heldout is None or bool(c.get("heldout")) == heldout]
    outcomes = [run_case(c) for c in chosen]
    return sum(o.ok for o in outcomes) / len(outcomes), outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", action="store_true", help="list the tuning part's failures")
    parser.add_argument("--heldout-failures", action="store_true", help="list the held-out part's failures")
    args = parser.parse_args()
    for part, heldout in (("tuning", False), ("held-out", True)):
        share, outcomes = score(heldout)
        print(f"offline co-pilot, {part} part: {sum(o.ok for o in outcomes)}/{len(outcomes)} = {share:.1%}")
        if (args.failures and not heldout) or (args.heldout_failures and heldout):
            for o in outcomes:
                if not o.ok:
                    print(f"  FAIL {o.case['on']}: {o.case['say']!r}: {o.why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
