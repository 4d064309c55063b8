"""What each offline command does: one handler per ``Command`` (grammar.py). Commands that
change the workflow answer with a validated proposal (``propose``), never with an edit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from airflow_canvas.copilot import explain
from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.offline.parsing import (
    QUOTES,
    CommandError,
    find_group,
    nested,
    node_list,
    node_ref,
    number,
    on_error_word,
    parse_duration,
    whole_number,
)
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
from airflow_canvas.copilot.wizards import new_node_ops, unique_id
from airflow_canvas.spec.models import (
    ID_RE,
    AgentConfig,
    Edge,
    EdgeKind,
    Group,
    Node,
    NodeType,
    ProcessConfig,
    Schedule,
    is_operator_path,
)
from airflow_canvas.spec.problems import did_you_mean

# Set while a request of several steps is gathered (execute.py): propose records the step's ops
# instead of validating each one; the whole change is validated once, as one proposal.
COLLECT: ContextVar[list[tuple[str, list[PatchOp]]] | None] = ContextVar("offline_collect", default=None)


def propose(ctx: CopilotContext, reply: Reply, summary: str, ops: list[PatchOp]) -> Reply:
    """Validate ``ops``; attach the proposal, or explain why it cannot be made."""
    collected = COLLECT.get()
    if collected is not None:
        collected.append((summary, ops))
        return reply
    result = check_patch(ctx.workflow, ops, problems=ctx.problems)
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


def _operator_for(path: str) -> str:
    """An installed operator's import path (`add tool node bash using airflow...BashOperator`),
    checked against the catalogue the palette lists; else a CommandError with the closest ones."""
    from difflib import get_close_matches

    from airflow_canvas.catalogue.operators import get_entry, operator_catalogue

    if get_entry(path) is not None:
        return path
    close = get_close_matches(path, [e.operator for e in operator_catalogue()], n=3, cutoff=0.8)
    raise CommandError(
        f"There is no installed operator `{path}`."
        + (f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else "")
        + " Operators come from the installed Airflow provider packages."
    )


def add_node_ops(ctx: CopilotContext, m: Any) -> tuple[str, list[PatchOp]]:
    """The ops of an add-node command (``m``: its match, or a dict with the same keys)."""
    kind = _TYPES[m["type"].lower()]
    wanted = m["id"]
    if not ID_RE.match(wanted):
        raise CommandError(f"`{wanted}` is not a valid node id: use letters, digits, '_' and '-'.")
    after = node_ref(ctx, m["after"]) if m["after"] else None
    before = node_ref(ctx, m["before"]) if m["before"] else None
    node_id = unique_id(ctx.workflow, wanted) if ctx.workflow.node(wanted) else wanted
    node = Node(id=node_id, type=kind)
    if kind == NodeType.TOOL and m["tool"] and is_operator_path(m["tool"]):
        node.operator = _operator_for(m["tool"])
    elif kind == NodeType.TOOL:
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
    return f"Add {kind.value} node `{node_id}`{where}", ops


def h_add_node(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    summary, ops = add_node_ops(ctx, m)
    return propose(ctx, reply, summary, ops)


def h_connect(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    source, target = node_ref(ctx, m["a"]), node_ref(ctx, m["b"])
    kind = (
        EdgeKind(m["kind"].lower().replace(" ", "_").replace("-", "_")) if m["kind"] else EdgeKind.DATA_FLOW
    )
    if any(e.source == source and e.target == target for e in ctx.workflow.edges):
        return reply.text(f"The connection `{source}->{target}` already exists: nothing to change.")
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


# property words -> (dotted spec path, value parser)
PROPERTIES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "retries": ("execution.retry.retries", whole_number),
    "retry delay": ("execution.retry.delay_seconds", parse_duration),
    "timeout": ("execution.timeout_seconds", parse_duration),
    "on error": ("execution.on_error", on_error_word),
    "fallback": ("execution.fallback_node", str),
    "pool": ("execution.pool", str),
    "queue": ("execution.queue", str),
    "priority": ("execution.priority_weight", whole_number),
    "map over": ("execution.map_over", str),
    "name": ("name", str),
    "description": ("description", str),
    "tool": ("tool", str),
    "model": ("agent.model", str),
    "prompt": ("agent.prompt", str),
    "system prompt": ("agent.system_prompt", str),
    "max steps": ("agent.max_steps", whole_number),
    "temperature": ("agent.temperature", number),
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
    count = 1 if m["count"].lower() in ("once", "one") else whole_number(m["count"])
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
    propose(ctx, reply, f"Set the schedule to {value}", [op])
    if reply.proposal is not None:
        from airflow_canvas.copilot.offline.timewords import describe_schedule

        words = (
            describe_schedule(schedule.kind, schedule.value) if schedule else "Only when triggered by hand"
        )
        reply.text(f"In words: {words}.")
    return reply


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
    token = m["group"].strip().strip(QUOTES).strip()
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
