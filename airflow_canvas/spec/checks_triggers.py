"""Checks of how a workflow starts: its schedule and the Asset events it waits for."""

from __future__ import annotations

from airflow_canvas.spec._context import Context
from airflow_canvas.spec.problems import did_you_mean, pointer
from airflow_canvas.spec.schedule import PRESETS, check_asset_uri, check_schedule

_HINTS = {
    "cron": "Use 5 fields: minute hour day-of-month month day-of-week, e.g. '0 6 * * 1-5'.",
    "preset": f"Use one of {', '.join(PRESETS)}.",
    "interval": "Use e.g. '30m', '6h', '1d', '1h30m' or an ISO 8601 duration such as 'PT30M'.",
}


def check_schedule_trigger(ctx: Context) -> None:
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


def check_assets(ctx: Context) -> None:
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
