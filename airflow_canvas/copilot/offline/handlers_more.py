"""Handlers of the commands added for plain language: insert a node between two connected
nodes, and explain the whole workflow."""

from __future__ import annotations

import re

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.explain.workflow import explain_workflow
from airflow_canvas.copilot.offline.handlers import add_node_ops, propose
from airflow_canvas.copilot.offline.parsing import CommandError, node_ref
from airflow_canvas.copilot.patch import RemoveEdge
from airflow_canvas.copilot.responses import Reply


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
