"""Spec -> IR, the tasks' part: the working record of each task (:class:`TaskPlan`), the names
derived from ids, the IR's own check of operator nodes, tool pinning and the DAG's Params.

The builder (compiler/ir.py) is assembled from mixins, one job each; this module also holds the
state they share (:class:`BuilderState`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from airflow_canvas.spec.models import (
    CALLABLE_KEY,
    ExecutionPolicy,
    Node,
    NodeType,
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
from airflow_canvas.validation.checks_compile import CANVAS_OPERATORS, RESERVED_NAMES

CANVAS_MODULE = "airflow_canvas.operators"


@dataclass
class XComRef:
    """``<task var>.output`` or, with ``key``, one key of a multiple_outputs task."""

    node_id: str
    key: str | None = None


@dataclass
class TaskPlan:
    """What the builder decides about one task, as data; compiler/lower_tasks.py turns it into
    the final keyword-argument expressions of :class:`airflow_canvas.compiler.ir.TaskIR`."""

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
class GroupPlan:
    id: str
    var: str
    label: str
    description: str
    parent: str | None


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


class BuilderState:
    """What the builder's mixins share (set in ``_Builder.__init__``)."""

    wf: Workflow
    resolver: ToolResolver
    names: _Names
    nodes: dict[str, Node]
    index: dict[str, int]
    tasks: dict[str, TaskPlan]
    groups: dict[str, GroupPlan]
    deps: dict[tuple[str, str], None]  # explicit `a >> b` lines (task/group ids), an ordered set
    upstreams: dict[str, set[str]]
    reasons: dict[str, set[str]]  # task id -> why its trigger rule is not the default
    tools: dict[str, Tool]
    digests: dict[str, str]  # ref -> SHA-256 of its bundled file (tools/bundle.py)
    _chains: dict[str, list[str]]

    def chain(self, group_id: str | None) -> list[str]:
        """Group ids from the outermost down to ``group_id``."""
        return self._chains.get(group_id, []) if group_id is not None else []

    def task_id(self, node_id: str, group_id: str | None) -> str:
        """The task id Airflow gives a node: TaskGroup ids prefix it, joined by dots."""
        return ".".join([*self.chain(group_id), node_id])

    # One mixin's steps that another calls (the mixins come first in _Builder's MRO).
    def _depend(self, up: str, down: str, *, explicit: bool = True) -> None:  # EdgeMixin
        raise NotImplementedError

    def _wire_branch_target(self, source_id: str, target_id: str) -> None:  # BranchMixin
        raise NotImplementedError

    def _finish_branch(self, source_id: str, conditions: dict[str, str | None]) -> None:  # BranchMixin
        raise NotImplementedError


class TaskMixin(BuilderState):
    def _task(self, node: Node) -> TaskPlan:
        var = self.names.take(node.id, "t_")
        task = TaskPlan(
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


def _asset_uris(parameters: dict[str, Any]) -> list[str]:
    uris: list[str] = []
    single = parameters.get("asset_uri")
    if isinstance(single, str):
        uris.append(single)
    many = parameters.get("asset_uris")
    if isinstance(many, list):
        uris.extend(u for u in many if isinstance(u, str))
    return uris
