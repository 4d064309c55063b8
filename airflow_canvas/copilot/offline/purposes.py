"""What kind of node a description asks for: "a step that downloads a web page" -> the
``http_request`` tool with its URL filled in, "a model that writes a summary" -> an agent, "some
code that cleans the text" -> a process node. Tools are found from the words people use for what
they do, and for tools this table does not know (inline or published ones) from the name and
description in the tool catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from airflow_canvas.copilot.offline.entities import stem, words
from airflow_canvas.spec.models import Workflow

# Built-in tools: (pattern over the description, default node id).
TOOL_WORDS: dict[str, tuple[str, str]] = {
    "send_notification": (
        r"e-?mails?|e-?mailing|mail(?:s|ing)?|notif\w*|alert\w*|slack|send (?:a |the )?(?:message|note)|"
        r"message (?:the|to)",
        "notify",
    ),
    "file_read": (r"\b(?:read|reads|reading|load|loads|loading|open|opens)\b[^.]*?\bfiles?\b", "read_file"),
    "file_write": (
        r"\b(?:write|writes|writing|save|saves|saving|store|stores|dump|dumps)\b[^.]*?\b(?:files?|disk)\b",
        "write_file",
    ),
    "http_request": (
        r"download\w*|fetch\w*|scrap\w*|crawl\w*|web ?pages?|websites?|urls?\b|https?\b|\bapis?\b|"
        r"endpoints?|rest call|web request",
        "fetch",
    ),
    "sql_query": (r"\bsql\b|databases?|\bdb\b|quer(?:y|ies)", "query"),
    "json_transform": (r"json transform\w*|jmespath|reshap\w*|transform\w* (?:the )?json", "transform"),
    "text_template": (
        r"render\w* (?:a |the )?(?:text|template)|jinja|text template|renders? a template",
        "render",
    ),
}
AGENT_WORDS = re.compile(
    r"\b(?:agent|agnet|model|llm|ai|gpt\w*|summar\w*|writes?|draft\w*|translat\w*|classif\w*|answer\w*|"
    r"repl(?:y|ies)|respond\w*|analy[sz]\w*|extract\w*|checks?|review\w*|decid\w*|generat\w*|explain\w*|"
    r"rewrit\w*|categori[sz]\w*|sentiment)\b",
    re.IGNORECASE,
)
PROCESS_WORDS = re.compile(
    r"\b(?:code|python|script|process|clean\w*|dedup\w*|filter\w*|pars\w*|split\w*|merg\w*|comput\w*|"
    r"calculat\w*|count\w*|sort\w*|transform\w*)\b",
    re.IGNORECASE,
)
EXPLICIT = [
    ("agent", r"\b(?:agent|agnet|model step|model|llm|ai step|ai)\b"),
    ("process", r"\b(?:process|code|python|script|snippet)\b"),
    ("input", r"\binput\b"),
    ("output", r"\boutput\b"),
    ("tool", r"\btool\b"),
]
URL = re.compile(r"https?://[^\s,;\"'<>]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Component:
    """One node to add: its type, tool (for tool nodes), wanted id, display name, parameters."""

    type: str
    tool: str | None = None
    id: str = ""
    name: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    prompt: str = ""
    operator: str | None = None  # an operator node's import path (the palette's search found it)
    operator_choices: list[tuple[str, str]] = field(default_factory=list)  # (label, path) to ask about
    operator_missing: str = ""  # the words no installed operator matched
    operator_needs: list[str] = field(default_factory=list)  # its required arguments not given


def _slug(text: str, default: str) -> str:
    ws = [
        w
        for w in words(text)
        if w not in {"the", "a", "an", "it", "that", "which", "to", "of", "and", "step"}
    ]
    slug = "_".join(ws[:2])
    return slug if re.fullmatch(r"[a-z][a-z0-9_]*", slug or "") else default


def _catalogue_tool(text: str, tools: list[Any]) -> str | None:
    """A tool the table does not know, when the text names its words ("scores keywords" ->
    keyword_score): every word of the name, or two words of its description."""
    stems = {stem(w) for w in words(text)}
    best: tuple[int, str] | None = None
    for tool in tools:
        if tool.name in TOOL_WORDS:
            continue
        name = {stem(w) for w in words(tool.name)}
        desc = {stem(w) for w in words(tool.description or "") if len(w) > 3}
        score = 10 if name and name <= stems else len(stems & desc)
        if score >= 2 and (best is None or score > best[0]):
            best = (score, tool.name)
    return best[1] if best else None


def _tool_for(text: str, tools: list[Any]) -> str | None:
    names = {t.name for t in tools}
    for name, (pattern, _) in TOOL_WORDS.items():
        if name in names and re.search(pattern, text, re.IGNORECASE):
            return name
    return _catalogue_tool(text, tools)


def _explicit_type(text: str) -> str | None:
    for kind, pattern in EXPLICIT:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    return None


def _operator_component(text: str) -> Component | None:
    """An operator node when the words name an Airflow operator or sensor ("a bash operator that
    runs echo hi" -> BashOperator with bash_command "echo hi"), found by the palette's search."""
    from airflow_canvas.copilot.offline.operators import find_operator, node_id_for

    match = find_operator(text)
    if match is None:
        return None
    comp = Component(type="tool", operator=match.operator, parameters=match.parameters)
    comp.operator_choices, comp.operator_missing, comp.operator_needs = (
        match.choices,
        match.missing,
        match.needs,
    )
    comp.id = node_id_for(match.name) if match.name else "operator"
    return comp


def component(text: str, tools: list[Any], *, whole: str = "") -> Component | None:
    """The node one description asks for; None when it names no kind of node."""
    operator = _operator_component(text)
    if operator is not None:
        return operator
    kind = _explicit_type(text)
    tool = _tool_for(text, tools) if kind in (None, "tool") else None
    if tool is None and kind == "tool":
        return None
    if kind is None:
        if tool:
            kind = "tool"
        elif AGENT_WORDS.search(text):
            kind = "agent"
        elif PROCESS_WORDS.search(text):
            kind = "process"
        else:
            return None
    purpose = (
        re.sub(r"^.*?\b(?:that|which|to|who|for)\b\s*", "", text, count=1).strip()
        if re.search(r"\b(?:that|which|to|who|for)\b", text)
        else ""
    )
    comp = Component(type=kind, tool=tool)
    if purpose:
        comp.name = purpose[:1].upper() + purpose[1:60]
    if tool:
        comp.id = TOOL_WORDS[tool][1] if tool in TOOL_WORDS else tool
        url = URL.search(whole or text)
        if tool == "http_request" and url:
            # The tool's own field for a full URL when it has one, else the endpoint (appended to
            # the connection's base URL). Credentials never go into the spec: they belong in a
            # connection, so a user:password@ part is dropped.
            parts = urlsplit(url.group(0).rstrip("."))
            host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
            clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
            found = [t.input_schema for t in tools if t.name == tool]
            schema: dict[str, Any] = (found[0] if found else None) or {}
            comp.parameters["url" if "url" in schema.get("properties", {}) else "endpoint"] = clean
        emails = EMAIL.findall(whole or text)
        if tool == "send_notification" and emails:
            comp.parameters["to"] = emails
            comp.parameters["subject"] = f"{comp.name or 'Workflow result'}"
    elif kind == "agent":
        comp.id = _slug(purpose, "agent") if purpose else "agent"
        if purpose:
            comp.prompt = f"{comp.name}.\n\n{{{{ inputs }}}}"
    elif kind == "process":
        comp.id = _slug(purpose, "process") if purpose else "process"
    else:
        comp.id = kind
    return comp


def components(text: str, wf: Workflow) -> list[Component]:
    """Every node a description asks for, in order: "a step that downloads a web page and
    summarises it" -> [http_request tool, agent]."""
    from airflow_canvas.tools.registry import available_tools

    tools = available_tools(wf.tools)
    whole = component(text, tools)
    pieces = [p for p in re.split(r"\s*(?:,\s*)?\b(?:and then|then|and)\b\s*", text) if p.strip()]
    if len(pieces) > 1:
        parts = [component(p, tools, whole=text) for p in pieces]
        found = [p for p in parts if p is not None]
        # Several kinds named in turn, each with its own words: one node each.
        if len(found) > 1 and len({(c.type, c.tool) for c in found}) > 1 and all(parts[1:]):
            return found
    return [whole] if whole else []
