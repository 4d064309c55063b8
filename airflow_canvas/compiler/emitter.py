"""IR -> Python source of a DAG file.

Each concern has its own small function returning keyword arguments or lines, so another concern
(notifications, ...) can be added without touching the others. User data enters only through
:class:`Lit` / :func:`lit_expr` / :func:`py_str`; names come from the IR's own mangling, and every
name written as code goes through pyfmt's checks (:func:`checked_name`, :func:`checked_path`, the
checks of :class:`Code` and :class:`Call`) right here, whatever the IR holds.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime, timezone
from typing import Any

from airflow_canvas.compiler.ir import GroupIR, TaskIR, WorkflowIR, XComRef
from airflow_canvas.compiler.pyfmt import (
    INDENT,
    LINE_LENGTH,
    Call,
    Code,
    DictOf,
    Expr,
    ListOf,
    Lit,
    UnsafeCode,
    call,
    checked_name,
    checked_path,
    lit_expr,
    py_str,
    render,
    render_call_block,
)
from airflow_canvas.spec.models import (
    AIRFLOW_TASK_KNOBS,
    CALLABLE_KEY,
    ID_RE,
    ExecutionPolicy,
    OnError,
    Workflow,
    is_dotted_path,
)
from airflow_canvas.spec.problems import Problem, SpecError

SDK = "airflow.sdk"
STDLIB_MODULES = ("datetime",)
# JSON Schema keywords passed to Param(...) as keyword arguments (all valid Python identifiers).
PARAM_KEYWORDS = (
    "type",
    "title",
    "description",
    "enum",
    "const",
    "format",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "examples",
)
POLICY_FIELDS = AIRFLOW_TASK_KNOBS
_HEX_RE = re.compile(r"[0-9a-f]+")


class Imports:
    def __init__(self) -> None:
        self.names: dict[str, set[str]] = {}

    def use(self, module: str, name: str) -> str:
        self.names.setdefault(checked_path(module), set()).add(checked_name(name))
        return name

    def add_line(self, line: str) -> None:
        """Accept 'from x import A, B' lines produced by other emitters (notifications)."""
        tree = ast.parse(line)
        for stmt in tree.body:
            if not isinstance(stmt, ast.ImportFrom) or stmt.module is None:
                raise ValueError(f"unsupported import line {line!r}")
            for alias in stmt.names:
                self.use(stmt.module, alias.name)

    def lines(self) -> list[str]:
        """isort/ruff order: stdlib, then third party; constants, classes, functions per line."""

        def key(name: str) -> tuple[int, str]:
            kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
            return kind, name.lower()

        def block(modules: list[str]) -> list[str]:
            out = []
            for module in sorted(modules):
                names = ", ".join(sorted(self.names[module], key=key))
                line = f"from {module} import {names}"
                if len(line) > LINE_LENGTH:
                    inner = "".join(f"{INDENT}{n},\n" for n in sorted(self.names[module], key=key))
                    line = f"from {module} import (\n{inner})"
                out.append(line)
            return out

        stdlib = [m for m in self.names if m in STDLIB_MODULES]
        lines = block(stdlib)
        third_party = block([m for m in self.names if m not in STDLIB_MODULES])
        if lines and third_party:
            lines.append("")  # one blank line between the sections
        return lines + third_party


def td(seconds: float, imports: Imports) -> Call:
    """timedelta with the largest whole units, e.g. timedelta(hours=1, minutes=30)."""
    imports.use("datetime", "timedelta")
    if seconds != int(seconds):
        return call("timedelta", seconds=Lit(seconds))
    rest = int(seconds)
    kwargs: dict[str, Expr | None] = {}
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1)):
        amount, rest = divmod(rest, size)
        if amount:
            kwargs[unit] = Lit(amount)
    return call("timedelta", **(kwargs or {"seconds": Lit(0)}))


def safe_doc(text: str) -> str | None:
    """Airflow reads a doc_md ending in '.md' as a file path; user text must stay text."""
    if not text:
        return None
    return text + "\n" if text.endswith(".md") else text


def xcom(ref: XComRef, ir: WorkflowIR) -> Code:
    var = ir.tasks[ref.node_id].var
    return Code(f"{var}.output" if ref.key is None else f"{var}.output[{py_str(ref.key)}]")


def code_to_expr(source: str) -> Expr:
    """Re-read an expression another emitter wrote, so it is printed (and wrapped) like ours.

    Accepts only calls, names, attributes and literals: anything else is refused."""
    return _convert(ast.parse(source, mode="eval").body)


def _convert(node: ast.AST) -> Expr:
    if isinstance(node, ast.Constant):
        return Lit(node.value)
    if isinstance(node, (ast.Name, ast.Attribute)):
        return Code(ast.unparse(node))
    if isinstance(node, ast.List):
        return ListOf(tuple(_convert(e) for e in node.elts))
    if isinstance(node, ast.Dict) and all(k is not None for k in node.keys):
        return DictOf(tuple((_convert(k), _convert(v)) for k, v in zip(node.keys, node.values, strict=False)))  # type: ignore[arg-type]
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
    ):
        return Lit(-node.operand.value)  # type: ignore[operator]
    if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
        kwargs = []
        for kw in node.keywords:
            if kw.arg is None:
                raise ValueError("**kwargs are not allowed in generated code")
            kwargs.append((kw.arg, _convert(kw.value)))
        return Call(ast.unparse(node.func), tuple(_convert(a) for a in node.args), tuple(kwargs))
    raise ValueError(f"unsupported expression in generated code: {ast.dump(node)[:80]}")


# -- notifications hook ------------------------------------------------------------------------
# The policies engineer's compiler/notifications.py renders notifier calls; when it is absent (or
# a workflow has none), nothing is added.
def _notifications():  # type: ignore[no-untyped-def]
    try:
        from airflow_canvas.compiler import notifications
    except ImportError:
        return None
    return notifications


def notification_imports(ir: WorkflowIR, imports: Imports) -> None:
    module = _notifications() if ir.has_notifications else None
    if module is None:
        return
    for line in module.notification_imports(ir.wf):
        imports.add_line(line)


def _hook(name: str, ir: WorkflowIR, *args: Any) -> dict[str, Expr]:
    module = _notifications() if ir.has_notifications else None
    if module is None:
        return {}
    return {k: code_to_expr(v) for k, v in getattr(module, name)(ir.wf, *args).items()}


# -- the DAG -----------------------------------------------------------------------------------
def schedule_expr(wf: Workflow, imports: Imports) -> Expr:
    from airflow_canvas.spec.schedule import CRON_PRESETS, parse_interval

    triggers = wf.triggers
    schedule, assets = triggers.schedule, triggers.assets
    asset_expr = _asset_condition(assets.condition, imports) if assets and assets.condition else None
    if assets and asset_expr is None:
        items = [call(imports.use(SDK, "Asset"), Lit(u)) for u in assets.uris]
        combine = "AssetAll" if assets.mode == "and" else "AssetAny"
        asset_expr = items[0] if len(items) == 1 else call(imports.use(SDK, combine), *items)
    if schedule is None:
        return asset_expr if asset_expr is not None else Code("None")
    if schedule.kind == "interval":
        time_expr: Expr = td(parse_interval(schedule.value).total_seconds(), imports)
    else:
        time_expr = Lit(schedule.value.strip())
    if asset_expr is None:
        return time_expr
    if schedule.kind == "interval":
        timetable = call(imports.use(SDK, "DeltaTriggerTimetable"), time_expr)
    else:
        cron = CRON_PRESETS.get(schedule.value.strip(), schedule.value.strip())
        if cron.startswith("@"):
            raise SpecError(
                [
                    Problem(
                        "E_SCHEDULE_WITH_ASSETS",
                        f"The preset {cron!r} cannot be combined with Asset triggers.",
                        "/triggers/schedule/value",
                        hint="Use a cron expression or an interval together with Assets.",
                    )
                ]
            )
        timetable = call(imports.use(SDK, "CronTriggerTimetable"), Lit(cron), timezone=Lit("UTC"))
    return call(imports.use(SDK, "AssetOrTimeSchedule"), timetable=timetable, assets=asset_expr)


def _asset_condition(condition: Any, imports: Imports) -> Expr:
    if isinstance(condition, str):
        return call(imports.use(SDK, "Asset"), Lit(condition))
    if not isinstance(condition, dict) or len(condition) != 1:
        raise SpecError(
            [Problem("E_ASSET_CONDITION", "An asset condition is {'and'|'or': [...]}.", "/triggers/assets")]
        )
    ((op, operands),) = condition.items()
    combine = {"and": "AssetAll", "or": "AssetAny"}.get(op)
    if combine is None or not isinstance(operands, list) or not operands:
        raise SpecError(
            [Problem("E_ASSET_CONDITION", f"Unknown asset condition {op!r}.", "/triggers/assets/condition")]
        )
    return call(imports.use(SDK, combine), *(_asset_condition(o, imports) for o in operands))


def start_date_expr(value: str, imports: Imports) -> Call:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    parts = [moment.year, moment.month, moment.day]
    clock = [moment.hour, moment.minute, moment.second]
    while clock and clock[-1] == 0:
        clock.pop()
    imports.use("datetime", "datetime")
    imports.use("datetime", "timezone")
    return Call("datetime", tuple(Lit(p) for p in [*parts, *clock]), (("tzinfo", Code("timezone.utc")),))


def policy_kwargs(
    policy: ExecutionPolicy, imports: Imports, *, only: set[str] | None = None
) -> dict[str, Expr]:
    """Airflow's own task arguments for an execution policy (retries, timeout, pool, ...)."""
    fields = policy.model_fields_set if only is None else only
    out: dict[str, Expr] = {}
    if "retry" in fields and policy.retry is not None:
        retry = policy.retry
        out["retries"] = Lit(retry.retries)
        if retry.retries:  # the delay and backoff of a task that never retries would only be noise
            out["retry_delay"] = td(retry.delay_seconds, imports)
            if retry.exponential_backoff:
                out["retry_exponential_backoff"] = Lit(2.0)
            if retry.max_delay_seconds is not None:
                out["max_retry_delay"] = td(retry.max_delay_seconds, imports)
    if "timeout_seconds" in fields and policy.timeout_seconds is not None:
        out["execution_timeout"] = td(policy.timeout_seconds, imports)
    for name in POLICY_FIELDS:
        value = getattr(policy, name)
        if name in fields and value is not None:
            out[name] = Lit(value)
    return out


def params_expr(ir: WorkflowIR, imports: Imports) -> Expr | None:
    if not ir.params:
        return None
    items = []
    for name, schema in ir.params.items():
        required = schema.get("__required__", False)
        kwargs = {k: lit_expr(schema[k]) for k in PARAM_KEYWORDS if k in schema}
        args: tuple[Expr, ...] = ()
        if "default" in schema:
            args = (lit_expr(schema["default"]),)
        elif not required:
            args = (Lit(None),)
            if isinstance(schema.get("type"), str):
                kwargs["type"] = lit_expr([schema["type"], "null"])
        param = Call(imports.use(SDK, "Param"), args, tuple(kwargs.items()))
        items.append((Lit(name), param))
    return DictOf(tuple(items))


def dag_call(ir: WorkflowIR, imports: Imports) -> Call:
    wf = ir.wf
    settings = wf.settings
    default_args: dict[str, Expr] = {"owner": Lit(settings.owner)}
    default_args |= policy_kwargs(wf.defaults, imports)
    default_args |= _hook("dag_default_args", ir)
    kwargs: dict[str, Expr | None] = {
        "dag_id": Lit(wf.id),
        "dag_display_name": Lit(wf.name) if wf.name and wf.name != wf.id else None,
        "schedule": schedule_expr(wf, imports),
        "start_date": start_date_expr(settings.start_date, imports),
        "catchup": Lit(settings.catchup),
        "max_active_runs": Lit(settings.max_active_runs) if settings.max_active_runs else None,
        "max_active_tasks": Lit(settings.max_active_tasks) if settings.max_active_tasks else None,
        "dagrun_timeout": td(settings.dagrun_timeout_seconds, imports)
        if settings.dagrun_timeout_seconds
        else None,
        "default_args": DictOf(tuple((Lit(k), v) for k, v in default_args.items())),
        "params": params_expr(ir, imports),
        "tags": lit_expr(list(dict.fromkeys(wf.tags))) if wf.tags else None,
    }
    kwargs |= _hook("dag_kwargs", ir)
    doc = safe_doc(wf.description)
    kwargs["doc_md"] = Lit(doc) if doc else None
    return call(imports.use(SDK, "DAG"), **kwargs)


# -- tasks -------------------------------------------------------------------------------------
def canvas_kwargs(task: TaskIR, ir: WorkflowIR) -> dict[str, Expr | None]:
    """How a canvas operator reads its inputs and what it checks them against."""
    node = task.node
    out: dict[str, Expr | None] = {
        "upstream_outputs": DictOf(tuple((Lit(k), xcom(v, ir)) for k, v in task.upstream_outputs.items()))
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


def operator_kwarg(value: Any, imports: Imports) -> Expr:
    """An Airflow operator argument. ``{"$callable": "pkg.mod.func"}`` (how importers keep a callable
    such as dag-factory's ``python_callable: pkg.mod.func``) becomes ``import_string("pkg.mod.func")``:
    the path stays a literal, never code, and must be a dotted path (validation says so first)."""
    if isinstance(value, dict) and set(value) == {CALLABLE_KEY}:
        path = value[CALLABLE_KEY]
        if not is_dotted_path(path):
            raise UnsafeCode(f"{path!r} is not a callable's import path (pkg.module.function)")
        return call(imports.use("airflow.sdk.module_loading", "import_string"), Lit(path))
    return lit_expr(value)


def task_call(task: TaskIR, ir: WorkflowIR, imports: Imports) -> Call:
    imports.use(task.module, task.operator)
    node = task.node
    kwargs: dict[str, Expr | None] = {"task_id": Lit(task.node_id)}
    if node is not None and node.name and node.name != node.id:
        kwargs["task_display_name"] = Lit(node.name)
    kwargs |= {
        k: operator_kwarg(v, imports) if not task.is_canvas else lit_expr(v) for k, v in task.kwargs.items()
    }
    if task.is_canvas:
        kwargs |= canvas_kwargs(task, ir)
    else:
        kwargs |= {k: xcom(v, ir) for k, v in task.operator_xcom_kwargs.items()}
    if task.multiple_outputs:
        kwargs["multiple_outputs"] = Lit(True)
    if task.outlets:
        kwargs["outlets"] = ListOf(tuple(call(imports.use(SDK, "Asset"), Lit(u)) for u in task.outlets))
    kwargs["trigger_rule"] = Lit(task.trigger_rule) if task.trigger_rule else None
    if node is not None:
        kwargs |= policy_kwargs(task.policy, imports, only=set(node.execution.model_fields_set))
        kwargs |= _hook("task_callbacks", ir, node)
        doc = safe_doc(node.description)
        kwargs["doc_md"] = Lit(doc) if doc else None
    return call(task.operator, **kwargs)


def task_lines(task: TaskIR, ir: WorkflowIR, imports: Imports, indent: str) -> list[str]:
    expr = task_call(task, ir, imports)
    prefix = f"{checked_name(task.var)} = "
    if task.expand is None:
        return render_call_block(expr, indent=indent, prefix=prefix)
    partial = Call(f"{expr.func}.partial", expr.args, expr.kwargs)
    expand = f".expand(map_item={xcom(task.expand, ir).text})"
    return render_call_block(partial, indent=indent, prefix=prefix, suffix=expand)


def group_header(group: GroupIR, ir: WorkflowIR, imports: Imports, indent: str) -> list[str]:
    spec_group = next(g for g in ir.wf.groups if g.id == group.id)
    default_args = _hook("group_default_args", ir, spec_group)
    doc = safe_doc(group.description)
    expr = call(
        imports.use(SDK, "TaskGroup"),
        group_id=Lit(group.id),
        group_display_name=Lit(group.label) if group.label and group.label != group.id else None,
        tooltip=Lit(group.description) if group.description else None,
        default_args=DictOf(tuple((Lit(k), v) for k, v in default_args.items())) if default_args else None,
        doc_md=Lit(doc) if doc else None,
    )
    return render(expr, indent=indent, prefix="with ", suffix=f" as {checked_name(group.var)}:")


def body_lines(ir: WorkflowIR, imports: Imports, level: str | None, indent: str) -> list[str]:
    lines: list[str] = []
    for kind, ident in ir.children.get(level, []):
        if lines:
            lines.append("")
        if kind == "task":
            lines.extend(task_lines(ir.tasks[ident], ir, imports, indent))
        elif ir.children.get(ident):
            lines.extend(group_header(ir.groups[ident], ir, imports, indent))
            lines.extend(body_lines(ir, imports, ident, indent + INDENT))
        elif lines:
            lines.pop()
    return lines


def dependency_lines(ir: WorkflowIR, indent: str) -> list[str]:
    """`a >> b >> c` along simple paths, `a >> [b, c]` for fan-out, in first-seen order."""
    grouped: dict[str, list[str]] = {}
    incoming: dict[str, int] = {}
    for up, down in ir.deps:
        grouped.setdefault(up, []).append(down)
        incoming[down] = incoming.get(down, 0) + 1
    lines: list[str] = []
    emitted: set[str] = set()
    for up, downs in grouped.items():
        if up in emitted:
            continue
        chain = [up]
        # Follow single links through tasks that have this one upstream and are not heads yet.
        while len(downs) == 1 and incoming[downs[0]] == 1 and downs[0] in grouped and downs[0] not in chain:
            chain.append(downs[0])
            emitted.add(downs[0])
            downs = grouped[downs[0]]
        target: Expr = Code(downs[0]) if len(downs) == 1 else ListOf(tuple(Code(d) for d in downs))
        lines.extend(render(target, indent=indent, prefix=" >> ".join(map(checked_name, chain)) + " >> "))
    return lines


def header(ir: WorkflowIR, spec_hash: str) -> list[str]:
    wf = ir.wf
    # The only user text written outside a literal (inside the docstring): the id, checked again.
    if not isinstance(wf.id, str) or not ID_RE.fullmatch(wf.id):
        raise UnsafeCode(f"workflow id {wf.id!r} cannot be written into the header")
    if not (isinstance(wf.version, int) or wf.version is None) or not _HEX_RE.fullmatch(spec_hash):
        raise UnsafeCode("the version and spec hash in the header must be a number and a hex digest")
    version = f"version {wf.version}" if wf.version is not None else "unversioned"
    return [
        f'"""Airflow DAG for the airflow-canvas workflow {wf.id} ({version}).',
        "",
        f"Spec hash: sha256:{spec_hash}",
        "Generated by airflow-canvas; edit the workflow, not this file.",
        '"""',
    ]


def emit(ir: WorkflowIR, spec_hash: str) -> str:
    imports = Imports()
    notification_imports(ir, imports)
    dag = dag_call(ir, imports)
    body = body_lines(ir, imports, None, INDENT)
    deps = dependency_lines(ir, INDENT)
    lines = header(ir, spec_hash) + [""]
    lines += imports.lines() + [""]
    lines += render_call_block(dag, indent="", prefix="with ", suffix=":")
    lines += body or [f"{INDENT}pass"]
    if deps:
        lines += ["", *deps]
    return "\n".join(lines) + "\n"
