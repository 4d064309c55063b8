"""The template gallery as the co-pilot uses it: a template (whole workflow or sub-graph, from
``airflow_canvas.templates``) becomes add_* patch operations merged into the current workflow,
with ids made unique and the sub-graph placed right of the canvas (or after a chosen node)."""

from __future__ import annotations

from typing import Any

from airflow_canvas.copilot.patch import AddEdge, AddGroup, AddNode, PatchOp, SetProperty
from airflow_canvas.copilot.responses import Reply, Suggestion, SuggestionsPart
from airflow_canvas.spec.models import Edge, Group, Node, Workflow


class TemplateUnavailable(LookupError):
    pass


def _field(item: Any, name: str, default: Any = None) -> Any:
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def _templates_module() -> Any:
    try:
        from airflow_canvas import templates
    except ImportError:
        raise TemplateUnavailable("The template gallery is not installed here.") from None
    return templates


def templates_info() -> list[dict[str, Any]]:
    """[{name, title, description, kind, parameters}] whatever shape the gallery returns."""
    out = []
    for item in _templates_module().list_templates():
        out.append(
            {
                "name": _field(item, "name"),
                "title": _field(item, "title", "") or _field(item, "name"),
                "description": _field(item, "description", ""),
                "kind": str(_field(item, "kind", "") or ""),
                "parameters": _field(item, "parameters", None),
            }
        )
    return out


def list_reply(reply: Reply) -> Reply:
    try:
        items = templates_info()
    except TemplateUnavailable as exc:
        return reply.text(str(exc))
    if not items:
        return reply.text("The gallery has no templates.")
    lines = [
        f"- **{t['name']}**{' (' + t['kind'] + ')' if t['kind'] else ''}: {t['description']}" for t in items
    ]
    reply.text("Templates (say `use template <name> with key=value ...`):\n\n" + "\n".join(lines))
    reply.parts.append(
        SuggestionsPart(
            items=[
                Suggestion(label=f"Use {t['title']}", action="send", message=f"use template {t['name']}")
                for t in items
            ]
        )
    )
    return reply


def _instantiate(name: str, params: dict[str, Any]) -> Any:
    module = _templates_module()
    known = {t["name"]: t for t in templates_info()}
    if name not in known:
        from airflow_canvas.spec.problems import did_you_mean

        guess = did_you_mean(name, known, sentence=True)
        raise TemplateUnavailable(
            f"There is no template `{name}`."
            + (f" {guess}" if guess else "")
            + f" Known: {', '.join(known) or 'none'}."
        )
    kind = known[name]["kind"].lower()
    try:
        if "sub" in kind and hasattr(module, "instantiate_subgraph"):
            return module.instantiate_subgraph(name, params)
        return module.instantiate_template(name, params)
    except (ValueError, KeyError, TypeError) as exc:  # SpecError is a ValueError: it names the parameter
        raise TemplateUnavailable(f"Template `{name}` could not be made: {exc}") from None


def _parts(result: Any) -> tuple[list[Node], list[Edge], list[Group], list[Any]]:
    if isinstance(result, Workflow):
        return list(result.nodes), list(result.edges), list(result.groups), list(result.tools)
    nodes = [n if isinstance(n, Node) else Node.model_validate(n) for n in _field(result, "nodes", [])]
    edges = [e if isinstance(e, Edge) else Edge.model_validate(e) for e in _field(result, "edges", [])]
    groups = [
        g if isinstance(g, Group) else Group.model_validate(g) for g in _field(result, "groups", []) or []
    ]
    return nodes, edges, groups, list(_field(result, "tools", []) or [])


def _unique_ids(ids: list[str], taken: set[str]) -> dict[str, str]:
    """Each id -> itself, or ``<id>_2``, ``<id>_3``... when ``taken`` (or an earlier id) has it."""
    renames: dict[str, str] = {}
    for old in ids:
        new, n = old, 2
        while new in taken:
            new, n = f"{old}_{n}", n + 1
        renames[old] = new
        taken.add(new)
    return renames


def template_ops(
    wf: Workflow, name: str, params: dict[str, Any], after: str | None = None
) -> tuple[str, list[PatchOp]]:
    result = _instantiate(name, params)
    nodes, edges, groups, tools = _parts(result)
    entry = list(_field(result, "entry", None) or [])
    renames = _unique_ids([n.id for n in nodes], {n.id for n in wf.nodes})
    group_renames = _unique_ids([g.id for g in groups], {g.id for g in wf.groups})
    # Place the template right of everything already on the canvas, keeping its own layout.
    dx = (
        max((n.ui.position.x for n in wf.nodes), default=-300)
        + 300
        - min((n.ui.position.x for n in nodes), default=0)
    )
    ops: list[PatchOp] = []
    for group in groups:
        parent = group_renames.get(group.parent, group.parent) if group.parent else None
        ops.append(AddGroup(group=group.model_copy(update={"id": group_renames[group.id], "parent": parent})))
    for node in nodes:
        ui = node.ui.model_copy(
            update={"position": node.ui.position.model_copy(update={"x": node.ui.position.x + dx})}
        )
        execution = node.execution
        if execution.fallback_node in renames:
            execution = execution.model_copy(update={"fallback_node": renames[execution.fallback_node]})
        ops.append(
            AddNode(
                node=node.model_copy(
                    update={
                        "id": renames[node.id],
                        "ui": ui,
                        "execution": execution,
                        "group": group_renames.get(node.group, node.group) if node.group else None,
                    }
                )
            )
        )
    for edge in edges:
        ops.append(
            AddEdge(
                edge=edge.model_copy(
                    update={
                        "source": renames.get(edge.source, edge.source),
                        "target": renames.get(edge.target, edge.target),
                        "id": None,
                    }
                )
            )
        )
    if after:
        # The template's declared entry nodes, else every node nothing in the template feeds.
        targets = {e.target for e in edges}
        starts = [n for n in entry if n in renames] or [n.id for n in nodes if n.id not in targets]
        ops += [AddEdge(edge=Edge(source=after, target=renames[n])) for n in starts]
    existing_tools = {(t.name, t.version) for t in wf.tools}
    ops += [
        SetProperty(path="/tools/-", value=t.model_dump(mode="json") if hasattr(t, "model_dump") else t)
        for t in tools
        if (_field(t, "name"), _field(t, "version")) not in existing_tools
    ]
    return f"Add template `{name}` ({len(nodes)} node(s))", ops
