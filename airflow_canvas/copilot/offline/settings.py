"""Rules for setting node properties in plain words: "make the scorer try again up to 3 times",
"give collect a timeout of an hour and a half", "use gpt-4o for the assistant", "if the scorer
fails, skip it", "every step should retry 3 times", "set retires of score to 3" (a typo in the
property). Several properties in one clause become several set commands of one proposal."""

from __future__ import annotations

import re

from rapidfuzz import process

from airflow_canvas.copilot.offline.intents import Action, Clause, Result, _m, many
from airflow_canvas.copilot.offline.timewords import count, duration_seconds

# The grammar's property words (handlers.PROPERTIES) with what people also call them.
ALIASES = {
    "retry": "retries", "tries": "retries", "attempts": "retries", "retry count": "retries",
    "time out": "timeout", "time limit": "timeout", "retry delay": "retry delay", "delay": "retry delay",
    "on failure": "on error", "error handling": "on error", "llm": "model", "model name": "model",
    "instructions": "prompt", "system message": "system prompt", "steps": "max steps",
    "max_steps": "max steps", "label": "name", "display name": "name", "title": "name",
    "conn": "connection", "connection id": "connection", "priority weight": "priority",
}  # fmt: skip
_MODEL = (
    r"(?P<model>(?:gpt|claude|llama|mistral|gemini|o\d|qwen|deepseek|command)[\w.:/-]*|[\w.:/-]*\d[\w.:/-]*)"
)


def _prop_words() -> str:
    from airflow_canvas.copilot.offline.handlers import PROPERTIES

    names = sorted({*PROPERTIES, *ALIASES}, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


_PROP_WORDS = _prop_words()


def _property(word: str) -> str | None:
    from airflow_canvas.copilot.offline.handlers import PROPERTIES

    word = re.sub(r"\s+", " ", word.strip().lower())
    word = ALIASES.get(word, word)
    if word in PROPERTIES:
        return word
    hit = process.extractOne(word, list(PROPERTIES) + list(ALIASES), score_cutoff=80)
    return ALIASES.get(hit[0], hit[0]) if hit else None


def _fmt(seconds: float) -> str:
    return f"{int(seconds)}s" if seconds == int(seconds) else f"{seconds}s"


def _targets(c: Clause, phrase: str | None, commands: list[tuple[str, str]]) -> list[str]:
    def render(ids: list[str]) -> str:
        return "; ".join(f"set {p} of {' '.join(ids)} to {v}" for p, v in commands)

    if phrase is None or re.fullmatch(r"\s*", phrase):
        phrase = "these"
    return many(c, phrase.strip().strip(",").removesuffix("'s"), "set", render)


def _actions(c: Clause, phrase: str | None, commands: list[tuple[str, str]]) -> list[Action]:
    ids = _targets(c, phrase, commands)
    return [
        Action("set", f"set {p} of {', '.join(ids)} to {v}", slots={"property": p, "nodes": ",".join(ids)})
        for p, v in commands
    ]


def r_set_generic(c: Clause) -> Result:
    """'set X of N to V' with a multi-word node name or a typo'd property; 'bump the retries on
    score to 6'; 'switch the assistant's model to V'; terse 'retries score 3'."""
    t = c.text
    m = _m(r"^(?:set|change|bump|raise|increase|lower|decrease|update|make|switch)\s+(?:the\s+)?"
           r"(?P<prop>[a-z][a-z _]*?)\s+(?:of|on|for|in)\s+(?P<x>.+?)\s+(?:to|=)\s+(?P<v>.+)$", t)  # fmt: skip
    verb = r"^(?:set|change|switch|swap|update)\s+(?:the\s+)?"
    m = m or _m(rf"{verb}(?P<x>.+?)'s\s+(?P<prop>[a-z][a-z _]*?)\s+(?:to|=)\s+(?P<v>.+)$", t)
    m = m or _m(rf"{verb}(?P<x>.+?)\s+(?P<prop>{_PROP_WORDS})\s+(?:to|=)\s+(?P<v>.+)$", t)
    m = m or _m(
        r"^(?:set\s+)?(?P<prop>retries|timeout|pool|queue|model|temperature|priority)\s+(?P<x>\S+)\s+(?P<v>\S+)$",
        t,
    )
    if not m:
        return None
    prop = _property(m["prop"])
    if prop is None:
        return None
    value = m["v"].strip()
    if prop in ("timeout", "retry delay"):
        seconds = duration_seconds(value) if not re.fullmatch(r"\d+(\.\d+)?", value) else float(value)
        value = _fmt(seconds) if seconds else value
    elif prop in ("retries", "max steps", "priority"):
        n = count(value)
        value = str(n) if n is not None else value
    return _actions(c, m["x"], [(prop, value)])


def _found(t: str) -> list[tuple[str, str]]:
    """The properties a clause sets, from their usual phrasings."""
    out: list[tuple[str, str]] = []
    if _m(r"\bno (?:more )?retr(?:y|ies)\b|\bnever retry\b|\bdon'?t retry\b", t):
        out.append(("retries", "0"))
    else:
        m = _m(r"\b(?:retr(?:y|ies)|try again|re-?run)\b(?P<rest>.*)$", t)
        if m and not _m(r"^\s+(?:delay|wait)", m["rest"]):
            n = count(re.split(r"\b(?:and|with|,)\b", m["rest"])[0] if m["rest"].strip() else "")
            if n is None:
                n = count(t[: m.start()].split()[-1] if t[: m.start()].split() else "")
            if n is not None:
                out.append(("retries", str(n)))
    m = _m(r"\b(?:time ?out|timeout|time-out|give up|time limit)\b", t)
    if m:
        seconds = duration_seconds(t)
        if seconds:
            out.append(("timeout", _fmt(seconds)))
    m = _m(r"(?:wait|delay|pause)\s+(?:of\s+)?(?P<d>.+?)\s+between\s+(?:retries|tries|attempts)", t) or _m(
        r"with an?\s+(?P<d>.+?)\s+delay", t
    )
    if m:
        seconds = duration_seconds(m["d"])
        if seconds:
            out.append(("retry delay", _fmt(seconds)))
    m = _m(r"\bfails?,?\s+(?:just\s+)?(?P<v>skip|continue|carry on|fail|stop)\b", t)
    if m:
        out.append(("on error", {"carry on": "continue", "stop": "fail"}.get(m["v"].lower(), m["v"].lower())))
    m = _m(r"\bon\s+(?:the\s+)?(?P<v>[\w-]+)\s+queue\b", t)
    if m:
        out.append(("queue", m["v"]))
    m = _m(r"\b(?:use|in|on)\s+(?:the\s+)?(?P<v>[\w-]+)\s+pool\b", t)
    if m:
        out.append(("pool", "default_pool" if m["v"].lower() == "default" else m["v"]))
    m = _m(rf"\b(?:use|switch to|run on|with)\s+{_MODEL}\s+(?:for|on|in|as)\b", t)
    if m:
        out.append(("model", m["model"]))
    m = _m(r"\bat most\s+(?P<n>\d+)\s+steps\b|\bmax(?:imum)? (?:of )?(?P<n2>\d+) steps\b", t)
    if m:
        out.append(("max steps", m["n"] or m["n2"]))
    return out


_TARGET = [
    r"^give up on\s+(?P<x>.+?)\s+after\b",
    r"^(?:make|let|have|get|configure|allow|give)\s+(?P<x>.+?)\s+(?=(?:retry|retries|try again|time ?out|timeout|"
    r"take|up to|a\b|an\b|no\b|at most))",
    r"^(?P<x>.+?)\s+(?:should|must|needs? to|has to|can|will|shall|may)\b",
    r"^(?P<x>[^:]+?)\s*:\s",
    r"^if\s+(?P<x>.+?)\s+fails?\b",
    r"^(?:put|run|move|send)\s+(?P<x>.+?)\s+(?:on|in)\s+(?:the\s+)?[\w-]+\s+(?:queue|pool)\b",
    r"\bbetween\s+(?:retries|tries|attempts)\s+(?:of|for|on)\s+(?P<x>.+)$",
    r"^.*\b(?:for|on|of)\s+(?P<x>[^,]+?)$",
]


def r_set(c: Clause) -> Result:
    found = _found(c.text)
    if not found:
        return None
    phrase = None
    for pattern in _TARGET:
        m = _m(pattern, c.text)
        if m and not re.fullmatch(r"(?:a|an|the|\d+.*)", m["x"].strip(), re.IGNORECASE):
            phrase = m["x"]
            break
    seen: dict[str, str] = {}
    for prop, value in found:
        seen.setdefault(prop, value)
    return _actions(c, phrase, list(seen.items()))
