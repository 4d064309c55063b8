"""Parsing of schedule values and Asset URIs, shared by validation and the compiler.

Kept free of Airflow imports so `airflow-canvas validate` starts fast; the rules mirror Airflow 3.3
(`airflow.sdk.definitions.dag._create_timetable`, `airflow.sdk.definitions.asset._sanitize_uri`).
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import timedelta

# Airflow's cron presets plus the two special schedules `_create_timetable` understands.
CRON_PRESETS: dict[str, str] = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
}
PRESETS: tuple[str, ...] = ("@once", "@continuous", *CRON_PRESETS)

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SHORT_INTERVAL_RE = re.compile(r"^(?:\d+(?:\.\d+)?[smhdw])+$")
_SHORT_PART_RE = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_ISO_RE = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_ISO_CALENDAR_RE = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T.*)?$")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*$")
MAX_ASSET_URI_LENGTH = 1500  # Airflow's limit on asset identifiers


def parse_interval(text: str) -> timedelta:
    """'30m', '6h', '1d', '1h30m', '2w' or an ISO 8601 duration ('PT30M', 'P1DT6H') -> timedelta.

    Raises ValueError with a message fit for a user. Years and months are refused: they have no
    fixed length, and a cron expression or preset says what is meant more clearly.
    """
    value = text.strip()
    if _SHORT_INTERVAL_RE.match(value):
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _SHORT_PART_RE.findall(value))
    elif match := _ISO_RE.match(value.upper()):
        if value.upper() in ("P", "PT") or value.upper().endswith("T"):
            raise ValueError(f"{text!r} is an ISO 8601 duration without any amount")
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        seconds = timedelta(**parts).total_seconds()
    elif _ISO_CALENDAR_RE.match(value.upper()) and value.upper() != "P":
        raise ValueError(
            f"{text!r} uses years or months, which have no fixed length; use a cron expression or a preset"
        )
    else:
        raise ValueError(f"{text!r} is not an interval like '30m', '6h', '1d' or an ISO 8601 duration")
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive interval")
    return timedelta(seconds=seconds)


def check_cron(expression: str) -> None:
    """Raise ValueError unless Airflow can schedule this 5-field cron expression (or a preset)."""
    from croniter import croniter  # Airflow's own dependency; imported late to keep start-up fast

    value = CRON_PRESETS.get(expression.strip(), expression.strip())
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"{expression!r} has {len(fields)} fields; Airflow schedules use 5 "
            "(minute hour day-of-month month day-of-week)"
        )
    try:
        croniter(value)
    except (ValueError, KeyError, TypeError) as exc:  # croniter's errors subclass ValueError
        raise ValueError(f"{expression!r} is not a valid cron expression: {exc}") from None


def check_schedule(kind: str, value: str) -> None:
    """Raise ValueError unless ``value`` parses as a schedule of ``kind`` (cron|preset|interval)."""
    if kind == "preset":
        if value.strip() not in PRESETS:
            raise ValueError(f"{value!r} is not one of Airflow's presets ({', '.join(PRESETS)})")
    elif kind == "cron":
        check_cron(value)
    else:
        parse_interval(value)


def check_asset_uri(uri: str) -> None:
    """Raise ValueError unless Airflow accepts ``uri`` as an Asset URI.

    Stricter than Airflow in one way: leading/trailing whitespace and control characters are
    refused, since they are never intended and make two "equal" assets differ.
    """
    if not uri or uri.isspace():
        raise ValueError("an Asset URI must not be empty")
    if len(uri) > MAX_ASSET_URI_LENGTH:
        raise ValueError(f"an Asset URI cannot exceed {MAX_ASSET_URI_LENGTH} characters")
    if uri != uri.strip() or any(ord(c) < 32 or ord(c) == 127 for c in uri):
        raise ValueError(f"{uri!r} has surrounding whitespace or control characters")
    if uri in ("self", "context"):
        raise ValueError(f"{uri!r} is a name Airflow reserves")
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return  # Airflow takes a string that does not look like a URI as a plain name.
    if not _SCHEME_RE.match(scheme):
        raise ValueError(f"{uri!r} has an invalid scheme {scheme!r}")
    if scheme.lower() == "airflow":
        raise ValueError("the Asset URI scheme 'airflow' is reserved by Airflow")
    if not rest:
        raise ValueError(f"{uri!r} names no location after '{scheme}://'")
    try:
        urllib.parse.urlsplit(uri)
    except ValueError as exc:  # e.g. a malformed IPv6 netloc
        raise ValueError(f"{uri!r} is not a valid URI: {exc}") from None
