"""Plain-language requests -> canonical grammar commands. Each rule reads one clause ("drop the
general queue", "make the scorer try again up to 3 times") and answers with ``Action``s (a command
of today's grammar, with resolved ids, plus the details a command cannot carry), an ``Ask`` when a
slot is ambiguous (each choice is the same command with one candidate), or None when it does not
apply. Rules are tried in order; the first that applies wins."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.offline.entities import Ref, named_exactly, resolve, resolve_many
from airflow_canvas.copilot.offline.purposes import Component
from airflow_canvas.copilot.offline.timewords import (
    describe_schedule,
    natural_schedule,
)
from airflow_canvas.spec.problems import did_you_mean


@dataclass
class Action:
    intent: str
    command: str
    add: list[Component] = field(default_factory=list)  # details of the nodes an add command makes
    slots: dict[str, str] = field(default_factory=dict)


@dataclass
class Ask:
    intent: str
    question: str
    choices: list[tuple[str, str]]  # (label, command to send)
    own_words: bool = False  # the question says more than the grammar's error would


Result = list[Action] | Ask | None


@dataclass
class Clause:
    text: str  # digits for number words, politeness gone, original case
    ctx: CopilotContext
    last: list[str] = field(default_factory=list)  # nodes the conversation / previous clause named

    def ref(self, phrase: str, groups: bool = False) -> Ref:
        return resolve(self.ctx, phrase, groups=groups, last=self.last)


class NeedAsk(Exception):
    def __init__(self, ask: Ask):
        self.ask = ask


def ask_for(ref: Ref, intent: str, render: Callable[[str], str], noun: str = "node") -> Ask:
    """Ask back about an unresolved reference; each choice sends ``render(candidate)``."""
    phrase = ref.phrase
    if ref.reason == "nothing selected":
        question = f"Which {noun} do you mean by “{phrase}”? Nothing is selected on the canvas."
    elif ref.reason == "ambiguous":
        question = f"“{phrase}” could mean several {noun}s. Which one?"
    elif ref.reason == "guess":
        guess = did_you_mean(phrase, ref.candidates, sentence=True) or f"Did you mean {ref.candidates[0]!r}?"
        question = f"There is no {noun} `{phrase}`. {guess}"
    else:
        question = f"There is no {noun} like “{phrase}” in this workflow. Did you mean one of these?"
    choices = [(render(c), render(c)) for c in ref.candidates[:6]]
    return Ask(intent, question, choices, own_words=ref.reason in ("nothing selected", "ambiguous"))


def pair(
    c: Clause, first: str, second: str, intent: str, render: Callable[[str, str], str]
) -> tuple[str, str]:
    """Two node slots (connect a to b): the choices for one name the other by its id when it is sure."""
    b_ref = c.ref(second)
    b_id = b_ref.ids[0] if b_ref.sure and len(b_ref.ids) == 1 else second
    a = one(c, first, intent, lambda i: render(i, b_id))
    b = one(c, second, intent, lambda i: render(a, i))
    return a, b


def one(clause: Clause, phrase: str, intent: str, render: Callable[[str], str], groups: bool = False) -> str:
    ref = clause.ref(phrase, groups=groups)
    if ref.sure and len(ref.ids) == 1:
        return ref.ids[0]
    if ref.sure:  # "it" with several selected
        ref = Ref(phrase=phrase, candidates=ref.ids, reason="ambiguous")
    if not ref.candidates and not groups:
        ref.candidates = [n.id for n in clause.ctx.workflow.nodes]
    raise NeedAsk(ask_for(ref, intent, render, "group" if groups else "node"))


def many(clause: Clause, phrase: str, intent: str, render: Callable[[list[str]], str]) -> list[str]:
    ids, bad = resolve_many(clause.ctx, phrase, last=clause.last)
    if bad is None and ids:
        return ids
    if bad is None:  # "all agents" where there are none
        names = [n.id for n in clause.ctx.workflow.nodes]
        raise NeedAsk(
            Ask(
                intent,
                f"“{phrase}” names no node in this workflow.",
                [(render([i]), render([i])) for i in names[:6]],
                True,
            )
        )
    if not bad.candidates:
        bad.candidates = [n.id for n in clause.ctx.workflow.nodes]
    raise NeedAsk(ask_for(bad, intent, lambda c: render([*ids, c])))


def _m(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, re.IGNORECASE)


# -- questions ---------------------------------------------------------------------------------------


def r_help(c: Clause) -> Result:
    if _m(r"^(?:hi|hello|hey)?[,!\s]*(?:help|\?|commands|what can (?:you|i) (?:do|ask|say)\b.*|what do you "
          r"(?:understand|know)\b.*|how do (?:i|you) use (?:this|you)\b.*|what can i ask\b.*)$", c.text):  # fmt: skip
        return [Action("help", "help")]
    return None


def r_debug(c: Clause) -> Result:
    m = _m(r"\bwhy did (?P<x>.+?) fail", c.text)
    if m and not _m(
        r"^(?:it|this|the (?:last |latest )?run|the workflow|the dag|the pipeline|that)$", m["x"]
    ):
        node = one(c, m["x"], "explain_node", lambda i: f"why did {i} fail?")
        return [Action("explain_node", f"why did {node} fail?", slots={"node": node})]
    if m or _m(r"\b(?:debug|step through)\b|went wrong (?:in|with|during) the (?:last |latest )?run|"
               r"(?:last|latest|failed) run\b|why (?:did|does) (?:it|the run) (?:fail|break)", c.text):  # fmt: skip
        return [Action("debug_run", "debug run")]
    return None


def r_fix(c: Clause) -> Result:
    if _m(r"^(?:fix|repair|resolve|correct|auto-?fix|clean up the errors)\b(?!.*\b(?:node|step)\b)", c.text):
        return [Action("fix_errors", "fix errors")]
    return None


def r_errors(c: Clause) -> Result:
    if _m(
        r"\b(?:errors?|problems?|issues?|wrong|broken|invalid|validates?|valid|warnings?)\b", c.text
    ) and not _m(r"\b(?:on error|if .+ fails?)\b", c.text):
        return [Action("explain_errors", "explain errors")]
    return None


def r_code(c: Clause) -> Result:
    m = _m(r"\b(?:show|view|see|display|print|open)\b.*?\b(?:code|python|dag file|dag|source)\b(?:\s+(?:of|for)\s+"
           r"(?P<x>.+))?$", c.text) or _m(r"^(?:code|dag code)(?:\s+(?:of|for)\s+(?P<x>.+))?$", c.text)  # fmt: skip
    if not m:
        return None
    if m["x"]:
        node = one(c, m["x"], "show_code", lambda i: f"show code of {i}")
        return [Action("show_code", f"show code of {node}", slots={"node": node})]
    return [Action("show_code", "show code")]


def r_workflow(c: Clause) -> Result:
    if _m(r"\b(?:explain|describe|overview|summar\w+|what does|what is|what happens|tell me (?:about|what)|walk me through)\b.*"
          r"\b(?:workflow|pipeline|dag|whole thing|flow|everything)\b", c.text):  # fmt: skip
        return [Action("explain_workflow", "explain workflow")]
    return None


def r_wizard(c: Clause) -> Result:
    if not _m(r"\bwizards?\b|walk me through|guide me|step by step", c.text):
        return None
    for word, name in (("agent", "agent"), ("model", "agent"), ("tool", "tool"), ("schedul", "schedule")):
        if word in c.text.lower():
            return [Action("wizard", f"wizard {name}")]
    return [Action("wizard", "wizards")]


def r_templates(c: Clause) -> Result:
    if not _m(r"\btemplates?\b", c.text) or _m(r"\brenders?\b", c.text):
        return None
    from airflow_canvas.copilot import gallery

    try:
        known = gallery.templates_info()
    except gallery.TemplateUnavailable:
        return [Action("templates", "templates")]
    low = c.text.lower().replace("_", " ")
    hits = [
        t["name"] for t in known if t["name"].replace("_", " ") in low or (t["title"] or "").lower() in low
    ]
    if not hits or not _m(r"\b(?:use|add|insert|apply|instantiate|start from|put)\b", c.text):
        return [Action("templates", "templates")]
    after = _m(r"\bafter\s+(?P<x>.+?)$", c.text)
    where = ""
    if after:
        where = " after " + one(c, after["x"], "use_template", lambda i: f"use template {hits[0]} after {i}")
    return [Action("use_template", f"use template {hits[0]}{where}")]


def r_explain(c: Clause) -> Result:
    m = _m(r"^(?:explain|describe|tell me about|what does|what's|what is|what are|what do)\s+(?P<x>.+?)"
           r"(?:\s+(?:do|does|for|doing|mean))?\s*\??$", c.text)  # fmt: skip
    if not m:
        return None
    phrase = m["x"]
    g = _m(r"^(?:the\s+)?(?:group\s+(?P<a>.+)|(?P<b>.+?)\s+group)$", phrase)
    if g:
        group = one(c, g["a"] or g["b"], "explain_group", lambda i: f"explain group {i}", groups=True)
        return [Action("explain_group", f"explain group {group}", slots={"group": group})]
    said_node = bool(_m(r"^node\s", phrase))  # "node" said: a node, no guessing
    group_named = [] if said_node else named_exactly(c.ctx, phrase, groups=True)
    if len(group_named) == 1 and not named_exactly(c.ctx, phrase):  # a group's own name: no node search
        return [Action("explain_group", f"explain group {group_named[0]}", slots={"group": group_named[0]})]
    node_ref = c.ref(phrase)
    if not node_ref.sure and not said_node:
        group_ref = c.ref(phrase, groups=True)
        if group_ref.sure:
            return [
                Action(
                    "explain_group", f"explain group {group_ref.ids[0]}", slots={"group": group_ref.ids[0]}
                )
            ]
    node = one(c, phrase, "explain_node", lambda i: f"explain node {i}")
    return [Action("explain_node", f"explain node {node}", slots={"node": node})]


def r_run(c: Clause) -> Result:
    m = _m(
        r"^(?:run|test|try(?: out)?|execute|dry[- ]run)\s+(?P<x>.+?)(?:\s+with\s+(?P<input>\{.*\}))?$", c.text
    )
    if not m or natural_schedule(c.text):
        return None
    suffix = f" with {m['input']}" if m["input"] else ""
    node = one(c, m["x"], "run_node", lambda i: f"run node {i}{suffix}")
    return [Action("run_node", f"run node {node}{suffix}", slots={"node": node})]


# -- schedule ----------------------------------------------------------------------------------------

_CRON = r"(?P<cron>(?:[\d*/,\-]+\s+){4}[\d*/,\-A-Za-z]+)"


def r_schedule(c: Clause) -> Result:
    t = c.text
    if _m(r"\b(?:turn off|remove|stop|disable|clear|delete|drop|no more|unschedule)\b.*\bschedul|\bby hand\b|"
          r"\bmanually\b|\bno schedule\b|\bunschedule\b", t):  # fmt: skip
        return [Action("schedule", "set schedule to none", slots={"schedule": ""})]
    m = _m(rf"^(?:cron\s+|set (?:the )?cron to\s+|schedule\s+(?:it\s+)?(?:to\s+)?){_CRON}$", t)
    if m:
        return [Action("schedule", f"set schedule to {m['cron']}", slots={"schedule": m["cron"]})]
    if not _m(r"\b(?:schedul\w*|run\w*|every|each|daily|hourly|weekly|monthly|nightly|weekdays?|weekends?|"
              r"midnight|cron|twice an hour)\b", t):  # fmt: skip
        return None
    found = natural_schedule(t)
    if found is None:
        return None
    kind, value = found
    command = f"set schedule to every {value}" if kind == "interval" else f"set schedule to {value}"
    return [Action("schedule", command, slots={"schedule": value, "words": describe_schedule(kind, value)})]
