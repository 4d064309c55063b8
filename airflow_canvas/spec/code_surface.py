"""The executable code in a workflow spec, and what changed in it between two specs.

Airflow trusts DAG authors to run code. The canvas lets more people edit workflows, so saving a
change that adds or alters *executable code* needs the Canvas Code permission, and a deploy shows the
code that changes and asks for confirmation. This module is the one definition of "executable code":
a pure function over validated specs (no Airflow import), used by the API's save paths, the deploy
preview and the UI (through the API).

What counts, and why (read with compiler/ir.py, compiler/emitter.py and compiler/notifications.py):

- **Process nodes in a language that executes**: ``python`` is ``exec``'d on a worker. Every
  language except ``jmespath`` counts (fail closed for languages added later). JMESPath is a query
  language over the node's inputs with a fixed set of pure functions: no I/O, no imports, no way
  to define a function, so it is a data transform, not code.
- **Operator-backed nodes** (a tool node with ``operator``): the class path is imported, and every
  argument is code because operator arguments are programs (``bash_command``, ``sql``,
  ``python_callable``...): each ``parameters`` entry, each ``templates`` entry (merged into the
  operator's keyword arguments), and each data edge mapping that feeds one of its arguments (an
  upstream output becoming, say, a ``bash_command``).
- **What feeds an operator's arguments**: every node whose output reaches an operator node through
  data edges (its fallbacks too), with the data edges into it, and the workflow's params when an
  input node is among them: a JMESPath literal or an input default that ends up as a
  ``bash_command`` is that command.
- **``$callable`` values anywhere** in node, tool, notification or workflow parameters: the emitter
  turns them into ``import_string(...)``.
- **Notifiers named by class path** (not a short name such as ``smtp``): the class is imported and
  called by Airflow's callbacks, so the path and its ``parameters`` count. A short name's
  ``parameters`` are the provider class's own arguments (SMTP's ``files`` attaches any file the
  worker can read, its ``template`` reads a path at parse time): each counts too.
- **Inline tools** (``workflow.tools``): ``code``, ``entry_point`` (a ``module:function`` is
  imported when there is no code), ``dependencies`` (pip installs run their setup code), the
  language, and the tests' ``assertions`` (Python expressions evaluated when the tool is tested).

- **Jinja that reads more than run data**: a canvas node's ``templates`` and a notification's texts
  are rendered by Airflow with the whole task context, which holds every connection's secrets
  (``conn.<id>.password``), Variables (``var``), and objects that reach other DAGs' XComs and the
  context again (``ti.xcom_pull``, ``ti.get_template_context()``). A template that uses only run
  data (``params``, the dates, ``run_id``; see :func:`jinja_is_data`) is data; any other name or
  construct makes it code, so a person without the Code permission cannot read secrets through it.

Not code: Jinja over run data only, agent prompts (rendered by the operator in its own sandbox over
``inputs``/``params``/``parameters``), edge conditions and mapping transforms (JMESPath),
references to published tools (their code was published by someone holding the Tools permission),
and everything else (schemas, schedules, execution policies, layout).

Items are matched between specs by a stable key (node id, tool ref, field), not by list position,
so moving a node in the list or editing its other fields changes nothing here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from airflow_canvas.spec.graph import fallback_targets
from airflow_canvas.spec.jinja_data import jinja_is_data
from airflow_canvas.spec.models import EdgeKind, Node, NodeType, Notification, Workflow
from airflow_canvas.spec.problems import pointer

CALLABLE_KEY = "$callable"
# Process languages that only transform data; any other language is treated as code.
DATA_LANGUAGES = frozenset({"jmespath"})

Key = tuple[str, ...]


@dataclass(frozen=True)
class CodeItem:
    key: Key  # stable identity across versions: (owner kind, owner id, field...)
    kind: str  # e.g. "python", "operator", "operator_argument", "callable", "tool_code"
    label: str  # what a person reads, e.g. "Python code of process node 'clean'"
    pointer: str  # JSON pointer into the spec, e.g. "/nodes/2/process/expression"
    value: Any  # JSON data
    node_id: str | None = None
    tool: str | None = None  # tool ref (name@version) for inline-tool items


@dataclass(frozen=True)
class CodeChange:
    kind: str
    label: str
    pointer: str  # where it is in the newer spec (in the older one for removals)
    before: Any  # None when added
    after: Any  # None when removed
    node_id: str | None = None
    tool: str | None = None

    @property
    def change(self) -> Literal["added", "altered", "removed"]:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "altered"

    @property
    def introduces_code(self) -> bool:
        """Adding or altering code needs the Code permission; removing it does not."""
        return self.after is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "pointer": self.pointer,
            "node_id": self.node_id,
            "tool": self.tool,
            "change": self.change,
            "before": self.before,
            "after": self.after,
            "before_text": display_text(self.before),
            "after_text": display_text(self.after),
        }


def display_text(value: Any) -> str:
    """Code as a person reads it: strings as they are, other JSON indented."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


# ------------------------------------------------------------------------------------ the surface


def _callables(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, import path) of every ``{"$callable": "pkg.mod.func"}`` inside JSON data."""
    if isinstance(value, dict):
        if CALLABLE_KEY in value:
            target = value[CALLABLE_KEY]
            yield path, target if isinstance(target, str) else json.dumps(target, sort_keys=True)
        for k, v in value.items():
            if k != CALLABLE_KEY:
                yield from _callables(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _callables(v, (*path, i))


def _is_operator(node: Node) -> bool:
    return node.type is NodeType.TOOL and bool(node.operator)


def _node_items(index: int, node: Node) -> Iterator[CodeItem]:
    at = ("nodes", index)
    own = {"node_id": node.id}
    name = f"node {node.id!r}"
    if node.type is NodeType.PROCESS and node.process is not None:
        language = node.process.language
        if language not in DATA_LANGUAGES:
            yield CodeItem(
                ("node", node.id, "process", "expression"),
                language,
                f"{language.capitalize()} code of process {name}",
                pointer(*at, "process", "expression"),
                node.process.expression,
                **own,
            )
    if _is_operator(node):
        yield CodeItem(
            ("node", node.id, "operator"),
            "operator",
            f"Operator class of {name}",
            pointer(*at, "operator"),
            node.operator,
            **own,
        )
        for key, value in node.parameters.items():
            yield CodeItem(
                ("node", node.id, "parameters", key),
                "operator_argument",
                f"Operator argument {key!r} of {name}",
                pointer(*at, "parameters", key),
                value,
                **own,
            )
        for key, value in node.templates.items():
            yield CodeItem(
                ("node", node.id, "templates", key),
                "operator_argument",
                f"Operator argument {key!r} (template) of {name}",
                pointer(*at, "templates", key),
                value,
                **own,
            )
    else:
        for key, value in node.templates.items():
            if not jinja_is_data(value):
                yield CodeItem(
                    ("node", node.id, "templates", key),
                    "template",
                    f"Template {key!r} of {name} (reads more than run data)",
                    pointer(*at, "templates", key),
                    value,
                    **own,
                )
        for path, target in _callables(node.parameters):
            yield CodeItem(
                ("node", node.id, "parameters", *map(str, path)),
                "callable",
                f"Callable in parameter {'.'.join(map(str, path))!r} of {name}",
                pointer(*at, "parameters", *path),
                target,
                **own,
            )
    for n, notification in enumerate(node.notifications):
        yield from _notification_items(("node", node.id), (*at, "notifications", n), notification, name, own)


def _notification_items(
    owner: Key, at: tuple[str | int, ...], notification: Notification, name: str, own: dict[str, Any]
) -> Iterator[CodeItem]:
    # Notifications have no id: their position identifies them (a reordering shows as a change).
    index = str(at[-1])
    key = (*owner, "notifications", index)
    if "." in notification.notifier:  # an import path; short names map to fixed provider classes
        yield CodeItem(
            (*key, "notifier"),
            "notifier",
            f"Notifier class of {name} (notification {index})",
            pointer(*at, "notifier"),
            notification.notifier,
            **own,
        )
        if notification.parameters:
            yield CodeItem(
                (*key, "parameters"),
                "notifier_argument",
                f"Notifier arguments of {name} (notification {index})",
                pointer(*at, "parameters"),
                notification.parameters,
                **own,
            )
        return
    yield from _notification_templates(key, at, notification, name, own)
    # The provider class's own keyword arguments: SMTP's ``files`` attaches any file the worker can
    # read to the e-mail and its ``template`` reads a file path when the DAG is parsed, so each one
    # is code (a ``$callable`` among them too).
    for arg, value in notification.parameters.items():
        yield CodeItem(
            (*key, "parameters", arg),
            "notifier_argument",
            f"Notifier argument {arg!r} of {name} (notification {index})",
            pointer(*at, "parameters", arg),
            value,
            **own,
        )


def json_strings(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, text) of every string inside JSON data."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from json_strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from json_strings(v, (*path, i))


def _notification_templates(
    key: Key, at: tuple[str | int, ...], notification: Notification, name: str, own: dict[str, Any]
) -> Iterator[CodeItem]:
    """Texts of a notifier named by short name that Airflow renders as Jinja with the task context."""
    fields = {
        "subject": notification.subject,
        "message": notification.message,
        "to": notification.to,
    }
    for field_name, value in fields.items():
        for path, text in json_strings(value):
            if jinja_is_data(text):
                continue
            where = ".".join(map(str, (field_name, *path)))
            yield CodeItem(
                (*key, field_name, *map(str, path)),
                "template",
                f"Template {where!r} of {name} (notification {key[-1]}) reads more than run data",
                pointer(*at, field_name, *path),
                text,
                **own,
            )


# Node fields that do not shape what a node outputs (how it looks, what it notifies).
_PRESENTATION_FIELDS = frozenset({"name", "description", "ui", "notifications"})


def _operator_sources(wf: Workflow) -> Iterator[CodeItem]:
    """Every node whose output reaches an operator node's arguments through data edges (or stands in
    for such a node as its fallback), with the data edges into it: what it computes becomes part of
    the argument, so changing it (a JMESPath literal that ends up as a ``bash_command``) changes
    code. Operator nodes are code items already."""
    operators = {n.id for n in wf.nodes if _is_operator(n)}
    if not operators:
        return
    incoming: dict[str, list[tuple[int, Any]]] = {}
    for e, edge in enumerate(wf.edges):
        if edge.kind is EdgeKind.DATA_FLOW:
            incoming.setdefault(edge.target, []).append((e, edge))
    fallbacks = fallback_targets(wf)
    feeds: dict[str, set[str]] = {}  # node id -> the operator nodes its output reaches
    for op in sorted(operators):
        stack = [edge.source for _, edge in incoming.get(op, [])]
        seen: set[str] = set()
        while stack:
            node_id = stack.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            feeds.setdefault(node_id, set()).add(op)
            stack.extend(edge.source for _, edge in incoming.get(node_id, []))
            if node_id in fallbacks:
                stack.append(fallbacks[node_id])
    for i, node in enumerate(wf.nodes):
        if node.id not in feeds or node.id in operators:
            continue
        value = {
            "node": node.model_dump(mode="json", exclude=set(_PRESENTATION_FIELDS)),
            "inputs": [
                edge.model_dump(mode="json", exclude={"label"}) for _, edge in incoming.get(node.id, [])
            ],
        }
        if node.type is NodeType.INPUT and wf.params:
            value["workflow_params"] = wf.params
        targets = ", ".join(repr(t) for t in sorted(feeds[node.id]))
        yield CodeItem(
            ("node", node.id, "operator_source"),
            "operator_source",
            f"Node {node.id!r} and its inputs, whose output reaches the arguments of operator node(s) {targets}",
            pointer("nodes", i),
            value,
            node_id=node.id,
        )


def _operator_inputs(wf: Workflow) -> Iterator[CodeItem]:
    """Data edges that feed an operator node's keyword arguments from an upstream output."""
    operators = {n.id for n in wf.nodes if _is_operator(n)}
    for e, edge in enumerate(wf.edges):
        if edge.target not in operators or edge.kind.value != "data_flow":
            continue
        for m, mapping in enumerate(edge.mapping):
            yield CodeItem(
                ("node", edge.target, "inputs", mapping.target),
                "operator_input",
                f"Operator argument {mapping.target!r} of node {edge.target!r}, fed from node {edge.source!r}",
                pointer("edges", e, "mapping", m),
                {"from_node": edge.source, "field": mapping.source, "transform": mapping.transform},
                node_id=edge.target,
            )


# Tool fields that are data; every other field (code, entry point, dependencies, language, and any
# field added later such as a network flag) decides what runs and how: fail closed.
_TOOL_DATA_FIELDS = frozenset(
    {"name", "version", "description", "input_schema", "output_schema", "parameters", "tests"}
)
_TOOL_LABELS = {"code": "Code", "entry_point": "Entry point", "dependencies": "Dependencies (pip)"}


def _tool_items(wf: Workflow) -> Iterator[CodeItem]:
    for t, tool in enumerate(wf.tools):
        at = ("tools", t)
        own = {"tool": tool.ref}
        name = f"inline tool {tool.ref}"
        key = ("tool", tool.ref)
        for field_name, value in tool.model_dump(mode="json").items():
            if field_name in _TOOL_DATA_FIELDS or value in ("", [], {}, None):
                continue
            label = _TOOL_LABELS.get(field_name, field_name.replace("_", " ").capitalize())
            yield CodeItem(
                (*key, field_name),
                f"tool_{field_name}",
                f"{label} of {name}",
                pointer(*at, field_name),
                value,
                **own,
            )
        for n, test in enumerate(tool.tests):
            if test.assertions:
                yield CodeItem(
                    (*key, "tests", str(n), "assertions"),
                    "tool_test_assertion",
                    f"Test assertions (Python) of {name}, test {test.name or n}",
                    pointer(*at, "tests", n, "assertions"),
                    list(test.assertions),
                    **own,
                )
        for path, target in _callables(tool.parameters):
            yield CodeItem(
                (*key, "parameters", *map(str, path)),
                "callable",
                f"Callable in parameter {'.'.join(map(str, path))!r} of {name}",
                pointer(*at, "parameters", *path),
                target,
                **own,
            )


def _workflow_items(wf: Workflow) -> Iterator[CodeItem]:
    for n, notification in enumerate(wf.notifications):
        yield from _notification_items(("workflow",), ("notifications", n), notification, "the workflow", {})
    for g, group in enumerate(wf.groups):
        for n, notification in enumerate(group.notifications):
            yield from _notification_items(
                ("group", group.id),
                ("groups", g, "notifications", n),
                notification,
                f"group {group.id!r}",
                {},
            )
    for path, target in _callables(wf.params):
        yield CodeItem(
            ("workflow", "params", *map(str, path)),
            "callable",
            f"Callable in workflow parameter {'.'.join(map(str, path))!r}",
            pointer("params", *path),
            target,
        )


def code_items(wf: Workflow | None) -> dict[Key, CodeItem]:
    """Every piece of executable code in ``wf``, by stable key (empty for None: no spec yet)."""
    if wf is None:
        return {}
    items: dict[Key, CodeItem] = {}
    for i, node in enumerate(wf.nodes):
        for item in _node_items(i, node):
            items.setdefault(item.key, item)
    for source in (_operator_inputs(wf), _operator_sources(wf), _tool_items(wf), _workflow_items(wf)):
        for item in source:
            items.setdefault(item.key, item)
    return items


def code_changes(before: Workflow | None, after: Workflow | None) -> list[CodeChange]:
    """The code that differs from ``before`` to ``after`` (None = no spec), in ``after``'s order
    with removals last. Equal values are no change, wherever the item moved in the spec."""
    old, new = code_items(before), code_items(after)
    changes: list[CodeChange] = []
    for key, item in new.items():
        previous = old.get(key)
        if previous is not None and previous.kind == item.kind and _same(previous.value, item.value):
            continue
        changes.append(
            CodeChange(
                item.kind,
                item.label,
                item.pointer,
                previous.value if previous is not None else None,
                item.value,
                item.node_id,
                item.tool,
            )
        )
    for key, item in old.items():
        if key not in new:
            changes.append(
                CodeChange(item.kind, item.label, item.pointer, item.value, None, item.node_id, item.tool)
            )
    return changes


def introduced_code(before: Workflow | None, after: Workflow | None) -> list[CodeChange]:
    """The changes that add or alter code (what needs the Code permission to save)."""
    return [c for c in code_changes(before, after) if c.introduces_code]


def changes_digest(changes: list[CodeChange], **binding: Any) -> str:
    """A hash naming exactly these code changes (and what they are bound to, e.g. the workflow and
    environment): a deploy confirmation carries it, so it cannot approve different code."""
    payload = {
        "binding": binding,
        "changes": [
            {"pointer": c.pointer, "kind": c.kind, "before": c.before, "after": c.after, "node_id": c.node_id}
            for c in changes
        ],
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)
