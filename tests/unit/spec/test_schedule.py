"""Schedule and Asset URI parsing (airflow_canvas.spec.schedule)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from airflow_canvas.spec.schedule import check_asset_uri, check_schedule, parse_interval


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2w", timedelta(weeks=2)),
        ("45s", timedelta(seconds=45)),
        ("PT30M", timedelta(minutes=30)),
        ("P1DT6H", timedelta(days=1, hours=6)),
        ("P2W", timedelta(weeks=2)),
        ("pt1.5s", timedelta(seconds=1.5)),
    ],
)
def test_intervals(text: str, expected: timedelta) -> None:
    assert parse_interval(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0m", "positive"),
        ("P", "without any amount"),
        ("PT", "without any amount"),
        ("P1M", "months"),
        ("P1Y2M", "months"),
        ("5 minutes", "not an interval"),
        ("", "not an interval"),
        ("1x", "not an interval"),
    ],
)
def test_bad_intervals(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_interval(text)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("cron", "0 6 * * 1-5"),
        ("cron", "*/15 * * * *"),
        ("cron", "@daily"),
        ("preset", "@once"),
        ("preset", "@continuous"),
        ("preset", "@quarterly"),
        ("interval", "10m"),
    ],
)
def test_good_schedules(kind: str, value: str) -> None:
    check_schedule(kind, value)


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("cron", "0 6 * * 1-5 2024", "6 fields"),
        ("cron", "0 25 * * *", "not a valid cron"),
        ("cron", "0 6 * * mon-xyz", "not a valid cron"),
        ("preset", "@fortnightly", "presets"),
        ("preset", "0 0 * * *", "presets"),
        ("interval", "@daily", "not an interval"),
    ],
)
def test_bad_schedules(kind: str, value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_schedule(kind, value)


@pytest.mark.parametrize(
    "uri", ["s3://bucket/key.csv", "file:///data/x.json", "my_plain_name", "x-custom://a"]
)
def test_good_asset_uris(uri: str) -> None:
    check_asset_uri(uri)


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("airflow://x", "reserved"),
        (" s3://b/k", "whitespace"),
        ("s3://b/\nk", "control"),
        ("self", "reserves"),
        ("3s://b", "invalid scheme"),
        ("s3://", "no location"),
        ("http://[::1/x", "not a valid URI"),
        ("s3://b/" + "k" * 1500, "1500"),
    ],
)
def test_bad_asset_uris(uri: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_asset_uri(uri)
