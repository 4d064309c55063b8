"""Lowering, the DAG's part: the keyword arguments of ``DAG(...)`` as expressions (schedule,
start date, Params, default_args with the execution policy, notifications)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from airflow_canvas.compiler import notifications
from airflow_canvas.compiler.imports import ImportSet
from airflow_canvas.compiler.pyfmt import Call, Code, DictOf, Expr, Lit, call, lit_expr
from airflow_canvas.spec.models import AIRFLOW_TASK_KNOBS, ExecutionPolicy, Workflow
from airflow_canvas.spec.problems import Problem, SpecError

SDK = "airflow.sdk"
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


def td(seconds: float, imports: ImportSet) -> Call:
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


def schedule_expr(wf: Workflow, imports: ImportSet) -> Expr:
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


def _asset_condition(condition: Any, imports: ImportSet) -> Expr:
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


def start_date_expr(value: str, imports: ImportSet) -> Call:
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
    policy: ExecutionPolicy, imports: ImportSet, *, only: set[str] | None = None
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


def params_expr(params: dict[str, dict[str, Any]], imports: ImportSet) -> Expr | None:
    if not params:
        return None
    items = []
    for name, schema in params.items():
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


def dag_kwargs(
    wf: Workflow, params: dict[str, dict[str, Any]], imports: ImportSet, *, notified: bool
) -> dict[str, Expr]:
    """``notified``: the workflow has notifications somewhere (callbacks, notifier imports)."""
    settings = wf.settings
    default_args: dict[str, Expr] = {"owner": Lit(settings.owner)}
    default_args |= policy_kwargs(wf.defaults, imports)
    if notified:
        default_args |= notifications.dag_default_arg_exprs(wf)
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
        "params": params_expr(params, imports),
        "tags": lit_expr(list(dict.fromkeys(wf.tags))) if wf.tags else None,
    }
    if notified:
        kwargs |= notifications.dag_kwarg_exprs(wf)
    doc = safe_doc(wf.description)
    kwargs["doc_md"] = Lit(doc) if doc else None
    return {k: v for k, v in kwargs.items() if v is not None}
