"""Numbers, durations and schedules in words: "five" -> 5, "an hour and a half" -> 5400 s,
"weekdays at 8:30" -> ``30 8 * * 1-5``, and a cron expression explained back in words.

Number words go through text2num (``alpha2digit``); what it leaves alone (``once``, ``twice``,
``half an hour``, ``a minute``) is handled here. Schedules are compiled to cron (or an Airflow
preset) by a few small rules over the normalised text, never by evaluating anything."""

from __future__ import annotations

import functools
import re

from text_to_num import alpha2digit

UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}
_UNIT = r"(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)"


def digits(text: str) -> str:
    """Number words to digits ("retry three times" -> "retry 3 times"); "once"/"twice"/"thrice"
    stay words (they are frequencies as often as counts), "a second" stays a duration."""
    text = re.sub(r"\ba second\b", "1 second", text, flags=re.IGNORECASE)
    try:
        return alpha2digit(text, "en", threshold=0)
    except Exception:  # text2num raises on odd inputs; the words simply stay words
        return text


def duration_seconds(text: str) -> float | None:
    """The first duration in ``text``: '10m', '2 minutes', '1h30m', 'an hour and a half',
    'half an hour', 'a minute', '90 seconds'; None when there is none."""
    t = digits(text.lower())
    half = re.search(r"\bhalf an? (hour|minute|day)\b", t)
    if half:
        return UNIT_SECONDS[half.group(1)] / 2
    t = re.sub(r"\b(an?|one)\s+(hour|minute|second|day)\b", r"1 \2", t)
    m = re.search(
        rf"(\d+(?:\.\d+)?)\s*({_UNIT})(?![a-z])(?:\s*(?:and\s+)?(?:(a half)|(\d+(?:\.\d+)?)\s*({_UNIT})(?![a-z])))?",
        t,
    )
    if not m:
        return None
    total = float(m.group(1)) * UNIT_SECONDS[m.group(2)]
    if m.group(3):  # "1 hour and a half"
        total += UNIT_SECONDS[m.group(2)] / 2
    elif m.group(4):  # "1h 30m", "1 hour and 30 minutes"
        total += float(m.group(4)) * UNIT_SECONDS[m.group(5)]
    return total


def count(text: str) -> int | None:
    """A whole count: '3', 'three', 'once', 'twice', 'no' (retries) -> int; None when absent."""
    t = digits(text.lower())
    for word, n in (("once", 1), ("twice", 2), ("thrice", 3)):
        if re.search(rf"\b{word}\b", t):
            return n
    m = re.search(r"\b(\d+)(?:x\b|\b)", t)  # "3", "3 times", "2x"
    return int(m.group(1)) if m else None


# -- schedules -------------------------------------------------------------------------------------

_DAYS = {
    "sunday": 0,
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
}
_DAY_RE = r"(sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)(?:day|nesday|sday|rsday|urday)?s?"


def _day_number(word: str) -> int:
    word = word.lower()
    return next(n for name, n in _DAYS.items() if name.startswith(word[:3]))


def _times(t: str) -> list[tuple[int, int]] | None:
    """Times of day named in ``t`` ('at 8', 'at 8:30', '11pm', 'midnight', 'noon', 'at 7am and 7pm',
    'at 6 in the morning'). A bare number counts only after 'at' / 'and' or with am/pm."""
    if "midnight" in t:
        return [(0, 0)]
    if re.search(r"\b(noon|midday)\b", t):
        return [(12, 0)]
    found: list[tuple[int, int, str]] = []
    for m in re.finditer(
        r"(\bat\s+|\band\s+|,\s*)?\b(\d{1,2})(?:(?::|\.|\s)(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?![\w:])", t
    ):
        lead, half = (m.group(1) or "").strip(), (m.group(4) or "").replace(".", "")
        if not (lead == "at" or half or (lead in ("and", ",") and found)):
            continue
        found.append((int(m.group(2)), int(m.group(3) or 0), half))
    if not found:
        return None
    evening = bool(re.search(r"\b(evening|night|tonight|afternoon)\b", t))
    times = []
    for hour, minute, half in found:
        if half == "pm" and hour < 12:
            hour += 12
        elif half == "am" and hour == 12:
            hour = 0
        elif not half and evening and hour < 12:
            hour += 12
        if hour > 23 or minute > 59:
            return None
        times.append((hour, minute))
    return times


def _cron_hours(times: list[tuple[int, int]]) -> tuple[str, str] | None:
    minutes = {m for _, m in times}
    if len(minutes) != 1:
        return None
    return str(minutes.pop()), ",".join(str(h) for h in sorted({h for h, _ in times}))


def natural_schedule(text: str) -> tuple[str, str] | None:
    """('cron', '30 8 * * 1-5'), ('preset', '@daily') or ('interval', '30m') from words; None when
    the text names no schedule this understands."""
    t = digits(text.lower())
    t = re.sub(r"\b(o'?clock|sharp)\b", "", t)
    per_hour = re.search(r"\b(once|twice|thrice|\d+ times)\s+(?:an|a|per|every)\s+hour\b", t)
    if per_hour:
        n = count(per_hour.group(1)) or 1
        if 60 % n == 0:
            return ("cron", "0 * * * *" if n == 1 else f"*/{60 // n} * * * *")
    every = re.search(r"\bevery\s+(\d+)\s*(minutes?|mins?|m|hours?|hrs?|h)\b", t)
    if every:
        n, unit = int(every.group(1)), every.group(2)[0]
        if unit == "m" and 0 < n < 60 and 60 % n == 0:
            return ("cron", f"*/{n} * * * *")
        if unit == "h" and 0 < n < 24 and 24 % n == 0:
            return ("cron", f"0 */{n} * * *")
        return ("interval", f"{n}{unit}")
    times = _times(t)
    hm = _cron_hours(times) if times else ("0", "0")
    if hm is None:
        return None
    minute, hour = hm
    month = re.search(
        r"\b(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+)?of\s+(?:each|every|the)\s+month", t
    )
    if month or re.search(r"\b(monthly|every month|each month|once a month)\b", t):
        day = int(month.group(1)) if month else 1
        if not 1 <= day <= 31:
            return None
        return ("cron", f"{minute} {hour} {day} * *") if (times or month) else ("preset", "@monthly")
    if re.search(r"\b(weekdays?|work ?days?|business days?|every weekday|monday to friday|mon-fri)\b", t):
        return ("cron", f"{minute} {hour} * * 1-5")
    if re.search(r"\bweekends?\b", t):
        return ("cron", f"{minute} {hour} * * 0,6")
    days = [_day_number(m.group(1)) for m in re.finditer(rf"\b{_DAY_RE}\b", t)]
    if days:
        return ("cron", f"{minute} {hour} * * {','.join(str(d) for d in sorted(set(days)))}")
    if re.search(r"\b(weekly|every week|once a week)\b", t):
        return ("cron", f"{minute} {hour} * * 0") if times else ("preset", "@weekly")
    if re.search(r"\b(hourly|every hour|each hour|once an hour)\b", t):
        return ("preset", "@hourly")
    if times or re.search(
        r"\b(daily|every day|each day|every night|nightly|every morning|every evening)\b", t
    ):
        return ("cron", f"{minute} {hour} * * *") if times else ("preset", "@daily")
    return None


@functools.lru_cache(maxsize=256)  # cron-descriptor looks its translations up on every call
def describe_schedule(kind: str, value: str) -> str:
    """The schedule in words, for the answer ("At 08:30 AM, Monday through Friday")."""
    if kind == "cron":
        try:
            from cron_descriptor import get_description

            return get_description(value)
        except Exception:  # an expression cron-descriptor does not read: say it as it is
            return f"cron `{value}`"
    presets = {
        "@hourly": "Every hour, on the hour",
        "@daily": "Every day at midnight",
        "@weekly": "Every Sunday at midnight",
        "@monthly": "At midnight on the first day of each month",
        "@yearly": "At midnight on January 1st",
        "@once": "Once",
        "@continuous": "Continuously, one run after the other",
    }
    if kind == "preset":
        return presets.get(value, value)
    return f"Every {value}"
