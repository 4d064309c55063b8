"""Handlers of the commands that do not edit the graph in place (show code, templates, wizards)
and of those added for plain language (insert a node between two connected nodes, explain the
whole workflow)."""

from __future__ import annotations

import re

from airflow_canvas.copilot import explain
from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.explain.workflow import explain_workflow
from airflow_canvas.copilot.offline.handlers import add_node_ops, propose
from airflow_canvas.copilot.offline.parsing import CommandError, node_ref
from airflow_canvas.copilot.patch import RemoveEdge
from airflow_canvas.copilot.responses import CodePart, Reply, Suggestion, SuggestionsPart
from airflow_canvas.copilot.wizards import WIZARDS


def h_insert(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    """A new node on the connection a -> b: a -> new -> b, the direct edge removed."""
    a, b = node_ref(ctx, m["a"]), node_ref(ctx, m["b"])
    direct = [e.key for e in ctx.workflow.edges if e.source == a and e.target == b]
    if not direct:
        raise CommandError(
            f"`{a}` does not feed `{b}`, so there is nothing to insert into. "
            f"Write `add {m['type']} node {m['id']} after {a} before {b}` to add it anyway."
        )
    fields = {"type": m["type"], "id": m["id"], "tool": m["tool"], "after": a, "before": b, "group": None}
    _, ops = add_node_ops(ctx, fields)
    node = ops[0].node  # type: ignore[union-attr]
    node_id = node.id
    # Inside the innermost group holding both ends: a group's members stay connected.
    node.group = node.group or _common_group(ctx, a, b)
    ops += [RemoveEdge(edge_id=k) for k in direct]
    return propose(ctx, reply, f"Insert {m['type'].lower()} node `{node_id}` between `{a}` and `{b}`", ops)


def _common_group(ctx: CopilotContext, a: str, b: str) -> str | None:
    parents = {g.id: g.parent for g in ctx.workflow.groups}

    def chain(node_id: str) -> list[str]:
        node = ctx.workflow.node(node_id)
        out, group = [], node.group if node else None
        while group and group not in out:
            out.append(group)
            group = parents.get(group)
        return out

    b_groups = set(chain(b))
    return next((g for g in chain(a) if g in b_groups), None)


def h_explain_workflow(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    return explain_workflow(ctx, reply)


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
