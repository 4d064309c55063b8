"""Lowering, the tasks' part: a :class:`TaskPlan` becomes the final keyword arguments of its
operator call, and a group the keyword arguments of its ``TaskGroup(...)``, as expressions."""

from __future__ import annotations

from typing import Any

from airflow_canvas.compiler import notifications
from airflow_canvas.compiler.imports import ImportSet
from airflow_canvas.compiler.ir_tasks import GroupPlan, TaskPlan, XComRef
from airflow_canvas.compiler.lower_dag import SDK, policy_kwargs, safe_doc
from airflow_canvas.compiler.pyfmt import Code, DictOf, Expr, ListOf, Lit, UnsafeCode, call, lit_expr, py_str
from airflow_canvas.spec.models import CALLABLE_KEY, Group, OnError, Workflow, is_dotted_path


def xcom(ref: XComRef, tasks: dict[str, TaskPlan]) -> Code:
    var = tasks[ref.node_id].var
    return Code(f"{var}.output" if ref.key is None else f"{var}.output[{py_str(ref.key)}]")


def canvas_kwargs(task: TaskPlan, tasks: dict[str, TaskPlan]) -> dict[str, Expr | None]:
    """How a canvas operator reads its inputs and what it checks them against."""
    node = task.node
    out: dict[str, Expr | None] = {
        "upstream_outputs": DictOf(tuple((Lit(k), xcom(v, tasks)) for k, v in task.upstream_outputs.items()))
        if task.upstream_outputs
        else None,
        "input_mapping": lit_expr(task.input_mapping) if task.input_mapping else None,
        "merge_upstream": lit_expr(task.merge_upstream) if task.merge_upstream else None,
        "fallbacks": lit_expr(task.fallbacks) if task.fallbacks else None,
    }
    if node is not None:
        out["parameters"] = lit_expr(node.parameters) if node.parameters else None
        out["templates"] = lit_expr(node.templates) if node.templates else None
        out["input_schema"] = lit_expr(node.input_schema) if node.input_schema else None
        out["output_schema"] = lit_expr(node.output_schema) if node.output_schema else None
        policy = task.policy
        if policy.on_error is not None and policy.on_error is not OnError.FAIL:
            out["on_error"] = Lit(policy.on_error.value)
        out["log_payloads"] = Lit(policy.log_payloads) if policy.log_payloads else None
        out["log_level"] = Lit(policy.log_level) if policy.log_level else None
    return out


def operator_kwarg(value: Any, imports: ImportSet) -> Expr:
    """An Airflow operator argument. ``{"$callable": "pkg.mod.func"}`` (how importers keep a callable
    such as dag-factory's ``python_callable: pkg.mod.func``) becomes ``import_string("pkg.mod.func")``:
    the path stays a literal, never code, and must be a dotted path (validation says so first)."""
    if isinstance(value, dict) and set(value) == {CALLABLE_KEY}:
        path = value[CALLABLE_KEY]
        if not is_dotted_path(path):
            raise UnsafeCode(f"{path!r} is not a callable's import path (pkg.module.function)")
        return call(imports.use("airflow.sdk.module_loading", "import_string"), Lit(path))
    return lit_expr(value)


def task_kwargs(
    task: TaskPlan, tasks: dict[str, TaskPlan], wf: Workflow, imports: ImportSet, *, notified: bool
) -> dict[str, Expr]:
    """Every keyword argument of the task's operator call, in the order they are printed."""
    node = task.node
    kwargs: dict[str, Expr | None] = {"task_id": Lit(task.node_id)}
    if node is not None and node.name and node.name != node.id:
        kwargs["task_display_name"] = Lit(node.name)
    kwargs |= {
        k: operator_kwarg(v, imports) if not task.is_canvas else lit_expr(v) for k, v in task.kwargs.items()
    }
    if task.is_canvas:
        kwargs |= canvas_kwargs(task, tasks)
    else:
        kwargs |= {k: xcom(v, tasks) for k, v in task.operator_xcom_kwargs.items()}
    if task.multiple_outputs:
        kwargs["multiple_outputs"] = Lit(True)
    if task.outlets:
        kwargs["outlets"] = ListOf(tuple(call(imports.use(SDK, "Asset"), Lit(u)) for u in task.outlets))
    kwargs["trigger_rule"] = Lit(task.trigger_rule) if task.trigger_rule else None
    if node is not None:
        kwargs |= policy_kwargs(task.policy, imports, only=set(node.execution.model_fields_set))
        if notified:
            kwargs |= notifications.task_callback_exprs(wf, node)
        doc = safe_doc(node.description)
        kwargs["doc_md"] = Lit(doc) if doc else None
    return {k: v for k, v in kwargs.items() if v is not None}


def group_kwargs(plan: GroupPlan, group: Group, wf: Workflow, *, notified: bool) -> dict[str, Expr]:
    """The keyword arguments of the group's ``TaskGroup(...)``."""
    default_args = notifications.group_default_arg_exprs(wf, group) if notified else {}
    doc = safe_doc(plan.description)
    kwargs: dict[str, Expr | None] = {
        "group_id": Lit(plan.id),
        "group_display_name": Lit(plan.label) if plan.label and plan.label != plan.id else None,
        "tooltip": Lit(plan.description) if plan.description else None,
        "default_args": DictOf(tuple((Lit(k), v) for k, v in default_args.items())) if default_args else None,
        "doc_md": Lit(doc) if doc else None,
    }
    return {k: v for k, v in kwargs.items() if v is not None}
