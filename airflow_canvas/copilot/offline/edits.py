"""Rules for requests that change the graph: connect, disconnect, remove, rename, group, ungroup,
add and insert between (the node kinds come from ``purposes``). Each answers with canonical
grammar commands over resolved ids (see intents.py)."""

from __future__ import annotations

import re

from airflow_canvas.copilot.offline.intents import Action, Ask, Clause, NeedAsk, Result, _m, many, one, pair
from airflow_canvas.copilot.offline.operators import node_id_for
from airflow_canvas.copilot.offline.purposes import Component, components

REMOVE = r"(?:remove|delete|drop|rm|get rid of|lose|kill|scrap|trash|take out|eliminate|axe|del)"
ADD = r"(?:add|create|new|put|insert|stick|include|append|place|i need|we need|i want|give me)"
CONNECT = r"(?:connect|link|wire(?:\s+up)?|hook(?:\s+up)?|attach|feed|pipe|plug|route)"
DISCONNECT = (
    r"(?:disconnect|unlink|unhook|detach|unwire|unplug|"
    r"(?:cut|remove|delete|drop|break) the (?:link|edge|connection|arrow|wire)(?:\s+(?:between|from))?)"
)
_KIND = r"(?:\s+as\s+(?:an?\s+)?(?P<kind>dependency|trigger|data[ _-]?flow))?(?:\s+edge)?"


def r_disconnect(c: Clause) -> Result:
    m = _m(rf"^{DISCONNECT}\s+(?:between\s+)?(?P<a>.+?)\s+(?:from|and|to)\s+(?P<b>.+?)$", c.text)
    if not m:
        return None
    a, b = pair(c, m["a"], m["b"], "disconnect", lambda x, y: f"disconnect {x} from {y}")
    return [Action("disconnect", f"disconnect {a} from {b}")]


def r_ungroup(c: Clause) -> Result:
    m = _m(
        r"^(?:ungroup|dissolve|disband|break up|split up)\s+(?:the\s+)?(?:group\s+)?(?P<g>.+?)(?:\s+group)?$",
        c.text,
    )
    m = m or _m(rf"^{REMOVE}\s+(?:the\s+)?(?:group\s+(?P<a>\S+)|(?P<g>.+?)\s+group)\b.*\bkeep", c.text)
    if not m:
        return None
    phrase = m["g"] or m.groupdict().get("a") or ""
    group = one(c, phrase, "ungroup", lambda i: f"ungroup {i}", groups=True)
    return [Action("ungroup", f"ungroup {group}")]


def _group_id(c: Clause, name: str | None) -> str:
    wanted = re.sub(r"[^A-Za-z0-9_]+", "_", (name or "group").strip("`'\"")).strip("_") or "group"
    taken = {g.id for g in c.ctx.workflow.groups} | {n.id for n in c.ctx.workflow.nodes}
    out, n = wanted, 2
    while out in taken:
        out, n = f"{wanted}_{n}", n + 1
    return out


def r_group(c: Clause) -> Result:
    m = _m(r"^group\s+(?P<list>.+?)(?:\s+(?:as|into|in|called|named)\s+(?:a\s+group\s+(?:called|named)\s+)?"
           r"(?P<name>\S+))?(?:\s+together)?$", c.text)  # fmt: skip
    m = m or _m(r"^(?:put|place|move)\s+(?P<list>.+?)\s+(?:in|into)\s+(?:a\s+)?(?:new\s+)?group"
                r"(?:\s+(?:called|named)\s+(?P<name>\S+))?$", c.text)  # fmt: skip
    if not m:
        return None
    group = _group_id(c, m["name"])
    ids = many(c, m["list"], "group", lambda ids: f"group {' '.join(ids)} as {group}")
    return [Action("group", f"group {' '.join(ids)} as {group}")]


def r_rename(c: Clause) -> Result:
    m = (
        _m(r"^rename\s+(?P<a>.+?)\s+(?:to|as|into)\s+(?P<b>.+)$", c.text)
        or _m(r"^(?:change|set|update)\s+the\s+name\s+of\s+(?P<a>.+?)\s+to\s+(?P<b>.+)$", c.text)
        or _m(r"^call\s+(?P<a>.+?)\s+(?P<b>\"[^\"]+\"|\S+)\s+instead$", c.text)
    )
    if not m:
        return None
    new = m["b"].strip()
    old = one(c, m["a"], "rename", lambda i: f"rename {i} to {new}")
    return [Action("rename", f"rename {old} to {new}")]


def r_connect(c: Clause) -> Result:
    m = _m(rf"^{CONNECT}\s+(?P<a>.+?)(?:\s+up)?\s+(?:to|into|with|->|and|onto)\s+(?P<b>.+?){_KIND}$", c.text)
    m = m or _m(rf"^(?P<a>[^\s>-][^>]*?)\s*(?:->|→)\s*(?P<b>.+?){_KIND}$", c.text)
    if not m:
        return None
    kind = f" as {m['kind'].lower().replace(' ', '_').replace('-', '_')}" if m["kind"] else ""
    a, b = pair(c, m["a"], m["b"], "connect", lambda x, y: f"connect {x} to {y}{kind}")
    return [Action("connect", f"connect {a} to {b}{kind}")]


def r_remove(c: Clause) -> Result:
    m = (
        _m(rf"^{REMOVE}\s+(?P<list>.+?)(?:,?\s+(?:please|thanks|thank you))?$", c.text)
        or _m(r"^(?P<list>.+?)\s+(?:removed|deleted|gone|dropped)$", c.text)
        or _m(r"(?:don'?t|do not|no longer)\s+need\s+(?P<list>.+?)(?:\s+any\s*more)?(?:,.*)?$", c.text)
    )
    if not m or _m(r"\b(?:edge|link|connection|schedule|group)\b", m["list"]):
        return None
    if _m(r"^(?:node|nodes)$", m["list"].strip()):
        return None
    ids = many(
        c,
        re.sub(r"^(?:the\s+)?nodes?\s+", "", m["list"]),
        "remove",
        lambda ids: f"remove node {' '.join(ids)}",
    )
    return [Action("remove", "remove node " + " ".join(ids), slots={"nodes": ",".join(ids)})]


# -- add / insert ----------------------------------------------------------------------------------


def _uniq(c: Clause, wanted: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_\-]+", "_", wanted).strip("_") or "node"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


def _ask_operator(comps: list[Component], where: str) -> None:
    """NeedAsk when the words name operators the search can't settle on ("add an sql operator":
    which of them?) or none that is installed ("add an S3 sensor" without the amazon provider)."""
    for comp in comps:
        if comp.operator_choices:
            raise NeedAsk(
                Ask(
                    "add",
                    "Which operator do you mean? These installed ones match:",
                    [
                        (label, f"add tool node {node_id_for(path.rpartition('.')[2])} using {path}{where}")
                        for label, path in comp.operator_choices
                    ],
                    own_words=True,
                )
            )
        if comp.operator_needs and comp.operator:
            cls = comp.operator.rpartition(".")[2]
            needs = ", ".join(f"`{n}`" for n in comp.operator_needs)
            example = f"{comp.operator_needs[0]} '...'"
            raise NeedAsk(
                Ask(
                    "add",
                    f"{cls} needs {needs}, which I can't guess. Say it in the request, e.g. “add a {cls} "
                    f"with {example}”, or drag {cls} from the palette and fill its form.",
                    [],
                    own_words=True,
                )
            )
        if comp.operator_missing:
            raise NeedAsk(
                Ask(
                    "add",
                    f"No installed Airflow operator matches “{comp.operator_missing}”. Operators come from "
                    "the provider packages installed with Airflow (apache-airflow-providers-...): install "
                    "the one that has it and ask again, or search the palette for what is installed.",
                    [],
                    own_words=True,
                )
            )


def _type_choices(where: str, ident: str) -> Ask:
    return Ask(
        "add",
        "What kind of step should I add? Pick one (you can change its details afterwards):",
        [
            ("An agent (a model step)", f"add agent node {ident}{where}"),
            ("A process node (some code)", f"add process node {ident}{where}"),
            ("A web request (http_request)", f"add tool node fetch using http_request{where}"),
            ("An email (send_notification)", f"add tool node notify using send_notification{where}"),
        ],
    )


def _add_commands(
    c: Clause, comps: list[Component], after: str | None, before: str | None, between: bool
) -> list[Action]:
    taken = {n.id for n in c.ctx.workflow.nodes}
    actions: list[Action] = []
    prev = after
    for i, comp in enumerate(comps):
        comp.id = _uniq(c, comp.id, taken)
        ref = comp.tool or comp.operator
        using = f" using {ref}" if ref else ""
        last = i == len(comps) - 1
        if between and last and len(comps) == 1 and prev and before:
            cmd = f"insert {comp.type} node {comp.id}{using} between {prev} and {before}"
        else:
            cmd = f"add {comp.type} node {comp.id}{using}" + (f" after {prev}" if prev else "")
            cmd += f" before {before}" if (last and before) else ""
        actions.append(Action("add", cmd, add=[comp], slots={"type": comp.type, "tool": comp.tool or ""}))
        prev = comp.id
    return actions


def r_insert(c: Clause) -> Result:
    m = _m(rf"^{ADD}\s+(?P<what>.+?)\s+(?:in\s+)?betw\w*n\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)"
           r"(?:\s+(?:that|which|to|who)\s+(?P<purpose>.+))?$", c.text)  # fmt: skip
    if not m:
        return None
    a, b = pair(c, m["a"], m["b"], "add", lambda x, y: f"insert process node step between {x} and {y}")
    comps = components(
        f"{m['what']} {'that ' + m['purpose'] if m['purpose'] else ''}".strip(), c.ctx.workflow
    )
    if not comps:
        raise NeedAsk(
            Ask(
                "add",
                f"What kind of step should go between `{a}` and `{b}`?",
                [
                    ("An agent (a model step)", f"insert agent node agent between {a} and {b}"),
                    ("A process node (some code)", f"insert process node process between {a} and {b}"),
                ],
            )
        )
    _ask_operator(comps[:1], f" after {a} before {b}")
    return _add_commands(c, comps[:1], a, b, between=True)


_ADD_START = re.compile(
    rf"^(?:{ADD})\s+(?P<rest>.+)$|^(?P<verb>(?:fetch|download|scrape|email|e-mail|mail|notify|alert|summari[sz]e|"
    r"translate|classify|read|write|save|query|call|send)\b.*)$",
    re.IGNORECASE,
)


def r_add(c: Clause) -> Result:
    text = c.text
    lead = _m(rf"^after\s+(?P<after>.+?),?\s+(?={ADD}\b)", text)
    after_phrase = lead["after"] if lead else None
    if lead:
        text = text[lead.end() :]
    m = _ADD_START.match(text)
    if not m:
        return None
    rest = m["rest"] or m["verb"]
    if _m(r"^(?:a\s+|the\s+)?(?:group|edge|link|connection|schedule)\b", rest):
        return None
    at_end = _m(r"\s+at the end$", rest)
    if at_end:
        rest = rest[: at_end.start()]
    pos = _m(r"\s+(?:right\s+)?(?P<rel>after|before|following|behind)\s+(?P<x>[^,]+?)$", rest)
    before_phrase = None
    if pos:
        rest, where = rest[: pos.start()], pos["x"]
        # "after ticket that detects the language": the purpose follows the position.
        split = _m(r"^(?P<x>.+?)\s+(?P<p>(?:that|which|who|to)\s+.+)$", where)
        if split and not c.ref(where).sure and c.ref(split["x"]).sure:
            where, rest = split["x"], f"{rest} {split['p']}"
        if pos["rel"].lower() == "before":
            before_phrase = where
        else:
            after_phrase = where
    named = _m(r"\s+(?:called|named)\s+(?P<id>[A-Za-z_][\w\-]*)", rest)
    ident = named["id"] if named else None
    if named:
        rest = rest[: named.start()] + rest[named.end() :]
    wf = c.ctx.workflow
    after = (
        one(c, after_phrase, "add", lambda i: f"add process node step after {i}") if after_phrase else None
    )
    before = (
        one(c, before_phrase, "add", lambda i: f"add process node step before {i}") if before_phrase else None
    )
    if after is None and at_end:
        sinks = [n.id for n in wf.nodes if not any(e.source == n.id for e in wf.edges)]
        after = sinks[0] if len(sinks) == 1 else None
    if after is None and not before:
        pronoun = _m(r"\b(?:it|them|this|that)\b", rest)
        if pronoun and c.last:
            after = c.last[-1]
        elif len(c.ctx.selection) == 1 and wf.node(c.ctx.selection[0]):
            after = c.ctx.selection[0]
    comps = components(rest, wf)
    if not comps:
        where = (f" after {after}" if after else "") + (f" before {before}" if before else "")
        raise NeedAsk(_type_choices(where, re.sub(r"\W+", "_", ident or "step")))
    _ask_operator(comps, (f" after {after}" if after else "") + (f" before {before}" if before else ""))
    if ident:
        comps[0].id = ident
    return _add_commands(c, comps, after, before, between=False)
