"""Checks of how a workflow starts: its schedule and the Asset events it waits for."""

from __future__ import annotations

from airflow_canvas.spec.problems import did_you_mean, pointer
from airflow_canvas.spec.schedule import PRESETS, check_asset_uri, check_schedule
from airflow_canvas.validation.context import ValidationContext

_HINTS = {
    "cron": "Use 5 fields: minute hour day-of-month month day-of-week, e.g. '0 6 * * 1-5'.",
    "preset": f"Use one of {', '.join(PRESETS)}.",
    "interval": "Use e.g. '30m', '6h', '1d', '1h30m' or an ISO 8601 duration such as 'PT30M'.",
}


def check_schedule_trigger(ctx: ValidationContext) -> None:
    schedule = ctx.wf.triggers.schedule
    if schedule is None:
        return
    try:
        check_schedule(schedule.kind, schedule.value)
    except ValueError as exc:
        hint = _HINTS[schedule.kind]
        if schedule.kind == "preset":
            value = schedule.value.strip()
            hint = did_you_mean(value if value.startswith("@") else "@" + value, PRESETS) or hint
        ctx.add(
            "E_SCHEDULE_INVALID",
            f"The {schedule.kind} schedule does not parse: {exc}.",
            pointer("triggers", "schedule", "value"),
            hint=hint,
        )


def check_assets(ctx: ValidationContext) -> None:
    assets = ctx.wf.triggers.assets
    if assets is None:
        return
    seen: set[str] = set()
    for k, uri in enumerate(assets.uris):
        where = pointer("triggers", "assets", "uris", k)
        try:
            check_asset_uri(uri)
        except ValueError as exc:
            ctx.add(
                "E_ASSET_URI_INVALID",
                f"Asset URI {uri!r} is not valid: {exc}.",
                where,
                hint="Use a URI such as 's3://bucket/path/file.csv' or 'file:///data/in.json'.",
            )
        if uri in seen:
            ctx.add(
                "W_ASSET_DUPLICATE",
                f"Asset URI {uri!r} is listed twice.",
                where,
                severity="warning",
                hint="Remove the repeat.",
            )
        seen.add(uri)


def _condition_problems(
    condition: object, uris: set[str], path: tuple[str | int, ...]
) -> list[tuple[str, str]]:
    """(pointer, message) for each malformed part of a nested {'and'|'or': [...]} condition."""
    if isinstance(condition, str):
        if condition not in uris:
            return [(pointer(*path), f"{condition!r} is not one of the trigger's uris")]
        return []
    if not isinstance(condition, dict) or len(condition) != 1:
        return [(pointer(*path), "a condition is a URI or an object with one key, 'and' or 'or'")]
    op, items = next(iter(condition.items()))
    if op not in ("and", "or"):
        return [(pointer(*path, op), f"{op!r} is not 'and' or 'or'")]
    if not isinstance(items, list) or not items:
        return [(pointer(*path, op), f"{op!r} needs a non-empty list")]
    found: list[tuple[str, str]] = []
    for k, item in enumerate(items):
        found.extend(_condition_problems(item, uris, (*path, op, k)))
    return found


def check_asset_condition(ctx: ValidationContext) -> None:
    assets = ctx.wf.triggers.assets
    if assets is None or assets.condition is None:
        return
    root = ("triggers", "assets", "condition")
    for where, message in _condition_problems(assets.condition, set(assets.uris), root):
        ctx.add(
            "E_ASSET_CONDITION_INVALID",
            f"The Asset condition is malformed: {message}.",
            where,
            hint="Write it like {'or': [{'and': ['s3://a', 's3://b']}, 's3://c']}, naming only listed uris.",
        )
