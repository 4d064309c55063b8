"""State shared by the validation checks: indexes over the spec, resolved tools, found problems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from typing import Any, Literal

from airflow_canvas.spec.models import Node, NodeType, Tool, Workflow
from airflow_canvas.spec.problems import Problem
from airflow_canvas.tools.compatibility import node_input_schema, node_output_schema
from airflow_canvas.tools.registry import ToolResolver


@dataclass(frozen=True)
class Resources:
    """What exists in Airflow that a spec may name (validation/resources.py checks against it), as
    far as the caller lets validation see; ``None`` for a kind = not known, not checked."""

    pools: frozenset[str] | None = None
    connections: Mapping[str, str] | None = None  # connection id -> conn_type
    variables: frozenset[str] | None = None

    @classmethod
    def of(cls, resources: Resources | None, pools: set[str] | frozenset[str] | None) -> Resources:
        """``resources`` with ``pools`` (the older keyword of ``validate``) filled in."""
        base = resources or cls()
        if pools is None or base.pools is not None:
            return base
        return cls(frozenset(pools), base.connections, base.variables)

    @property
    def empty(self) -> bool:
        return self.pools is None and self.connections is None and self.variables is None


@dataclass
class ValidationContext:
    """One validation run over one spec (not the co-pilot's CopilotContext, which is a chat turn)."""

    wf: Workflow
    resources: Resources = field(default_factory=Resources)
    problems: list[Problem] = field(default_factory=list)
    node_index: dict[str, int] = field(default_factory=dict)  # first node with each id
    group_index: dict[str, int] = field(default_factory=dict)
    tools: InitVar[ToolResolver | None] = None  # a resolver for wf's tools to share (the compiler's)
    resolver: ToolResolver = field(init=False)

    def __post_init__(self, tools: ToolResolver | None) -> None:
        self.resolver = tools if tools is not None else ToolResolver(self.wf.tools)
        for i, node in enumerate(self.wf.nodes):
            self.node_index.setdefault(node.id, i)
        for i, group in enumerate(self.wf.groups):
            self.group_index.setdefault(group.id, i)

    @property
    def pools(self) -> frozenset[str] | None:
        return self.resources.pools

    def node(self, node_id: str) -> Node | None:
        i = self.node_index.get(node_id)
        return None if i is None else self.wf.nodes[i]

    def add(
        self,
        code: str,
        message: str,
        pointer: str,
        *,
        node_id: str | None = None,
        edge_id: str | None = None,
        group_id: str | None = None,
        hint: str | None = None,
        severity: Literal["error", "warning"] = "error",
    ) -> None:
        self.problems.append(Problem(code, message, pointer, node_id, edge_id, group_id, hint, severity))

    def resolve_tool(self, ref: str) -> Tool | Exception:
        """The tool a reference resolves to, or the error saying why not (cached per reference)."""
        return self.resolver.lookup(ref)

    def tool_of(self, node: Node) -> Tool | None:
        if node.type is NodeType.TOOL and node.tool:
            found = self.resolve_tool(node.tool)
            return found if isinstance(found, Tool) else None
        return None

    def input_schema(self, node: Node) -> dict[str, Any]:
        """What a node accepts (the one rule: tools.compatibility.node_input_schema)."""
        return node_input_schema(node, self.tool_of(node))

    def output_schema(self, node: Node) -> dict[str, Any]:
        """What a node produces (the one rule: tools.compatibility.node_output_schema)."""
        return node_output_schema(node, self.tool_of(node))
