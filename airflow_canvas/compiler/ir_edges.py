"""Spec -> IR, the dependencies' part: edges, fallbacks, sequential groups and the trigger rules
they imply."""

from __future__ import annotations

from airflow_canvas.compiler.ir_branches import BRANCH_SUFFIX, mapping_expression
from airflow_canvas.compiler.ir_tasks import BuilderState, TaskPlan, XComRef, _fail, _name_hint
from airflow_canvas.spec.graph import sequential_links
from airflow_canvas.spec.models import EdgeKind, OnError, is_identifier
from airflow_canvas.spec.problems import pointer

# Trigger rules in order of precedence when several reasons apply to one task.
TRIGGER_RULE_ORDER = (
    "all_failed",
    "one_failed",
    "all_done",
    "all_done_min_one_success",
    "none_failed_min_one_success",
)


class EdgeMixin(BuilderState):
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

    def _wire_data(self, index: int, source: TaskPlan, target: TaskPlan) -> None:
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

    def _xcom_field(self, source: TaskPlan, path: str, transform: str | None, where: str) -> XComRef:
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
