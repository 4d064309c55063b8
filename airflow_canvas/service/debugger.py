"""The canvas debugger: run a draft workflow node by node, as its DAG would run, without deploying.

Stateless by design. The client holds the session (which nodes ran, their outputs, edits, pinned
data) and sends it with every request as ``results``: node id -> ``{"state", "output"}``. From the
draft spec and those results the server recomputes everything else, with the compiler's own task
plans (compiler/debug_plan.py) and the node-runtime core the operators run (runtime/core.py):

- each task's state under Airflow's trigger rules, branch choices (``core.choose_branches`` over
  the source's output; an unchosen target is skipped, as BranchMixIn skips it) and skip propagation;
- the next node to run (the first ready node in the DAG's emission order);
- a node's inputs: ``core.upstream_values`` + ``core.merge_inputs`` over the upstream outputs with
  the operator's own ``merge_upstream``/``input_mapping``/``fallbacks``/``map_over``;
- a step: the node run in the bubblewrap sandbox by the single-node test (tools/node_test.py).

Nothing is stored and nothing is deployed; a result the client sends is data, never code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from airflow_canvas.compiler.debug_plan import DebugPlan, TaskStep
from airflow_canvas.runtime import core
from airflow_canvas.spec.models import NodeType, OnError, Workflow, effective_policy
from airflow_canvas.tools.compatibility import input_schema_of
from airflow_canvas.tools.node_test import test_node
from airflow_canvas.tools.runner import RunLimits
from airflow_canvas.tools.sample import sample_from_schema
from airflow_canvas.tools.tool_tests import ConnectionGate

MAX_MAPPED_ITEMS = 50  # a mapped node runs once per item in the sandbox: a debugger, not a cluster
DONE = frozenset({"success", "failed", "skipped", "upstream_failed"})
RESULT_STATES = ("success", "failed", "skipped")


class DebugError(ValueError):
    """A request the debugger cannot serve (unknown node, a node not ready); ``status`` for the API."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


# -- states ----------------------------------------------------------------------------------------
def _rule_state(rule: str, ups: list[str]) -> str:
    """The state a task whose upstream tasks are all done takes under its trigger rule: "ready"
    to run, or the state Airflow would give it without running it."""
    failed = sum(s in ("failed", "upstream_failed") for s in ups)
    success = sum(s == "success" for s in ups)
    if not ups or rule == "all_done":
        return "ready"
    if rule == "all_success":
        return "upstream_failed" if failed else ("skipped" if success < len(ups) else "ready")
    if rule == "none_failed_min_one_success":
        return "upstream_failed" if failed else ("ready" if success else "skipped")
    if rule == "all_done_min_one_success":
        return "ready" if success else "skipped"
    if rule == "one_failed":
        return "ready" if failed else "skipped"
    if rule == "all_failed":
        return "ready" if failed == len(ups) else "skipped"
    return "ready" if success == len(ups) else "skipped"


def task_states(plan: DebugPlan, results: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Every task's state: a node's given result, else what its upstream states and trigger rule
    make it ("ready", "pending" while an upstream is not done, "skipped", "upstream_failed").
    Generated tasks settle themselves (a branch succeeds and skips its unchosen targets)."""
    states: dict[str, str] = {}
    unchosen: set[str] = set()
    for task_id, step in plan.tasks.items():  # a topological order
        if step.node_id is not None and step.node_id in results:
            states[task_id] = str(results[step.node_id].get("state") or "success")
            continue
        ups = [states.get(u, "pending") for u in step.upstream]
        if any(s not in DONE for s in ups):
            states[task_id] = "pending"
            continue
        state = _rule_state(step.trigger_rule, ups)
        if step.node_id is not None and task_id in unchosen:
            state = "skipped"
        if step.node_id is None and state == "ready":  # generated tasks run here, at once
            state = "success"
            if step.branch_source is not None:
                value = _output(results, step.branch_source)
                chosen = set(core.choose_branches(step.conditions, value))
                unchosen.update(t for t in step.conditions if t not in chosen)
        states[task_id] = state
    return states


def _output(results: Mapping[str, Mapping[str, Any]], node_id: str) -> Any:
    result = results.get(node_id) or {}
    return result.get("output") if result.get("state", "success") == "success" else None


def chosen_branches(plan: DebugPlan, node_id: str, output: Any) -> dict[str, bool] | None:
    """For a node with conditional edges: each target node -> whether its condition holds over
    ``output`` (what the branch task after it will follow)."""
    step = plan.tasks.get(f"{node_id}__branch")
    if step is None or step.branch_source != node_id:
        return None
    chosen = set(core.choose_branches(step.conditions, output))
    return {target: target in chosen for target in step.conditions}


# -- inputs ----------------------------------------------------------------------------------------
def _upstream(step: TaskStep, results: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return core.upstream_values({n: _output(results, n) for n in step.upstream_outputs}, step.fallbacks)


def mapped_items(
    plan: DebugPlan, step: TaskStep, results: Mapping[str, Mapping[str, Any]]
) -> list[Any] | None:
    """The list a mapped node expands over (what its ``__items`` task or the whole upstream output
    holds), None for an unmapped node."""
    if step.items_task is not None:
        items_step = plan.tasks[step.items_task]
        value = core.merge_inputs(
            _upstream(items_step, results), items_step.merge_upstream, items_step.input_mapping
        ).get("items")
    elif step.expand_over is not None:
        value = _output(results, step.expand_over)
    else:
        return None
    value = core.materialize(value)
    return list(value) if isinstance(value, list) else []


def node_inputs(
    wf: Workflow, plan: DebugPlan, node_id: str, results: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The inputs the node's task would get from these upstream results (the first item's, for a
    mapped node); an input node's are the run's params, sampled from its input schema."""
    step = _step(plan, node_id)
    node = wf.node(node_id)
    assert node is not None
    if node.type is NodeType.INPUT and not step.upstream_outputs:
        return dict(sample_from_schema(input_schema_of(node, wf)) or {})
    items = mapped_items(plan, step, results)
    return core.merge_inputs(
        _upstream(step, results), step.merge_upstream, step.input_mapping, step.map_over,
        items[0] if items else None,
    )  # fmt: skip


def _step(plan: DebugPlan, node_id: str) -> TaskStep:
    step = plan.tasks.get(node_id)
    if step is None or step.node_id is None:
        raise DebugError(f"No node {node_id!r} in this workflow.", status=404)
    return step


# -- the session's view ----------------------------------------------------------------------------
def check_results(wf: Workflow, results: Mapping[str, Mapping[str, Any]]) -> None:
    for node_id, result in results.items():
        if wf.node(node_id) is None:
            raise DebugError(f"results[{node_id!r}]: no such node in this workflow; drop it.")
        if result.get("state", "success") not in RESULT_STATES:
            raise DebugError(f"results[{node_id!r}].state must be one of {', '.join(RESULT_STATES)}.")


def session_view(wf: Workflow, plan: DebugPlan, results: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Order, each node's state and upstream nodes, the next node and its assembled inputs."""
    check_results(wf, results)
    states = task_states(plan, results)
    order = plan.order
    following = next((n for n in order if states[n] == "ready"), None)
    view: dict[str, Any] = {
        "order": order,
        "nodes": {
            n: {
                "state": states[n],
                "upstream": _upstream_nodes(plan, n),
                "group_chain": plan.tasks[n].group_chain,
                "runnable": plan.tasks[n].runnable,
                "mapped": plan.tasks[n].map_over is not None,
            }
            for n in order
        },
        "next": following,
        "next_input": None,
        "finished": all(states[n] in DONE for n in order),
    }
    if following is not None:
        view["next_input"] = node_inputs(wf, plan, following, results)
    return view


def _upstream_nodes(plan: DebugPlan, node_id: str) -> list[str]:
    """Nodes (not generated tasks) directly upstream of a node."""
    out: list[str] = []
    stack = list(plan.tasks[node_id].upstream)
    while stack:
        task = plan.tasks[stack.pop()]
        if task.node_id is not None:
            out.append(task.node_id)
        else:
            stack.extend(task.upstream)
    return sorted(set(out))


# -- one step ----------------------------------------------------------------------------------------
def step(
    wf: Workflow,
    plan: DebugPlan,
    node_id: str,
    results: Mapping[str, Mapping[str, Any]],
    input_override: dict[str, Any] | None = None,
    *,
    may_use_connection: Callable[[str], bool],
    limits: RunLimits | None = None,
    client: Any = None,
    connection_gate: ConnectionGate | None = None,
) -> dict[str, Any]:
    """Run one node in the sandbox on the inputs its upstream results make (or ``input_override``);
    returns the single-node test's report plus ``state`` and, for a branch source, ``branches``.
    ``connection_gate`` (the caller's) lets a SQL tool node run on its connection, rolled back, as
    the single-node test does; without it the query runs on an empty in-memory database."""
    check_results(wf, results)
    spec_step = _step(plan, node_id)
    node = wf.node(node_id)
    assert node is not None
    states = task_states(plan, {k: v for k, v in results.items() if k != node_id})
    state = states[node_id]
    if state == "pending" and input_override is None:
        waiting = [u for u in _upstream_nodes(plan, node_id) if states.get(u) not in DONE]
        raise DebugError(
            f"Node {node_id!r} waits on {', '.join(waiting) or 'its upstream tasks'}: step those first, "
            "or give its input.",
            status=409,
        )
    if state in ("skipped", "upstream_failed") and input_override is None:
        return _report(node_id, node.type.value, state, error=None)
    if not spec_step.runnable:
        return _report(node_id, node.type.value, "failed", error={
            "kind": "unsupported",
            "message": f"Node {node_id!r} runs an Airflow operator, which runs only in Airflow: "
            "pin its output to continue past it.",
        })  # fmt: skip
    agent = node.agent if node.type is NodeType.AGENT else None
    if agent is not None and not may_use_connection(agent.connection_id):
        return _report(node_id, node.type.value, "failed", error={
            "kind": "permission",
            "message": f"You may not use connection {agent.connection_id!r}, so agent node "
            f"{node_id!r} cannot run in the debugger: pin its output to continue past it.",
        })  # fmt: skip
    items = None if input_override is not None else mapped_items(plan, spec_step, results)
    if items is None:
        inputs: dict[str, Any] | None = input_override
        if inputs is None and not (node.type is NodeType.INPUT and not spec_step.upstream_outputs):
            inputs = node_inputs(wf, plan, node_id, results)  # (an input node's params: sampled)
        report = test_node(
            wf, node_id, inputs, debug=True, limits=limits, client=client, connection_gate=connection_gate
        )
        report["input"] = report.get("debug", {}).get("resolved_inputs", inputs)
    else:
        report = _run_mapped(wf, plan, spec_step, results, items, limits, client, connection_gate)
    report.pop("debug", None)
    failed = report["error"] is not None
    on_error = effective_policy(wf, node).on_error
    report["state"] = (
        "skipped" if failed and on_error is OnError.SKIP else ("failed" if failed else "success")
    )
    report["branches"] = chosen_branches(plan, node_id, report["output"]) if not failed else None
    return report


def _run_mapped(
    wf: Workflow,
    plan: DebugPlan,
    spec_step: TaskStep,
    results: Mapping[str, Mapping[str, Any]],
    items: list[Any],
    limits: RunLimits | None,
    client: Any,
    connection_gate: ConnectionGate | None = None,
) -> dict[str, Any]:
    """A mapped node: one sandboxed run per item, the outputs in a list (the lazy sequence its
    downstream tasks would read)."""
    node_id = spec_step.task_id
    if len(items) > MAX_MAPPED_ITEMS:
        node = wf.node(node_id)
        return _report(node_id, node.type.value if node else "", "failed", error={
            "kind": "config",
            "message": f"Node {node_id!r} maps over {len(items)} items; the debugger runs at most "
            f"{MAX_MAPPED_ITEMS}: edit the upstream output to fewer items, or pin this node's output.",
        })  # fmt: skip
    upstream = _upstream(spec_step, results)
    outputs: list[Any] = []
    merged: dict[str, Any] = {"logs": [], "stdout": "", "stderr": "", "duration": 0.0}
    inputs: list[Any] = []
    last: dict[str, Any] = {}
    for item in items:
        item_inputs = core.merge_inputs(
            upstream, spec_step.merge_upstream, spec_step.input_mapping, spec_step.map_over, item
        )
        last = test_node(
            wf,
            node_id,
            item_inputs,
            debug=False,
            limits=limits,
            client=client,
            connection_gate=connection_gate,
        )
        inputs.append(item_inputs)
        for key in ("logs", "stdout", "stderr", "duration"):
            merged[key] += last[key]
        if last["error"] is not None:
            break
        outputs.append(last["output"])
    report = {**last, **merged, "input": inputs, "items": len(items)}
    report["output"] = outputs if last.get("error") is None else None
    if not items:
        report.update(ok=True, error=None, output=[])
    return report


def _report(node_id: str, node_type: str, state: str, error: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "node_id": node_id, "type": node_type, "ok": error is None and state == "success",
        "output": None, "error": error, "logs": [], "stdout": "", "stderr": "", "duration": 0.0,
        "input_generated": False, "validation": {"input": [], "output": []}, "input": None,
        "state": state, "branches": None,
    }  # fmt: skip
