"""Spec -> IR: what each task is, what it depends on and how it reads its inputs.

The IR holds no source text, only names derived from ids and data (literals are made by the
emitter), so every decision about the Airflow graph lives here and the emitter just prints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from airflow_canvas.spec.graph import group_chains, sequential_links, stable_order
from airflow_canvas.spec.models import (
    CALLABLE_KEY,
    EdgeKind,
    ExecutionPolicy,
    Node,
    NodeType,
    OnError,
    Tool,
    Workflow,
    effective_policy,
    identifier_suggestion,
    is_dotted_path,
    is_identifier,
    is_operator_path,
)
from airflow_canvas.spec.problems import Problem, SpecError, pointer
from airflow_canvas.tools.bundle import tool_digest
from airflow_canvas.tools.registry import ToolResolver
from airflow_canvas.validation.checks_compile import (
    CANVAS_OPERATORS,
    RESERVED_NAMES,
    map_over_source_problems,
    operator_class_names,
    operator_name_problems,
)

BRANCH_SUFFIX = "__branch"
ITEMS_SUFFIX = "__items"

# Trigger rules in order of precedence when several reasons apply to one task.
TRIGGER_RULE_ORDER = (
    "all_failed",
    "one_failed",
    "all_done",
    "all_done_min_one_success",
    "none_failed_min_one_success",
)

CANVAS_MODULE = "airflow_canvas.operators"
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-]+")  # (fullmatch) needs no escaping in a JMESPath quoted identifier


@dataclass
class XComRef:
    """``<task var>.output`` or, with ``key``, one key of a multiple_outputs task."""

    node_id: str
    key: str | None = None


@dataclass
class TaskIR:
    node_id: str  # task id as written in the source (Airflow prefixes TaskGroup ids)
    full_task_id: str
    var: str
    group: str | None
    operator: str  # class name
    module: str  # where the class is imported from
    node: Node | None  # None for generated tasks (branches)
    is_canvas: bool = True
    kwargs: dict[str, Any] = field(default_factory=dict)  # operator-specific, data (literals)
    upstream_outputs: dict[str, XComRef] = field(default_factory=dict)
    input_mapping: dict[str, str] = field(default_factory=dict)
    merge_upstream: list[str] = field(default_factory=list)
    fallbacks: dict[str, str] = field(default_factory=dict)
    operator_xcom_kwargs: dict[str, XComRef] = field(default_factory=dict)  # external operators
    policy: ExecutionPolicy = field(default_factory=ExecutionPolicy)
    trigger_rule: str | None = None
    multiple_outputs: bool = False
    expand: XComRef | None = None  # dynamic task mapping over this list
    outlets: list[str] = field(default_factory=list)


@dataclass
class GroupIR:
    id: str
    var: str
    label: str
    description: str
    parent: str | None


@dataclass
class WorkflowIR:
    wf: Workflow
    tasks: dict[str, TaskIR]  # node id (or branch id) -> task, in spec order
    groups: dict[str, GroupIR]
    deps: list[tuple[str, str]]  # explicit (upstream var, downstream var), emission order
    params: dict[str, dict[str, Any]]  # name -> JSON Schema of the Param (may hold "default")
    tools: list[Tool]
    children: dict[str | None, list[tuple[str, str]]]  # group id (None = DAG) -> ordered members
    has_notifications: bool = False


def _fail(code: str, message: str, where: str, **owner: Any) -> SpecError:
    return SpecError([Problem(code=code, message=message, pointer=where, **owner)])


class _Names:
    """Python variable names derived from ids: `-` -> `_`, prefixed when not a safe name (a
    keyword, a leading digit, a dunder such as ``__name__`` the module itself defines). Ids are
    ASCII by the spec's pattern; anything else stays unusable and the emitter refuses it."""

    def __init__(self) -> None:
        self.used: set[str] = set(RESERVED_NAMES)

    def take(self, ident: str, prefix: str) -> str:
        base = ident.replace("-", "_")
        if not is_identifier(base) or base in self.used or base.startswith("__"):
            base = f"{prefix}{base}"
        name, n = base, 2
        while name in self.used:
            name, n = f"{base}_{n}", n + 1
        self.used.add(name)
        return name


def mapping_expression(source_node: str, source_path: str, transform: str | None) -> str:
    """A JMESPath over {node_id: output}; every identifier quoted (a JSON string in JMESPath)."""
    parts = [source_node, *(p for p in source_path.split(".") if p)] if source_path else [source_node]
    expression = ".".join(f'"{p}"' if _PLAIN_KEY.fullmatch(p) else json.dumps(p) for p in parts)
    if transform and transform.strip():
        expression += f" | {transform}"
    return expression


def _check_node_kind(index: int, node: Node) -> None:
    """The IR's own check of what an operator node writes as code (validation reports the same
    with more context; this holds when validation was skipped): the class path, and every
    parameter or template key, which become keyword arguments."""
    if node.type is NodeType.TOOL and node.operator:
        if not is_operator_path(node.operator):
            raise _fail(
                "E_OPERATOR_PATH_INVALID",
                f"Operator {node.operator!r} is not an import path under 'airflow.'.",
                pointer("nodes", index, "operator"),
                node_id=node.id,
                hint="Use a class path such as airflow.providers.standard.operators.bash.BashOperator.",
            )
        for where in ("parameters", "templates"):
            for key in getattr(node, where):
                if not is_identifier(key):
                    raise _fail(
                        "E_OPERATOR_ARGUMENT",
                        f"{where.capitalize()} key {key!r} cannot be a keyword argument of {node.operator}.",
                        pointer("nodes", index, where, key),
                        node_id=node.id,
                        hint=_name_hint(key),
                    )
        for key, value in node.parameters.items():
            if (
                isinstance(value, dict)
                and set(value) == {CALLABLE_KEY}
                and not is_dotted_path(value[CALLABLE_KEY])
            ):
                raise _fail(
                    "E_CALLABLE_PATH_INVALID",
                    f"{value[CALLABLE_KEY]!r} is not the import path of a callable.",
                    pointer("nodes", index, "parameters", key, CALLABLE_KEY),
                    node_id=node.id,
                    hint="Use a dotted path such as 'package.module.function'.",
                )


def _name_hint(key: str) -> str:
    guess = identifier_suggestion(key)
    rule = "letters, digits and '_' (not starting with a digit, not a Python keyword)"
    return f"Use a Python name of {rule}" + (f": did you mean {guess!r}?" if guess else ".")


def _sorted_topologically(
    items: list[str], edges: Iterable[tuple[str, str]], rank: dict[str, int]
) -> list[str]:
    """The project's one stable topological order (spec/graph.py), earliest in spec order first."""
    successors: dict[str, list[str]] = {i: [] for i in items}
    for a, b in edges:
        successors[a].append(b)
    out, stuck = stable_order(successors, rank)
    if stuck:
        raise _fail(
            "E_GROUP_INTERLEAVED",
            "These tasks and groups depend on each other in a circle once groups are drawn as boxes: "
            + ", ".join(stuck)
            + ". A group's members must not wait on a node outside the group that itself waits on the group.",
            "/groups",
            hint="Move the node in between into the group, or split the group.",
        )
    return out


class _Builder:
    def __init__(self, wf: Workflow, resolver: ToolResolver) -> None:
        self.wf = wf
        self.resolver = resolver
        self.names = _Names()
        self.nodes = {n.id: n for n in wf.nodes}
        self.index = {n.id: i for i, n in enumerate(wf.nodes)}
        self.tasks: dict[str, TaskIR] = {}
        self.groups: dict[str, GroupIR] = {}
        # Explicit `a >> b` lines (task/group ids), in first-seen order; a dict as an ordered set.
        self.deps: dict[tuple[str, str], None] = {}
        self.upstreams: dict[str, set[str]] = {}
        self.reasons: dict[str, set[str]] = {}
        self.tools: dict[str, Tool] = {}
        self.digests: dict[str, str] = {}  # ref -> SHA-256 of its bundled file (tools/bundle.py)
        self._chains = group_chains(wf)  # all at once: big specs ask per task

    def chain(self, group_id: str | None) -> list[str]:
        """Group ids from the outermost down to ``group_id``."""
        return self._chains.get(group_id, []) if group_id is not None else []

    def task_id(self, node_id: str, group_id: str | None) -> str:
        """The task id Airflow gives a node: TaskGroup ids prefix it, joined by dots."""
        return ".".join([*self.chain(group_id), node_id])

    # -- tasks ----------------------------------------------------------------------------------
    def build(self) -> WorkflowIR:
        wf = self.wf
        self._reserve_operator_names()
        self._reserve_notifier_names()
        for group in wf.groups:
            var = self.names.take(group.id, "tg_")
            self.groups[group.id] = GroupIR(group.id, var, group.label, group.description, group.parent)
        for node in wf.nodes:
            self.tasks[node.id] = self._task(node)
        for node_id in self.tasks:
            self.upstreams[node_id] = set()
            self.reasons[node_id] = set()
        self._wire_edges()
        self._wire_fallbacks()
        self._wire_sequential_groups()
        self._wire_mapping()
        self._trigger_rules()
        params = self._params()
        children = self._order()
        deps = [(self._var(a), self._var(b)) for a, b in self.deps]
        tools = [self.tools[k] for k in sorted(self.tools)]
        return WorkflowIR(wf, self.tasks, self.groups, deps, params, tools, children, _has_notifications(wf))

    def _reserve_operator_names(self) -> None:
        """Airflow operator classes are imported by name: no variable may shadow one, and two
        classes of the same name from different modules cannot both be imported (validation's
        rule, held here too for a spec that skipped validation)."""
        for i, node in enumerate(self.wf.nodes):
            if node.type is NodeType.TOOL and node.operator:
                _check_node_kind(i, node)
        clashes = operator_name_problems(self.wf)
        if clashes:
            raise SpecError(clashes[:1])
        self.names.used.update(operator_class_names(self.wf))

    def _reserve_notifier_names(self) -> None:
        """Notifier classes are imported by name too: a node id must not shadow one."""
        if _has_notifications(self.wf):
            from airflow_canvas.compiler.notifications import notification_names

            self.names.used.update(notification_names(self.wf))

    def _var(self, ident: str) -> str:
        return self.tasks[ident].var if ident in self.tasks else self.groups[ident].var

    def _task(self, node: Node) -> TaskIR:
        var = self.names.take(node.id, "t_")
        task = TaskIR(
            node_id=node.id,
            full_task_id=self.task_id(node.id, node.group),
            var=var,
            group=node.group,
            operator=CANVAS_OPERATORS[node.type],
            module=CANVAS_MODULE,
            node=node,
            policy=effective_policy(self.wf, node),
        )
        if node.type is NodeType.PROCESS:
            process = node.process
            if process is not None:
                task.kwargs["language"] = process.language
                task.kwargs["expression"] = process.expression
        elif node.type is NodeType.TOOL and node.operator:
            module, _, cls = node.operator.rpartition(".")
            task.operator, task.module, task.is_canvas = cls, module, False
            task.kwargs.update(node.parameters)
            task.kwargs.update(node.templates)
            # Imported operators keep their asset outlets as URIs; Airflow needs Asset objects.
            outlets = task.kwargs.get("outlets")
            if isinstance(outlets, list) and outlets and all(isinstance(u, str) for u in outlets):
                task.outlets = task.kwargs.pop("outlets")
        elif node.type is NodeType.TOOL:
            task.kwargs["tool"] = ref = self._pin(node.tool or "", node)
            task.kwargs["tool_digest"] = self.digests[ref]  # the worker loads exactly this content
        elif node.type is NodeType.AGENT and node.agent is not None:
            pinned = [self._pin(ref, node) for ref in node.agent.tools]
            for key, value in node.agent.model_dump(exclude_none=True).items():
                task.kwargs[key] = pinned if key == "tools" else value
                if key == "tools" and pinned:
                    task.kwargs["tool_digests"] = {ref: self.digests[ref] for ref in pinned}
        elif node.type is NodeType.OUTPUT:
            task.outlets = _asset_uris(node.parameters)
        return task

    def _pin(self, ref: str, node: Node) -> str:
        tool = self.resolver.lookup(ref)  # cached: many nodes share a tool, validation resolved it
        if not isinstance(tool, Tool):
            raise _fail(
                "E_TOOL_UNKNOWN", str(tool), pointer("nodes", self.index[node.id], "tool"), node_id=node.id
            )
        if tool.ref not in self.tools:
            self.tools[tool.ref] = tool
            self.digests[tool.ref] = tool_digest(tool)
        return tool.ref

    # -- edges ----------------------------------------------------------------------------------
    def _depend(self, up: str, down: str, *, explicit: bool = True) -> None:
        self.upstreams.setdefault(down, set()).add(up)
        if explicit:
            self.deps[(up, down)] = None

    def _wire_edges(self) -> None:
        branches: dict[str, dict[str, str | None]] = {}
        for i, edge in enumerate(self.wf.edges):
            source, target = self.tasks[edge.source], self.tasks[edge.target]
            if edge.condition is not None:
                branches.setdefault(edge.source, {})[target.full_task_id] = edge.condition
                self._wire_branch_target(edge.source, edge.target)
            if edge.kind is EdgeKind.DATA_FLOW:
                self._wire_data(i, source, target)
            else:
                self._depend(source.node_id, target.node_id)
                if edge.kind is EdgeKind.TRIGGER:
                    self.reasons[target.node_id].add("all_done")
        for source_id, conditions in branches.items():
            self._finish_branch(source_id, conditions)

    def _wire_data(self, index: int, source: TaskIR, target: TaskIR) -> None:
        edge = self.wf.edges[index]
        if not target.is_canvas:
            self._depend(source.node_id, target.node_id)
            for m, mapping in enumerate(edge.mapping):
                if not is_identifier(mapping.target):  # the target field is a keyword argument here
                    raise _fail(
                        "E_OPERATOR_ARGUMENT",
                        f"Mapping target {mapping.target!r} cannot be a keyword argument of {target.operator}.",
                        pointer("edges", index, "mapping", m, "target"),
                        node_id=target.node_id,
                        edge_id=edge.key,
                        hint=_name_hint(mapping.target),
                    )
                target.operator_xcom_kwargs[mapping.target] = self._xcom_field(
                    source, mapping.source, mapping.transform, pointer("edges", index, "mapping", m)
                )
            return
        self._depend(source.node_id, target.node_id, explicit=False)
        target.upstream_outputs[source.node_id] = XComRef(source.node_id)
        if not edge.mapping and source.node_id not in target.merge_upstream:
            target.merge_upstream.append(source.node_id)
        for mapping in edge.mapping:
            target.input_mapping[mapping.target] = mapping_expression(
                source.node_id, mapping.source, mapping.transform
            )

    def _xcom_field(self, source: TaskIR, path: str, transform: str | None, where: str) -> XComRef:
        """An XComArg for an external operator's kwarg: the whole output or one top-level key."""
        if transform or "." in path:
            raise _fail(
                "E_OPERATOR_MAPPING",
                "An Airflow operator argument can take a node's whole output or one top-level field, "
                "without a transform.",
                where,
                node_id=source.node_id,
                hint="Add a process node that shapes the value, and map its output instead.",
            )
        if not path:
            return XComRef(source.node_id)
        source.multiple_outputs = True
        return XComRef(source.node_id, path)

    def _wire_branch_target(self, source_id: str, target_id: str) -> None:
        branch_id = source_id + BRANCH_SUFFIX
        self._depend(branch_id, target_id)

    def _finish_branch(self, source_id: str, conditions: dict[str, str | None]) -> None:
        source = self.tasks[source_id]
        branch_id = source_id + BRANCH_SUFFIX
        branch = TaskIR(
            node_id=branch_id,
            full_task_id=self.task_id(branch_id, source.group),
            var=self.names.take(branch_id, "t_"),
            group=source.group,
            operator="ConditionBranchOperator",
            module=CANVAS_MODULE,
            node=None,
            kwargs={"source": source_id, "conditions": conditions},
            upstream_outputs={source_id: XComRef(source_id)},
        )
        self.tasks[branch_id] = branch
        self.reasons[branch_id] = set()
        self._depend(source_id, branch_id, explicit=False)

    def _wire_fallbacks(self) -> None:
        downstream = self._downstream_index()
        for node in self.wf.nodes:
            policy = self.tasks[node.id].policy
            if policy.on_error is OnError.CONTINUE:
                for down in downstream.get(node.id, ()):
                    self.reasons[down].add("all_done")
            if policy.on_error is not OnError.FALLBACK or not policy.fallback_node:
                continue
            fallback = policy.fallback_node
            if fallback == node.id or fallback not in self.tasks:
                continue
            for down in downstream.get(node.id, ()):
                if down == fallback:
                    continue
                task = self.tasks[down]
                if node.id in task.upstream_outputs:
                    task.upstream_outputs[fallback] = XComRef(fallback)
                    task.fallbacks[node.id] = fallback
                    self._depend(fallback, down, explicit=False)
                else:
                    self._depend(fallback, down)
                self.reasons[down].add("all_done_min_one_success")
            self._depend(node.id, fallback)
            self.reasons[fallback].add("fallback")

    def _downstream_index(self) -> dict[str, list[str]]:
        """Node id -> the tasks directly downstream of it through edges (and branch tasks)."""
        index: dict[str, list[str]] = {}
        for task_id, ups in self.upstreams.items():
            for up in ups:
                index.setdefault(up, []).append(task_id)
        return index

    def _wire_sequential_groups(self) -> None:
        for link in sequential_links(self.wf):
            up = self._member(link.group_id, link.upstream)
            down = self._member(link.group_id, link.downstream)
            self.deps[(up, down)] = None  # group >> group: Airflow links leaves to roots
            for a in link.upstream:
                for b in link.downstream:
                    self.upstreams[b].add(a)

    def _member(self, group_id: str, node_ids: tuple[str, ...]) -> str:
        """The direct member of ``group_id`` holding these nodes: a node, or a child group."""
        first = node_ids[0]
        chain = self.chain(self.nodes[first].group)
        position = chain.index(group_id)
        return first if position == len(chain) - 1 else chain[position + 1]

    def _wire_mapping(self) -> None:
        """map_over -> ``.expand()`` over a list XCom. Airflow maps only over a task's whole
        return value, so a list inside an upstream output is first picked out by a generated
        ``<node>__items`` task (the same JMESPath the mapping would have applied)."""
        for node in self.wf.nodes:
            task = self.tasks[node.id]
            field_name = task.policy.map_over
            if not field_name or not task.is_canvas:
                continue
            expression = task.input_mapping.pop(field_name, None)
            if expression is None:
                merged = [s for s in task.merge_upstream if s in task.upstream_outputs]
                if not merged:  # validation's rule (map_over_source_problems), held here too
                    raise SpecError(map_over_source_problems(self.wf, [node.id]))
                expression = mapping_expression(merged[0], field_name, None)
            whole = _whole_output_of(expression)
            if whole is not None:
                task.expand = XComRef(whole)
            else:
                task.expand = XComRef(self._items_task(task, expression))
            task.kwargs["map_over"] = field_name

    def _items_task(self, task: TaskIR, expression: str) -> str:
        items_id = task.node_id + ITEMS_SUFFIX
        self.tasks[items_id] = TaskIR(
            node_id=items_id,
            full_task_id=self.task_id(items_id, task.group),
            var=self.names.take(items_id, "t_"),
            group=task.group,
            operator="ProcessOperator",
            module=CANVAS_MODULE,
            node=None,
            kwargs={"language": "jmespath", "expression": "items"},
            upstream_outputs=dict(task.upstream_outputs),
            input_mapping={"items": expression},
            fallbacks=dict(task.fallbacks),
        )
        self.reasons[items_id] = set()
        for up in task.upstream_outputs:
            self._depend(up, items_id, explicit=False)
        self._depend(items_id, task.node_id, explicit=False)
        return items_id

    # -- trigger rules --------------------------------------------------------------------------
    def _trigger_rules(self) -> None:
        skippable = self._skippable()
        for task_id, task in self.tasks.items():
            reasons = set(self.reasons.get(task_id, ()))
            ups = self.upstreams.get(task_id, set())
            if "fallback" in reasons:
                reasons.discard("fallback")
                owner = [
                    n for n in ups if self.tasks.get(n) and self.tasks[n].policy.fallback_node == task_id
                ]
                reasons.add("all_failed" if len(ups) <= len(owner) else "one_failed")
            if len(ups) >= 2 and ups & skippable:
                reasons.add("none_failed_min_one_success")
            for rule in TRIGGER_RULE_ORDER:
                if rule in reasons:
                    task.trigger_rule = rule
                    break

    def _skippable(self) -> set[str]:
        """Tasks a branch may skip: branch targets and everything only downstream of them."""
        down: dict[str, set[str]] = {}
        for task_id, ups in self.upstreams.items():
            for up in ups:
                down.setdefault(up, set()).add(task_id)
        frontier = [t for t in self.tasks if t.endswith(BRANCH_SUFFIX) and self.tasks[t].node is None]
        seen: set[str] = set()
        stack = [t for b in frontier for t in down.get(b, ())]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(down.get(current, ()))
        return seen

    # -- params ---------------------------------------------------------------------------------
    def _params(self) -> dict[str, dict[str, Any]]:
        params: dict[str, dict[str, Any]] = {}
        for node in self.wf.nodes:
            if node.type is not NodeType.INPUT:
                continue
            properties = node.input_schema.get("properties") or {}
            required = set(node.input_schema.get("required") or ())
            for name, schema in properties.items():
                entry = dict(schema) if isinstance(schema, dict) else {}
                entry["__required__"] = name in required
                params.setdefault(name, entry)
        for name, default in self.wf.params.items():
            params.setdefault(name, {"default": default, "__required__": False})
        return params

    # -- emission order -------------------------------------------------------------------------
    def _order(self) -> dict[str | None, list[tuple[str, str]]]:
        """Members of the DAG and of each group, topologically sorted with groups kept whole."""
        chain_of = {t: self.chain(task.group) for t, task in self.tasks.items()}
        rank: dict[str, int] = {}
        members: dict[str | None, list[str]] = {None: []}
        for gid in self.groups:
            members.setdefault(gid, [])
        for task_id in self.tasks:
            chain = chain_of[task_id]
            owner: str | None = None
            for gid in chain:
                if gid not in rank:  # first member seen of this group: the group joins its parent
                    members[owner].append(gid)
                    rank.setdefault(gid, len(rank))
                owner = gid
            members[owner].append(task_id)
            rank.setdefault(task_id, len(rank))
        lifted: dict[str | None, list[tuple[str, str]]] = {k: [] for k in members}
        for down, ups in self.upstreams.items():
            for up in ups:
                a, b = [*chain_of[up], up], [*chain_of[down], down]
                k = 0
                while k < min(len(a), len(b)) - 1 and a[k] == b[k]:
                    k += 1
                level = a[k - 1] if k else None
                lifted[level].append((a[k], b[k]))
        ordered: dict[str | None, list[tuple[str, str]]] = {}
        for level, items in members.items():
            if not items:
                continue
            ordered[level] = [
                ("group" if i in self.groups and i not in self.tasks else "task", i)
                for i in _sorted_topologically(items, lifted[level], rank)
            ]
        return ordered


def _has_notifications(wf: Workflow) -> bool:
    return bool(
        wf.notifications or any(g.notifications for g in wf.groups) or any(n.notifications for n in wf.nodes)
    )


def _asset_uris(parameters: dict[str, Any]) -> list[str]:
    uris: list[str] = []
    single = parameters.get("asset_uri")
    if isinstance(single, str):
        uris.append(single)
    many = parameters.get("asset_uris")
    if isinstance(many, list):
        uris.extend(u for u in many if isinstance(u, str))
    return uris


def _whole_output_of(expression: str) -> str | None:
    """The node id when a mapping expression is exactly one node's whole output."""
    try:
        value = json.loads(expression)
    except ValueError:
        return None
    return value if isinstance(value, str) and json.dumps(value) == expression else None


def build_ir(wf: Workflow, tools: ToolResolver | None = None) -> WorkflowIR:
    """The IR of a validated workflow. ``tools``: the resolver validation used (``compile_workflow``
    passes it so each tool reference resolves once); a fresh one for ``wf.tools`` when not given."""
    return _Builder(wf, tools if tools is not None else ToolResolver(wf.tools)).build()
