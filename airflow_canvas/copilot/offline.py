"""The offline co-pilot: a small, documented command grammar that needs no model.

Every command is one ``Command`` below with its phrasings (regular expressions, case-insensitive)
and examples; ``help`` prints them, the tests run every example, and the README
lists them. Node references accept a node's id or its display name, group references a group's id
or its label (quoted when it has spaces); "these" / "selected" / "the selection" mean the nodes
selected on the canvas. Commands that change the workflow answer with a validated proposal, never
with an edit.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from airflow_canvas.copilot import explain
from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.patch import (
    AddEdge,
    AddGroup,
    BulkUpdate,
    PatchOp,
    RemoveEdge,
    RemoveGroup,
    RemoveNode,
    RenameNode,
    SetTrigger,
    UpdateNode,
    check_patch,
)
from airflow_canvas.copilot.responses import (
    CodePart,
    Reply,
    Suggestion,
    SuggestionsPart,
    diagram_of,
    make_proposal,
)
from airflow_canvas.copilot.wizards import WIZARDS, new_node_ops, unique_id
from airflow_canvas.spec.models import (
    ID_RE,
    AgentConfig,
    Edge,
    EdgeKind,
    Group,
    Node,
    NodeType,
    OnError,
    ProcessConfig,
    Schedule,
)
from airflow_canvas.spec.problems import did_you_mean


class CommandError(ValueError):
    """A command that names something that is not there; the message says what and suggests."""


@dataclass
class Command:
    name: str
    patterns: list[str]
    examples: list[str]
    doc: str
    handler: Callable[[CopilotContext, re.Match[str], Reply], Reply]

    def match(self, text: str) -> re.Match[str] | None:
        for pattern in self.patterns:
            m = re.fullmatch(pattern, text, flags=re.IGNORECASE)
            if m:
                return m
        return None


# -- helpers ----------------------------------------------------------------------------------------

_SELECTION_WORDS = {
    "these",
    "this",
    "selected",
    "selection",
    "the selection",
    "them",
    "selected nodes",
    "these nodes",
    "the selected nodes",
}


def node_ref(ctx: CopilotContext, token: str) -> str:
    """A node id from an id or a display name (case-insensitive), or CommandError with a guess."""
    token = token.strip().strip("`'\"")
    ids = [n.id for n in ctx.workflow.nodes]
    if token in ids:
        return token
    by_name = {n.label.lower(): n.id for n in ctx.workflow.nodes} | {i.lower(): i for i in ids}
    if token.lower() in by_name:
        return by_name[token.lower()]
    guess = did_you_mean(token, ids, sentence=True)
    raise CommandError(f"There is no node `{token}`." + (f" {guess}" if guess else ""))


_QUOTES = "`'\"“”‘’"


def find_group(ctx: CopilotContext, token: str) -> str | None:
    """A group id from an id or a label (case-insensitive, quoted or not); None when there is none.
    Raises CommandError when a label names several groups."""
    token = token.strip().strip(_QUOTES).strip()
    ids = [g.id for g in ctx.workflow.groups]
    if token in ids:
        return token
    hits = [g.id for g in ctx.workflow.groups if g.label.strip().lower() == token.lower()]
    hits = hits or [i for i in ids if i.lower() == token.lower()]
    if len(hits) > 1:
        raise CommandError(
            f"Several groups are labelled “{token}”: {', '.join(f'`{h}`' for h in hits)}. Name one by its id."
        )
    return hits[0] if hits else None


def node_list(ctx: CopilotContext, text: str) -> list[str]:
    """'a b c', 'a, b and c', or 'these' (the canvas selection)."""
    text = text.strip()
    if text.lower() in _SELECTION_WORDS:
        selected = [s for s in ctx.selection if ctx.workflow.node(s)]
        if not selected:
            raise CommandError("Nothing is selected. Select nodes on the canvas, or name them.")
        return selected
    tokens = [t for t in re.split(r"[\s,]+|\band\b", text) if t.strip()]
    if not tokens:
        raise CommandError("Name at least one node.")
    return list(dict.fromkeys(node_ref(ctx, t) for t in tokens))


def parse_duration(text: str) -> float:
    """'10m', '90s', '2h', '1d', '1h30m', '10 minutes', '45' (seconds) -> seconds."""
    text = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    units = {
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
    parts = re.findall(r"(\d+(?:\.\d+)?)([a-z]+)", text)
    if not parts or "".join(n + u for n, u in parts) != text or any(u not in units for _, u in parts):
        raise CommandError(f"`{text}` is not a duration. Write e.g. 30s, 10m, 2h or 1d.")
    return sum(float(n) * units[u] for n, u in parts)


def nested(path: str, value: Any) -> dict[str, Any]:
    """'execution.retry.retries', 3 -> {'execution': {'retry': {'retries': 3}}}."""
    out: Any = value
    for key in reversed(path.split(".")):
        out = {key: out}
    return out


def propose(ctx: CopilotContext, reply: Reply, summary: str, ops: list[PatchOp]) -> Reply:
    """Validate ``ops``; attach the proposal, or explain why it cannot be made."""
    result = check_patch(ctx.workflow, ops)
    if not result.ok or result.workflow is None:
        lines = "\n".join(f"- {explain.explain_problem(p, ctx.workflow)}" for p in result.problems)
        reply.error = "invalid_patch"
        return reply.text(f"I can't do that: it would break the workflow.\n\n{lines}")
    reply.proposal = make_proposal(summary, ops, ctx.workflow, result.workflow, result.warnings, result.data)
    reply.text(
        f"{summary}. Review the preview and apply it, or reject it.\n\n"
        + "\n".join(f"- {c}" for c in reply.proposal.changes)
    )
    added = set(reply.proposal.diff["nodes"]["added"])
    if added:
        reply.parts.append(diagram_of(result.workflow, added))
    return reply


# -- handlers ---------------------------------------------------------------------------------------

_TYPES = {t.value: t for t in NodeType}


def _tool_for(ctx: CopilotContext, name: str) -> str | None:
    """'http_get' or 'http_get@^1' -> a pinned 'name@x.y.z' of an available tool, else None."""
    from airflow_canvas.tools.registry import ToolResolutionError, resolve_tool

    try:
        return resolve_tool(name if "@" in name else f"{name}@*", ctx.workflow.tools).ref
    except (ToolResolutionError, ValueError):
        return None


def h_add_node(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    kind = _TYPES[m["type"].lower()]
    wanted = m["id"]
    if not ID_RE.match(wanted):
        raise CommandError(f"`{wanted}` is not a valid node id: use letters, digits, '_' and '-'.")
    after = node_ref(ctx, m["after"]) if m["after"] else None
    before = node_ref(ctx, m["before"]) if m["before"] else None
    node_id = unique_id(ctx.workflow, wanted) if ctx.workflow.node(wanted) else wanted
    node = Node(id=node_id, type=kind)
    if kind == NodeType.TOOL:
        ref = m["tool"] or wanted
        node.tool = _tool_for(ctx, ref)
        if node.tool is None:
            from airflow_canvas.tools.registry import available_tools

            names = sorted({t.name for t in available_tools(ctx.workflow.tools)})
            guess = did_you_mean(ref.partition("@")[0], names, sentence=True)
            raise CommandError(
                f"There is no tool `{ref}`."
                + (f" {guess}" if guess else "")
                + (f" Available: {', '.join(names)}." if names else "")
                + " Write `add tool node <id> using <tool>`."
            )
    elif kind == NodeType.AGENT:
        node.agent = AgentConfig()
    elif kind == NodeType.PROCESS:
        node.process = ProcessConfig()
    ops = new_node_ops(ctx.workflow, node, after)
    if before:
        ops.append(AddEdge(edge=Edge(source=node_id, target=before)))
    if m["group"]:
        group = m["group"]
        if not any(g.id == group for g in ctx.workflow.groups):
            raise CommandError(f"There is no group `{group}`.")
        ops[0].node.group = group  # type: ignore[union-attr]
    where = f" after `{after}`" if after else ""
    return propose(ctx, reply, f"Add {kind.value} node `{node_id}`{where}", ops)


def h_connect(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    source, target = node_ref(ctx, m["a"]), node_ref(ctx, m["b"])
    kind = (
        EdgeKind(m["kind"].lower().replace(" ", "_").replace("-", "_")) if m["kind"] else EdgeKind.DATA_FLOW
    )
    edge = Edge(source=source, target=target, kind=kind)
    return propose(ctx, reply, f"Connect `{source}` to `{target}`", [AddEdge(edge=edge)])


def h_disconnect(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    a, b = node_ref(ctx, m["a"]), node_ref(ctx, m["b"])
    edges = [e.key for e in ctx.workflow.edges if {e.source, e.target} == {a, b}]
    if not edges:
        raise CommandError(f"`{a}` and `{b}` are not connected.")
    return propose(ctx, reply, f"Disconnect `{a}` from `{b}`", [RemoveEdge(edge_id=k) for k in edges])


def h_remove(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    ids = node_list(ctx, m["nodes"])
    return propose(
        ctx, reply, "Remove " + ", ".join(f"`{i}`" for i in ids), [RemoveNode(node_id=i) for i in ids]
    )


def h_rename(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    old, new = node_ref(ctx, m["a"]), m["b"].strip().strip("`'\"")
    if not ID_RE.match(new):
        # Not usable as an id: keep the id, change the display name.
        return propose(
            ctx, reply, f"Rename `{old}` to “{new}”", [UpdateNode(node_id=old, changes={"name": new})]
        )
    return propose(ctx, reply, f"Rename `{old}` to `{new}`", [RenameNode(node_id=old, new_id=new)])


def _int(text: str) -> int:
    if not re.fullmatch(r"\d+", text.strip()):
        raise CommandError(f"`{text}` is not a whole number.")
    return int(text)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CommandError(f"`{text}` is not a number.") from None


def _on_error(text: str) -> str:
    value = text.strip().lower()
    if value not in {e.value for e in OnError}:
        raise CommandError(f"On error must be one of {', '.join(e.value for e in OnError)}.")
    return value


# property words -> (dotted spec path, value parser)
PROPERTIES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "retries": ("execution.retry.retries", _int),
    "retry delay": ("execution.retry.delay_seconds", parse_duration),
    "timeout": ("execution.timeout_seconds", parse_duration),
    "on error": ("execution.on_error", _on_error),
    "fallback": ("execution.fallback_node", str),
    "pool": ("execution.pool", str),
    "queue": ("execution.queue", str),
    "priority": ("execution.priority_weight", _int),
    "map over": ("execution.map_over", str),
    "name": ("name", str),
    "description": ("description", str),
    "tool": ("tool", str),
    "model": ("agent.model", str),
    "prompt": ("agent.prompt", str),
    "system prompt": ("agent.system_prompt", str),
    "max steps": ("agent.max_steps", _int),
    "temperature": ("agent.temperature", _number),
    "connection": ("agent.connection_id", str),
    "expression": ("process.expression", str),
}


def h_set(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    prop = re.sub(r"\s+", " ", m["prop"].strip().lower())
    if prop not in PROPERTIES:
        guess = did_you_mean(prop, PROPERTIES, sentence=True)
        raise CommandError(
            f"I can't set `{prop}`." + (f" {guess}" if guess else "") + f" Settable: {', '.join(PROPERTIES)}."
        )
    path, parse = PROPERTIES[prop]
    raw = m["value"].strip().strip("`'\"")
    value = parse(raw)
    ids = node_list(ctx, m["nodes"]) if m["nodes"] else node_list(ctx, "these")
    changes = nested(path, value)
    op: PatchOp = (
        UpdateNode(node_id=ids[0], changes=changes)
        if len(ids) == 1
        else BulkUpdate(node_ids=ids, changes=changes)
    )
    targets = ", ".join(f"`{i}`" for i in ids)
    return propose(ctx, reply, f"Set {prop} of {targets} to {raw}", [op])


def h_make_retry(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    ids = node_list(ctx, m["nodes"])
    count = 1 if m["count"].lower() in ("once", "one") else _int(m["count"])
    op = BulkUpdate(node_ids=ids, changes={"execution": {"retry": {"retries": count}}})
    return propose(ctx, reply, f"Make {', '.join(f'`{i}`' for i in ids)} retry {count} times", [op])


def h_make_timeout(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    ids = node_list(ctx, m["nodes"])
    seconds = parse_duration(m["duration"])
    op = BulkUpdate(node_ids=ids, changes={"execution": {"timeout_seconds": seconds}})
    return propose(ctx, reply, f"Time out {', '.join(f'`{i}`' for i in ids)} after {m['duration']}", [op])


def h_group(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    ids = node_list(ctx, m["nodes"])
    group_id = m["group"]
    if not ID_RE.match(group_id):
        raise CommandError(f"`{group_id}` is not a valid group id: use letters, digits, '_' and '-'.")
    op = AddGroup(group=Group(id=group_id, label=group_id), members=ids)
    return propose(ctx, reply, f"Group {', '.join(f'`{i}`' for i in ids)} as `{group_id}`", [op])


def h_ungroup(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    group_id = m["group"]
    groups = [g.id for g in ctx.workflow.groups]
    if group_id not in groups:
        guess = did_you_mean(group_id, groups, sentence=True)
        raise CommandError(f"There is no group `{group_id}`." + (f" {guess}" if guess else ""))
    return propose(ctx, reply, f"Ungroup `{group_id}`", [RemoveGroup(group_id=group_id)])


def h_schedule(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    value = m["value"].strip().strip("`'\"")
    lower = value.lower()
    if lower in ("none", "off", "manual", "manually", "nothing"):
        schedule = None
    elif lower.startswith("@") or lower in ("hourly", "daily", "weekly", "monthly", "yearly"):
        schedule = Schedule(kind="preset", value=value if value.startswith("@") else f"@{lower}")
    elif lower.startswith("every "):
        schedule = Schedule(kind="interval", value=value[6:].replace(" ", ""))
    elif len(value.split()) == 5:
        schedule = Schedule(kind="cron", value=value)
    else:
        raise CommandError(
            f"`{value}` is not a schedule. Write @daily, a cron like `0 6 * * *`, `every 30m`, or none."
        )
    op = SetTrigger(schedule=schedule, assets=ctx.workflow.triggers.assets)
    return propose(ctx, reply, f"Set the schedule to {value}", [op])


def h_explain_errors(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    return explain.explain_errors(ctx, reply)


def h_fix_errors(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    fixes = explain.working_fixes(ctx.workflow, ctx.errors)
    if not ctx.errors:
        return reply.text("There is nothing to fix: the workflow validates.")
    if not fixes:
        return explain.explain_errors(
            ctx, reply.text("I have no automatic fix for these; here is what is wrong.")
        )
    ops = [op for f in fixes for op in f.ops]
    if not check_patch(ctx.workflow, ops).ok:  # fixes that clash: offer the first alone
        ops = fixes[0].ops
    return propose(ctx, reply, "Fix " + "; ".join(f.label for f in fixes), ops)


def _also(reply: Reply, text: str, label: str, message: str) -> None:
    reply.text(text)
    reply.parts.append(SuggestionsPart(items=[Suggestion(label=label, action="send", message=message)]))


def h_explain_node(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    """A node; a bare name that is only a group's id or label explains the group ("node" said
    explicitly always means a node). A node and a group of the same id: the node, with a pointer."""
    token = m["node"]
    group_id = find_group(ctx, token)
    try:
        node_id = node_ref(ctx, token)
    except CommandError as exc:
        if group_id is None:
            raise
        if not m["kw"]:
            return explain.explain_group(ctx, group_id, reply)
        raise CommandError(f"{exc} There is a group `{group_id}`: ask `explain group {group_id}`.") from None
    explain.explain_node(ctx, node_id, reply)
    if group_id is not None:
        _also(
            reply,
            f"There is also a group `{group_id}`; ask `explain group {group_id}` about it.",
            f"Explain group `{group_id}`",
            f"explain group {group_id}",
        )
    return reply


def h_explain_group(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    token = m["group"].strip().strip(_QUOTES).strip()
    group_id = find_group(ctx, token)
    if group_id is None:
        return explain.unknown_group(ctx, token, reply)
    explain.explain_group(ctx, group_id, reply)
    if ctx.workflow.node(group_id) is not None:
        _also(
            reply,
            f"There is also a node `{group_id}`; ask `explain node {group_id}` about it.",
            f"Explain node `{group_id}`",
            f"explain node {group_id}",
        )
    return reply


def h_debug_run(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    return explain.debug_run(ctx, reply)


def h_run_node(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    node_id = node_ref(ctx, m["node"])
    mock: dict[str, Any] = {}
    if m["input"]:
        try:
            mock = json.loads(m["input"])
        except json.JSONDecodeError as exc:
            raise CommandError(f"The mock input is not JSON: {exc.msg}.") from None
        if not isinstance(mock, dict):
            raise CommandError("The mock input must be a JSON object.")
    reply.text(f"Run `{node_id}` on its own with this input:")
    reply.parts.append(CodePart(language="json", code=json.dumps(mock, indent=2)))
    reply.parts.append(
        SuggestionsPart(
            items=[Suggestion(label=f"Run `{node_id}`", action="run_node", node_id=node_id, input=mock)]
        )
    )
    return reply


def h_show_code(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    try:
        from airflow_canvas.compiler import compile_workflow
    except ImportError:
        return reply.text("The compiler is not installed here, so I can't show the DAG code.")
    from airflow_canvas.spec.problems import SpecError

    try:
        source = compile_workflow(ctx.workflow).source
    except SpecError as exc:
        return explain.explain_errors(
            ctx, reply.text(f"The workflow does not compile yet ({len(exc.problems)} problem(s)).")
        )
    if m["node"]:
        node_id = node_ref(ctx, m["node"])
        lines = source.splitlines()
        hits = [i for i, line in enumerate(lines) if repr(node_id) in line or f'"{node_id}"' in line]
        if hits:
            start = max(0, hits[0] - 2)
            source = "\n".join(lines[start : start + 25])
    reply.parts.append(CodePart(language="python", code=source, title=f"{ctx.workflow.id}.py"))
    return reply


def h_templates(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    from airflow_canvas.copilot import gallery

    return gallery.list_reply(reply)


def h_use_template(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    from airflow_canvas.copilot import gallery

    params = dict(re.findall(r"([A-Za-z_][\w\-]*)\s*=\s*(\"[^\"]*\"|'[^']*'|\S+)", m["params"] or ""))
    params = {k: v.strip("\"'") for k, v in params.items()}
    after = node_ref(ctx, m["after"]) if m["after"] else None
    try:
        summary, ops = gallery.template_ops(ctx.workflow, m["name"], params, after)
    except gallery.TemplateUnavailable as exc:
        raise CommandError(str(exc)) from None
    return propose(ctx, reply, summary, ops)


def h_wizard(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    wanted = (m["name"] or "").strip().lower().replace(" ", "_")
    aliases = {
        "agent": "new_agent_node",
        "agent_node": "new_agent_node",
        "new_agent_node": "new_agent_node",
        "tool": "new_tool_node",
        "tool_node": "new_tool_node",
        "new_tool_node": "new_tool_node",
        "schedule": "schedule",
    }
    names = [aliases[wanted]] if wanted in aliases else list(WIZARDS)
    items = [Suggestion(label=WIZARDS[n].title, action="open_wizard", wizard=n) for n in names]
    reply.text("Open a wizard:" if len(items) > 1 else f"Opening the {WIZARDS[names[0]].title} wizard.")
    reply.parts.append(SuggestionsPart(items=items))
    return reply


def h_help(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    return reply.text(help_markdown())


_ID = r"[A-Za-z0-9_][A-Za-z0-9_\-]*"
_REF = r"[^\s,]+"
_LIST = r"(?P<nodes>.+?)"
# A group id, or a label (spaces allowed) in straight, curly or back quotes.
_GROUP = r"\"[^\"]+\"|'[^']+'|“[^”]+”|‘[^’]+’|`[^`]+`|[^\s\"'“‘`]\S*?"

COMMANDS: list[Command] = [
    Command("help", [r"help|\?|what can you do\??|commands"], ["help"], "List these commands.", h_help),
    Command(
        "add node",
        [
            rf"(?:add|create|new)\s+(?:an?\s+)?(?P<type>tool|agent|process|input|output)\s+node\s+(?:called\s+|named\s+)?"
            rf"(?P<id>\S+)(?:\s+(?:using|with tool|with)\s+(?P<tool>\S+))?(?:\s+after\s+(?P<after>{_REF}))?"
            rf"(?:\s+before\s+(?P<before>{_REF}))?(?:\s+in\s+(?:group\s+)?(?P<group>{_ID}))?"
        ],
        [
            "add tool node http_get after fetch",
            "add agent node summarize after fetch",
            "add process node clean",
            "add tool node get_page using http_get after fetch before summarize",
        ],
        "Add a node of a type (tool, agent, process, input, output); optionally wire it after/before nodes. "
        "A tool node's tool is the tool with its id's name, or the one named with `using`.",
        h_add_node,
    ),
    Command(
        "connect",
        [
            rf"(?:connect|link|wire)\s+(?P<a>{_REF})\s+(?:to|with|->)\s+(?P<b>{_REF})"
            r"(?:\s+as\s+(?:an?\s+)?(?P<kind>data[ _-]?flow|dependency|trigger))?(?:\s+edge)?"
        ],
        ["connect fetch to summarize", "connect a to b as dependency"],
        "Add an edge (data flow by default; or dependency / trigger).",
        h_connect,
    ),
    Command(
        "disconnect",
        [rf"(?:disconnect|unlink)\s+(?P<a>{_REF})\s+(?:from|and)\s+(?P<b>{_REF})"],
        ["disconnect fetch from summarize"],
        "Remove the edges between two nodes.",
        h_disconnect,
    ),
    Command(
        "remove node",
        [rf"(?:remove|delete)\s+(?:the\s+)?(?:nodes?\s+)?{_LIST}"],
        ["remove node summarize", "delete these"],
        "Remove nodes and their edges.",
        h_remove,
    ),
    Command(
        "rename",
        [rf"rename\s+(?:node\s+)?(?P<a>{_REF})\s+(?:to|as)\s+(?P<b>.+)"],
        ["rename fetch to download"],
        "Change a node's id (edges follow), or its display name when the new name is not a valid id.",
        h_rename,
    ),
    Command(
        "set schedule",
        [r"(?:set\s+(?:the\s+)?schedule\s+to|schedule\s+(?:it\s+)?)\s*(?P<value>@?\w.*)"],
        [
            "set schedule to @daily",
            "set schedule to 0 6 * * 1-5",
            "set schedule to every 30m",
            "set schedule to none",
        ],
        "Set the workflow's schedule (preset, cron, interval, or none).",
        h_schedule,
    ),
    Command(
        "set property",
        [
            rf"set\s+(?:the\s+)?(?P<prop>[a-z ]+?)\s+(?:of|on|for)\s+{_LIST}\s+to\s+(?P<value>.+)",
            r"set\s+(?:the\s+)?(?P<prop>[a-z ]+?)\s+to\s+(?P<value>.+)(?P<nodes>)",
        ],
        [
            "set retries of summarize to 3",
            "set timeout of fetch to 10m",
            "set model of summarize to gpt-4o",
            "set on error of fetch to skip",
            "set retries to 2",
        ],
        "Set one property of nodes (of the selection when no node is named). Properties: "
        + ", ".join(PROPERTIES)
        + ".",
        h_set,
    ),
    Command(
        "make retry",
        [rf"make\s+{_LIST}\s+retry\s+(?P<count>\d+|once|one)(?:\s+times?)?"],
        ["make a b c retry 3 times", "make these retry 3 times"],
        "Bulk: set the retries of many nodes.",
        h_make_retry,
    ),
    Command(
        "make timeout",
        [rf"make\s+{_LIST}\s+time\s*out\s+(?:after\s+)?(?P<duration>.+)"],
        ["make a b time out after 10m"],
        "Bulk: set the timeout of many nodes.",
        h_make_timeout,
    ),
    Command(
        "group",
        [rf"group\s+{_LIST}\s+(?:as|into|in)\s+(?P<group>\S+)"],
        ["group a b c as enrich", "group these as enrich"],
        "Put nodes into a new group.",
        h_group,
    ),
    Command(
        "ungroup",
        [r"ungroup\s+(?:group\s+)?(?P<group>\S+)"],
        ["ungroup enrich"],
        "Remove a group; its nodes stay.",
        h_ungroup,
    ),
    Command(
        "explain errors",
        [
            r"explain(?:\s+the)?\s+(?:errors|problems)|what'?s\s+wrong\??|why\s+(?:is\s+it|does\s+it)\s+"
            r"not\s+(?:valid|work)\??|errors"
        ],
        ["explain errors", "what's wrong?"],
        "Explain the validation problems in plain words, with fixes.",
        h_explain_errors,
    ),
    Command(
        "fix errors",
        [r"fix(?:\s+(?:the|all))?\s+(?:errors|problems)|fix\s+it"],
        ["fix errors"],
        "Propose one patch with every automatic fix.",
        h_fix_errors,
    ),
    Command(
        "debug run",
        [
            r"(?:debug|explain|step\s+through)(?:\s+the)?(?:\s+(?:last|latest|failed))?\s+run|why\s+did\s+"
            r"(?:it|the\s+run)\s+fail\??"
        ],
        ["debug run", "step through the last run", "why did the run fail?"],
        "Step through the latest run node by node and explain the first failure.",
        h_debug_run,
    ),
    Command(
        "explain group",
        [
            rf"(?:explain|describe)\s+(?:the\s+)?group\s+(?P<group>{_GROUP})\??",
            rf"what\s+does\s+(?:the\s+)?group\s+(?P<group>{_GROUP})\s+do\??",
            rf"why\s+did\s+(?:the\s+)?group\s+(?P<group>{_GROUP})\s+fail\??",
        ],
        ["explain group enrich", "what does group enrich do?", 'describe group "Enrich tickets"'],
        "Explain a group (id, or label in quotes): sequential or parallel, its members in run order "
        "(nested groups too), the connections into and out of it, its problems with fixes, the latest "
        "run's state and first failure.",
        h_explain_group,
    ),
    Command(
        "explain node",
        [
            rf"(?:explain|describe|what\s+does)\s+(?P<kw>node\s+)?(?P<node>{_REF})(?:\s+do)?\??",
            rf"why\s+did\s+(?P<kw>node\s+)?(?P<node>{_REF})\s+fail\??",
        ],
        ["explain node fetch", "why did fetch fail?"],
        "Explain a node: what it does, its problems, its latest failure with inputs and log tail.",
        h_explain_node,
    ),
    Command(
        "run node",
        [rf"(?:run|test)\s+(?:node\s+)?(?P<node>{_REF})(?:\s+with\s+(?P<input>\{{.*\}}))?"],
        ['run node fetch with {"url": "https://example.org"}', "test summarize"],
        "Run one node alone with mock input.",
        h_run_node,
    ),
    Command(
        "show code",
        [rf"(?:show|view)\s+(?:the\s+)?(?:dag\s+)?code(?:\s+(?:of|for)\s+(?P<node>{_REF}))?"],
        ["show code", "show code of fetch"],
        "Show the generated DAG file (or the part of a node).",
        h_show_code,
    ),
    Command(
        "templates",
        [r"(?:list\s+|show\s+)?templates"],
        ["templates"],
        "List the template gallery.",
        h_templates,
    ),
    Command(
        "use template",
        [
            rf"(?:use|add|insert)\s+template\s+(?P<name>[\w\-]+)(?:\s+after\s+(?P<after>{_REF}))?"
            r"(?:\s+with\s+(?P<params>.+))?"
        ],
        ["use template fetch_summarize with topic=news", "use template fetch_summarize after c"],
        "Instantiate a template (a whole workflow or a sub-graph).",
        h_use_template,
    ),
    Command(
        "wizard",
        [r"(?:open\s+)?wizards?(?:\s+(?P<name>.+))?", r"(?:new|create)\s+(?P<name>agent|tool)\s+node"],
        ["new agent node", "wizard schedule", "wizards"],
        "Open a step-by-step wizard.",
        h_wizard,
    ),
]


def help_markdown() -> str:
    lines = [
        "I am the offline co-pilot. I understand these commands (node names or ids, group ids or "
        "labels; *these* means the selected nodes):",
        "",
    ]
    for command in COMMANDS:
        examples = ", ".join(f"`{e}`" for e in command.examples)
        lines.append(f"- **{command.name}**: {command.doc} E.g. {examples}")
    return "\n".join(lines)


def _normalise(message: str) -> str:
    text = message.strip().rstrip(".!")
    text = re.sub(r"^(please|can you|could you|co-?pilot,?)\s+", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text)


def respond(message: str, ctx: CopilotContext) -> Reply:
    """Answer one message. Never raises for user input: errors become a friendly text reply."""
    reply = Reply(engine="offline")
    text = _normalise(message)
    for command in COMMANDS:
        m = command.match(text)
        if m is None:
            continue
        try:
            return command.handler(ctx, m, reply)
        except CommandError as exc:
            reply.error = "command"
            return reply.text(str(exc))
    examples = [e for c in COMMANDS for e in c.examples]
    close = difflib.get_close_matches(text.lower(), examples, n=3, cutoff=0.4)
    reply.error = "not_understood"
    reply.text(
        "I didn't understand that. Without a language model I follow the commands listed under "
        "`help`." + (" Did you mean: " + ", ".join(f"`{c}`" for c in close) + "?" if close else "")
    )
    reply.parts.append(
        SuggestionsPart(
            items=[Suggestion(label="Help", action="send", message="help")]
            + [Suggestion(label=c, action="send", message=c) for c in close]
        )
    )
    return reply
