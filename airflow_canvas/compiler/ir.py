"""Spec -> IR: every task and group with its final keyword arguments as expressions, the
dependencies, the emission order and the imports. The emitter (compiler/emitter.py) prints the IR
and reads nothing else.

The builder is assembled from one mixin per job: tasks, names and tool pinning
(``ir_tasks.py``), dependencies, fallbacks and trigger rules (``ir_edges.py``), branches and
dynamic mapping (``ir_branches.py``), emission order (``ir_order.py``); it first plans each task
as data, then lowers the plans to expressions (``lower_dag.py``, ``lower_tasks.py``). The IR holds
no source text: user data sits in :class:`~airflow_canvas.compiler.pyfmt.Lit` literals, and names
are checked by the printer whatever the IR holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow_canvas.compiler import notifications
from airflow_canvas.compiler.imports import ImportSet
from airflow_canvas.compiler.ir_branches import BranchMixin, mapping_expression
from airflow_canvas.compiler.ir_edges import EdgeMixin
from airflow_canvas.compiler.ir_order import OrderMixin
from airflow_canvas.compiler.ir_tasks import GroupPlan, TaskMixin, XComRef, _check_node_kind, _Names  # noqa: F401
from airflow_canvas.compiler.lower_dag import dag_kwargs
from airflow_canvas.compiler.lower_tasks import group_kwargs, task_kwargs, xcom
from airflow_canvas.compiler.pyfmt import Code, Expr
from airflow_canvas.spec.graph import group_chains
from airflow_canvas.spec.models import NodeType, Tool, Workflow
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.tools.registry import ToolResolver
from airflow_canvas.validation.checks_compile import operator_class_names, operator_name_problems

__all__ = ["GroupIR", "TaskIR", "WorkflowIR", "XComRef", "build_ir", "mapping_expression"]


@dataclass
class TaskIR:
    node_id: str  # task id as written in the source (Airflow prefixes TaskGroup ids)
    var: str
    operator: str  # class name, imported from ``module``
    module: str
    kwargs: dict[str, Expr]  # every keyword argument of the operator call, in print order
    expand: Code | None = None  # ``.partial(**kwargs).expand(map_item=<expand>)``


@dataclass
class GroupIR:
    id: str
    var: str
    kwargs: dict[str, Expr]  # of ``TaskGroup(...)``


@dataclass
class WorkflowIR:
    dag_id: str
    version: int | None
    dag_kwargs: dict[str, Expr]  # of ``DAG(...)``
    tasks: dict[str, TaskIR]  # node id (or generated task id) -> task, in spec order
    groups: dict[str, GroupIR]
    deps: list[tuple[str, str]]  # explicit (upstream var, downstream var), emission order
    children: dict[str | None, list[tuple[str, str]]]  # group id (None = DAG) -> ordered members
    imports: ImportSet  # besides the operator, DAG and TaskGroup classes the printer adds
    tools: list[Tool]  # pinned tool versions the DAG runs


class _Builder(TaskMixin, EdgeMixin, BranchMixin, OrderMixin):
    def __init__(self, wf: Workflow, resolver: ToolResolver) -> None:
        self.wf = wf
        self.resolver = resolver
        self.names = _Names()
        self.nodes = {n.id: n for n in wf.nodes}
        self.index = {n.id: i for i, n in enumerate(wf.nodes)}
        self.tasks = {}
        self.groups = {}
        self.deps = {}
        self.upstreams = {}
        self.reasons = {}
        self.tools = {}
        self.digests = {}
        self._chains = group_chains(wf)  # all at once: big specs ask per task
        self.notified = _has_notifications(wf)

    def build(self) -> WorkflowIR:
        children = self.plan()
        deps = [(self._var(a), self._var(b)) for a, b in self.deps]
        tools = [self.tools[k] for k in sorted(self.tools)]
        return self._lower(children, deps, tools)

    def plan(self) -> dict[str | None, list[tuple[str, str]]]:
        """Every task planned as data and wired (the debugger reads these plans: compiler/debug_plan.py);
        returns the emission order."""
        wf = self.wf
        self._reserve_operator_names()
        self._reserve_notifier_names()
        for group in wf.groups:
            var = self.names.take(group.id, "tg_")
            self.groups[group.id] = GroupPlan(group.id, var, group.label, group.description, group.parent)
        for node in wf.nodes:
            self.tasks[node.id] = self._task(node)
        for node_id in self.tasks:
            self.upstreams[node_id] = set()
            self.reasons[node_id] = set()
        self._wire_edges()
        self._wire_fallbacks()
        self._wire_sequential_groups()
        self._wire_mapping()
        self._trigger_rules()
        return self._order()

    def _lower(
        self,
        children: dict[str | None, list[tuple[str, str]]],
        deps: list[tuple[str, str]],
        tools: list[Tool],
    ) -> WorkflowIR:
        """The plans -> final expressions."""
        wf, imports = self.wf, ImportSet()
        if self.notified:
            for module, name in sorted(notifications.notification_import_pairs(wf)):
                imports.use(module, name)
        dag = dag_kwargs(wf, self._params(), imports, notified=self.notified)
        tasks = {}
        for task_id, plan in self.tasks.items():
            kwargs = task_kwargs(plan, self.tasks, wf, imports, notified=self.notified)
            expand = xcom(plan.expand, self.tasks) if plan.expand is not None else None
            tasks[task_id] = TaskIR(plan.node_id, plan.var, plan.operator, plan.module, kwargs, expand)
        spec_groups = {g.id: g for g in wf.groups}
        groups = {
            gid: GroupIR(gid, plan.var, group_kwargs(plan, spec_groups[gid], wf, notified=self.notified))
            for gid, plan in self.groups.items()
        }
        if wf.settings.cost_budget_usd:
            from airflow_canvas.compiler import budget
            from airflow_canvas.policies.runrecord import BUDGET_TASK_ID

            task = budget.budget_task(wf, self.names.take("cost_budget", "canvas_"), TaskIR)
            deps = deps + [(leaf, task.var) for leaf in budget.leaf_vars(wf, tasks, deps)]
            tasks[BUDGET_TASK_ID] = task
            children = {**children, None: [*children.get(None, []), ("task", BUDGET_TASK_ID)]}
        return WorkflowIR(wf.id, wf.version, dag, tasks, groups, deps, children, imports, tools)

    def _reserve_operator_names(self) -> None:
        """Airflow operator classes are imported by name: no variable may shadow one, and two
        classes of the same name from different modules cannot both be imported (validation's
        rule, held here too for a spec that skipped validation)."""
        for i, node in enumerate(self.wf.nodes):
            if node.type is NodeType.TOOL and node.operator:
                _check_node_kind(i, node)
        clashes = operator_name_problems(self.wf)
        if clashes:
            raise SpecError(clashes[:1])
        self.names.used.update(operator_class_names(self.wf))

    def _reserve_notifier_names(self) -> None:
        """Notifier classes are imported by name too: a node id must not shadow one."""
        if _has_notifications(self.wf):
            from airflow_canvas.compiler.notifications import notification_names

            self.names.used.update(notification_names(self.wf))

    def _var(self, ident: str) -> str:
        return self.tasks[ident].var if ident in self.tasks else self.groups[ident].var


def _has_notifications(wf: Workflow) -> bool:
    return bool(
        wf.notifications or any(g.notifications for g in wf.groups) or any(n.notifications for n in wf.nodes)
    )


def build_ir(wf: Workflow, tools: ToolResolver | None = None) -> WorkflowIR:
    """The IR of a validated workflow. ``tools``: the resolver validation used (``compile_workflow``
    passes it so each tool reference resolves once); a fresh one for ``wf.tools`` when not given."""
    return _Builder(wf, tools if tools is not None else ToolResolver(wf.tools)).build()
