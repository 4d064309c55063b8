"""Spec -> IR, emission order: the members of the DAG and of each TaskGroup, topologically
sorted with groups kept whole (a group is printed as one block)."""

from __future__ import annotations

from collections.abc import Iterable

from airflow_canvas.compiler.ir_tasks import BuilderState, _fail
from airflow_canvas.spec.graph import stable_order


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


class OrderMixin(BuilderState):
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
