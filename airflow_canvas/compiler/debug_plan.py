"""Spec -> debug plan: what the canvas debugger needs to run a workflow node by node as its DAG
would run, read from the compiler's own task plans (compiler/ir.py ``_Builder.plan``), so the
debugger cannot disagree with the generated DAG about a node's inputs, branches or trigger rules.

For every task (nodes, and the generated ``<node>__branch`` / ``<node>__items`` tasks) it keeps the
operator's input arguments (``upstream_outputs``, ``merge_upstream``, ``input_mapping``,
``fallbacks``, ``map_over``), its upstream tasks and trigger rule; for branch tasks their
conditions, keyed by the target *node* id. The order is the DAG's emission order (topological,
each TaskGroup kept whole), restricted to nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from airflow_canvas.compiler.ir import _Builder
from airflow_canvas.compiler.ir_branches import ITEMS_SUFFIX
from airflow_canvas.spec.models import Workflow
from airflow_canvas.tools.registry import ToolResolver


@dataclass
class TaskStep:
    """One task of the DAG as the debugger sees it."""

    task_id: str  # node id, or a generated task's id
    node_id: str | None  # None for generated tasks
    upstream: list[str]  # task ids, sorted
    trigger_rule: str  # Airflow's default is all_success
    upstream_outputs: list[str] = field(default_factory=list)  # node ids whose output is passed in
    merge_upstream: list[str] = field(default_factory=list)
    input_mapping: dict[str, str] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)
    map_over: str | None = None
    items_task: str | None = None  # the ``__items`` task this mapped node expands over
    expand_over: str | None = None  # or the node whose whole output it expands over
    branch_source: str | None = None  # branch tasks: the node whose output is tested
    conditions: dict[str, str | None] = field(default_factory=dict)  # target node id -> JMESPath
    runnable: bool = True  # False for Airflow operator nodes (they run only in Airflow)
    group_chain: list[str] = field(default_factory=list)  # outermost first


@dataclass
class DebugPlan:
    tasks: dict[str, TaskStep]  # every task, in a topological order
    order: list[str]  # node ids only, in the DAG's emission order


def debug_plan(wf: Workflow, tools: ToolResolver | None = None) -> DebugPlan:
    """The debug plan of a workflow; raises SpecError where compiling would."""
    builder = _Builder(wf, tools if tools is not None else ToolResolver(wf.tools))
    children = builder.plan()
    by_full_id = {plan.full_task_id: task_id for task_id, plan in builder.tasks.items()}
    tasks: dict[str, TaskStep] = {}
    for task_id in _task_order(children):
        plan = builder.tasks[task_id]
        step = TaskStep(
            task_id=task_id,
            node_id=plan.node.id if plan.node is not None else None,
            upstream=sorted(builder.upstreams.get(task_id, ())),
            trigger_rule=plan.trigger_rule or "all_success",
            upstream_outputs=list(plan.upstream_outputs),
            merge_upstream=list(plan.merge_upstream),
            input_mapping=dict(plan.input_mapping),
            fallbacks=dict(plan.fallbacks),
            map_over=plan.kwargs.get("map_over") if plan.node is not None else None,
            runnable=plan.is_canvas,
            group_chain=list(builder.chain(plan.group)),
        )
        if plan.expand is not None:
            if plan.expand.node_id.endswith(ITEMS_SUFFIX) and builder.tasks[plan.expand.node_id].node is None:
                step.items_task = plan.expand.node_id
            else:
                step.expand_over = plan.expand.node_id
        if plan.node is None and "conditions" in plan.kwargs:
            step.branch_source = plan.kwargs["source"]
            step.conditions = {by_full_id[t]: c for t, c in plan.kwargs["conditions"].items()}
        tasks[task_id] = step
    order = [t for t in tasks if tasks[t].node_id is not None]
    return DebugPlan(tasks=tasks, order=order)


def _task_order(children: dict[str | None, list[tuple[str, str]]]) -> list[str]:
    """Task ids depth first through the emission order: a group's members where the group stands."""
    out: list[str] = []

    def walk(level: str | None) -> None:
        for kind, ident in children.get(level, []):
            if kind == "group":
                walk(ident)
            else:
                out.append(ident)

    walk(None)
    return out
