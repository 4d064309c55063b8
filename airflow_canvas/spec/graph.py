"""Graph views of a workflow shared by validation, the compiler and the co-pilot: group chains,
Airflow task ids, the implicit edges of sequential groups, the one stable topological order
(``stable_order``) and cycle finding that names the nodes in order.

Every function here tolerates broken specs (unknown groups, nesting loops, duplicate ids) because
validation calls them before it knows the spec is sound.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from airflow_canvas.spec.models import GroupMode, OnError, Workflow

# Airflow's limit on a task id, TaskGroup prefixes included (airflow.models.taskinstance ID_LEN).
AIRFLOW_ID_LEN = 250
# Suffixes the compiler appends to node ids for the tasks it generates (compiler/ir.py: the branch
# task of a node with conditional edges, the items task of a mapped node). A node or group id
# ending in one could collide with a generated task.
GENERATED_SUFFIXES: tuple[str, ...] = ("__branch", "__items")


def group_chains(wf: Workflow) -> dict[str, list[str]]:
    """Every group id -> its chain from the outermost group down to it, in one pass.

    Chains stop at unknown parents and at nesting loops. Callers resolving many ids (the compiler,
    validation) should compute this once instead of calling ``group_chain`` per node.
    """
    parents = {g.id: g.parent for g in wf.groups}
    chains: dict[str, list[str]] = {}
    for start in parents:
        if start in chains:
            continue
        path: list[str] = []
        current: str | None = start
        while current is not None and current in parents and current not in chains and current not in path:
            path.append(current)
            current = parents[current]
        if current in path:  # a nesting loop (invalid, reported elsewhere): walk each one slowly
            for gid in path:
                chains[gid] = group_chain(wf, gid)
            continue
        base = chains.get(current, []) if current is not None else []
        for k in range(len(path) - 1, -1, -1):
            chains[path[k]] = base + list(reversed(path[k:]))
    return chains


def group_chain(wf: Workflow, group_id: str | None) -> list[str]:
    """Group ids from the outermost group down to ``group_id``; stops at unknown groups and loops."""
    parents = {g.id: g.parent for g in wf.groups}
    chain: list[str] = []
    current = group_id
    while current is not None and current in parents and current not in chain:
        chain.append(current)
        current = parents[current]
    return list(reversed(chain))


def node_task_id(
    wf: Workflow, node_id: str, group_id: str | None, chains: dict[str, list[str]] | None = None
) -> str:
    """The task id Airflow gives a node: TaskGroup ids prefix it, joined by dots. Pass
    ``chains=group_chains(wf)`` when resolving many nodes."""
    if group_id is None:
        return node_id
    chain = chains.get(group_id, []) if chains is not None else group_chain(wf, group_id)
    return ".".join([*chain, node_id])


def node_id_of(task_id: str) -> str:
    """The node id behind an Airflow task id (the inverse of ``node_task_id``): TaskGroup ids
    prefix it with ``group.sub.``, and node ids contain no dots."""
    return task_id.rpartition(".")[2]


def group_task_id(wf: Workflow, group_id: str, chains: dict[str, list[str]] | None = None) -> str:
    chain = chains.get(group_id, []) if chains is not None else group_chain(wf, group_id)
    return ".".join(chain) or group_id


def task_ids(wf: Workflow) -> dict[str, str]:
    """Node id -> Airflow task id, for every node."""
    chains = group_chains(wf)
    return {node.id: node_task_id(wf, node.id, node.group, chains) for node in wf.nodes}


@dataclass(frozen=True)
class SequentialLink:
    """Every node of ``upstream`` must finish before any node of ``downstream`` starts."""

    group_id: str
    upstream: tuple[str, ...]
    downstream: tuple[str, ...]


def _nodes_under(wf: Workflow, chains: dict[str, list[str]]) -> dict[str, list[str]]:
    """Group id -> ids of the nodes inside it at any depth, in spec order."""
    under: dict[str, list[str]] = {g.id: [] for g in wf.groups}
    for node in wf.nodes:
        for gid in chains.get(node.group, []) if node.group is not None else []:
            under[gid].append(node.id)
    return under


def sequential_links(wf: Workflow) -> list[SequentialLink]:
    """The implicit order inside sequential groups.

    A sequential group's members are its direct nodes and its direct child groups. They run in the
    order they first appear in ``wf.nodes`` (a child group appears where its first node does), so
    the canvas order is the run order. Empty child groups take no part.
    """
    sequential = [g for g in wf.groups if g.mode is GroupMode.SEQUENTIAL]
    if not sequential:
        return []
    position = {node.id: i for i, node in enumerate(wf.nodes)}
    under = _nodes_under(wf, group_chains(wf))
    # Groups nesting in a loop have no meaningful order (validation reports the loop itself).
    looped = {gid for loop in group_loops(wf) for gid in loop}
    direct_nodes: dict[str, list[str]] = {}
    for node in wf.nodes:
        if node.group is not None:
            direct_nodes.setdefault(node.group, []).append(node.id)
    children: dict[str, list[str]] = {}
    for child in wf.groups:
        if child.parent is not None and child.parent != child.id:
            children.setdefault(child.parent, []).append(child.id)
    links: list[SequentialLink] = []
    for group in sequential:
        if group.id in looped:
            continue
        members: list[tuple[int, tuple[str, ...]]] = [
            (position[n], (n,)) for n in direct_nodes.get(group.id, [])
        ]
        for child_id in children.get(group.id, []):
            if under.get(child_id):
                nodes = tuple(under[child_id])
                members.append((min(position[n] for n in nodes), nodes))
        members.sort()
        for (_, up), (_, down) in pairwise(members):
            links.append(SequentialLink(group.id, up, down))
    return links


def fallback_targets(wf: Workflow) -> dict[str, str]:
    """Node id -> the node that runs in its place on failure (only for on_error=fallback)."""
    result: dict[str, str] = {}
    for node in wf.nodes:
        on_error = node.execution.on_error or wf.defaults.on_error
        target = node.execution.fallback_node or wf.defaults.fallback_node
        # A fallback node inheriting the workflow default does not fall back to itself.
        if on_error is OnError.FALLBACK and target and target != node.id:
            result[node.id] = target
    return result


def dependency_graph(wf: Workflow, *, include_fallbacks: bool = True) -> dict[str, list[str]]:
    """Adjacency of every ordering constraint: explicit edges, sequential groups, and fallbacks
    (node -> its fallback -> the node's direct downstream nodes, as the compiler wires them).

    Sequential links go through a virtual vertex named ``<seq:GROUP#k>`` so the graph stays linear
    in size; ``is_virtual`` tells them apart from node ids.
    """
    known = {n.id for n in wf.nodes}
    graph: dict[str, list[str]] = {n.id: [] for n in wf.nodes}
    for edge in wf.edges:
        if edge.source in known and edge.target in known and edge.source != edge.target:
            graph[edge.source].append(edge.target)
    for k, link in enumerate(sequential_links(wf)):
        virtual = f"<seq:{link.group_id}#{k}>"
        graph[virtual] = list(link.downstream)
        for node_id in link.upstream:
            graph[node_id].append(virtual)
    if include_fallbacks:
        explicit = {node_id: list(targets) for node_id, targets in graph.items()}
        for node_id, target in fallback_targets(wf).items():
            if target not in known:
                continue
            # The fallback runs after the node and feeds the node's downstream in its place.
            graph[node_id].append(target)
            graph[target].extend(d for d in explicit.get(node_id, []) if d in known and d != target)
    return graph


def is_virtual(vertex: str) -> bool:
    return vertex.startswith("<seq:")


def stable_order(
    successors: Mapping[str, Iterable[str]], rank: Mapping[str, int]
) -> tuple[list[str], list[str]]:
    """The one topological order of the project: ``(ordered, stuck)``.

    Kahn's algorithm where, among the vertices that are ready, the one with the smallest ``rank``
    goes first, so the result is the same on every run and follows the canvas order wherever the
    edges leave a choice. Vertices named only as successors take part too; duplicate edges and
    self-loops are ignored. Vertices on or behind a cycle cannot be ordered: they come back in
    ``stuck``, sorted by rank, so callers can report them (the compiler) or append them (the
    co-pilot's run order). ``graphlib.TopologicalSorter`` gives up on the first cycle without the
    partial order, and its ready order is not stable, which is why this is not built on it.
    """
    succ: dict[str, set[str]] = {}
    for vertex, targets in successors.items():
        succ.setdefault(vertex, set())
        for target in targets:
            succ.setdefault(target, set())
            if target != vertex:
                succ[vertex].add(target)
    indegree = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for target in targets:
            indegree[target] += 1
    ready = [(rank[v], v) for v, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        _, vertex = heapq.heappop(ready)
        ordered.append(vertex)
        for target in succ[vertex]:
            indegree[target] -= 1
            if indegree[target] == 0:
                heapq.heappush(ready, (rank[target], target))
    done = set(ordered)
    stuck = sorted((v for v in succ if v not in done), key=lambda v: (rank[v], v))
    return ordered, stuck


def nested_order(
    members: Iterable[tuple[str, Sequence[str]]], dependencies: Iterable[tuple[str, str]]
) -> tuple[dict[str | None, list[str]], dict[str | None, list[str]]]:
    """The DAG's members (level ``None``) and each group's, topologically sorted with every group
    kept whole, the way a TaskGroup is printed and drawn as one box: ``(ordered, stuck)`` per level.

    ``members``: each item (a node or task id) with its group chain, outermost first, in canvas
    order; a group joins its parent's level where its first member appears. ``dependencies``:
    ``(upstream, downstream)`` item pairs, each lifted to the level where the two chains part (a
    node inside group ``g`` waiting on a node outside makes ``g`` wait on it). Items that cannot be
    ordered at a level (``stuck``) are what E_GROUP_INTERLEAVED reports: without a node-level cycle,
    they mean a node outside a group both waits on and feeds the group. The compiler orders its
    tasks with this and validation checks specs with it, so the two cannot disagree.
    """
    chain_of: dict[str, Sequence[str]] = {}
    rank: dict[str, int] = {}
    level_items: dict[str | None, list[str]] = {None: []}
    for item, chain in members:
        chain_of[item] = chain
        owner: str | None = None
        for gid in chain:
            if gid not in rank:  # first member seen of this group: the group joins its parent
                level_items.setdefault(owner, []).append(gid)
                rank[gid] = len(rank)
            owner = gid
        level_items.setdefault(owner, []).append(item)
        rank.setdefault(item, len(rank))
    lifted: dict[str | None, list[tuple[str, str]]] = {level: [] for level in level_items}
    for up, down in dependencies:
        a, b = [*chain_of[up], up], [*chain_of[down], down]
        k = 0
        while k < min(len(a), len(b)) - 1 and a[k] == b[k]:
            k += 1
        lifted.setdefault(a[k - 1] if k else None, []).append((a[k], b[k]))
    ordered: dict[str | None, list[str]] = {}
    stuck: dict[str | None, list[str]] = {}
    for level, items in level_items.items():
        if not items:
            continue
        successors: dict[str, list[str]] = {i: [] for i in items}
        for a_item, b_item in lifted.get(level, ()):
            successors[a_item].append(b_item)
        ordered[level], level_stuck = stable_order(successors, rank)
        if level_stuck:
            stuck[level] = level_stuck
    return ordered, stuck


def _strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so 5000-node chains don't hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            vertex, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[vertex] = min(low[vertex], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[vertex])
            if low[vertex] == index[vertex]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == vertex:
                        break
                components.append(component)
    return components


def find_cycles(graph: Mapping[str, Iterable[str]], order: Iterable[str]) -> list[list[str]]:
    """One shortest cycle per strongly connected component, as [a, b, ..., a].

    Each cycle starts at the component's vertex that comes first in ``order`` (spec order), so
    the report is deterministic. Listing every cycle could be exponential; one per component
    names the knot, and fixing it reveals any other.
    """
    rank = {v: i for i, v in enumerate(order)}
    cycles: list[list[str]] = []
    for component in _strongly_connected(graph):
        if len(component) < 2:
            continue
        members = set(component)
        real = [v for v in component if not is_virtual(v)]
        start = min(real or component, key=lambda v: rank.get(v, len(rank)))
        # BFS from start's successors back to start, staying inside the component.
        previous: dict[str, str] = {}
        queue = deque([start])
        while queue:
            vertex = queue.popleft()
            found = False
            for nxt in graph.get(vertex, ()):
                if nxt not in members:
                    continue
                if nxt == start:
                    previous[start] = vertex
                    found = True
                    break
                if nxt not in previous:
                    previous[nxt] = vertex
                    queue.append(nxt)
            if found:
                break
        path = [start]
        vertex = previous[start]
        while vertex != start:
            path.append(vertex)
            vertex = previous[vertex]
        path.append(start)
        path.reverse()  # path was collected backwards: [start, ..., start]
        cycles.append(path)
    cycles.sort(key=lambda c: rank.get(c[0], len(rank)))
    return cycles


def group_loops(wf: Workflow) -> list[list[str]]:
    """Groups whose parent chain comes back to itself, each loop as [g1, g2, ..., g1]."""
    parents = {g.id: g.parent for g in wf.groups}
    rank = {g.id: i for i, g in enumerate(wf.groups)}
    loops: list[list[str]] = []
    seen_in_loop: set[str] = set()
    for group in wf.groups:
        path: list[str] = []
        current: str | None = group.id
        while current is not None and current in parents and current not in path:
            path.append(current)
            current = parents[current]
        if current is None or current not in path:
            continue
        loop = path[path.index(current) :]
        if seen_in_loop.intersection(loop):
            continue
        seen_in_loop.update(loop)
        first = min(loop, key=rank.__getitem__)
        k = loop.index(first)
        loop = loop[k:] + loop[:k]
        loops.append([*loop, first])
    return loops
