"""Rules the generated DAG file imposes on a spec, checked before compiling so that ``/validate``
and ``/compile`` agree. The compiler's IR builder imports these names and calls these functions
as its last line of defence (a spec that skipped validation), so each rule is written once.
"""

from __future__ import annotations

from airflow_canvas.spec.graph import dependency_graph, group_chains, is_virtual, nested_order
from airflow_canvas.spec.models import EdgeKind, NodeType, Workflow, effective_policy, is_operator_path
from airflow_canvas.spec.problems import Problem, pointer
from airflow_canvas.validation.context import ValidationContext

# The operator class each canvas node type runs as in a generated DAG file.
CANVAS_OPERATORS = {
    NodeType.INPUT: "InputOperator",
    NodeType.PROCESS: "ProcessOperator",
    NodeType.OUTPUT: "OutputOperator",
    NodeType.TOOL: "ToolOperator",
    NodeType.AGENT: "AgentOperator",
}

# Names the generated module binds itself; variables derived from ids must not shadow them.
RESERVED_NAMES = frozenset(
    {
        "DAG",
        "Asset",
        "AssetAll",
        "AssetAny",
        "AssetOrTimeSchedule",
        "CronTriggerTimetable",
        "DeltaTriggerTimetable",
        "Param",
        "TaskGroup",
        "datetime",
        "timedelta",
        "timezone",
        "dag",
        *CANVAS_OPERATORS.values(),
        "ConditionBranchOperator",
        "import_string",
        "AsyncCallback",
        "DeadlineAlert",
        "DeadlineReference",
    }
)


def operator_class_names(wf: Workflow) -> set[str]:
    """The class names the generated file imports for the workflow's Airflow operator nodes."""
    return {
        node.operator.rpartition(".")[2] for node in wf.nodes if node.type is NodeType.TOOL and node.operator
    }


def operator_name_problems(wf: Workflow) -> list[Problem]:
    """E_OPERATOR_NAME_CLASH: operator classes are imported by name, so two classes of one name
    from different modules cannot both be used, and none may take a name the file binds itself."""
    problems: list[Problem] = []
    modules: dict[str, str] = {}
    for i, node in enumerate(wf.nodes):
        if node.type is not NodeType.TOOL or not is_operator_path(node.operator):
            continue  # a malformed path is reported by checks_nodes and the catalogue
        module, _, cls = (node.operator or "").rpartition(".")
        if modules.setdefault(cls, module) != module or cls in RESERVED_NAMES:
            problems.append(
                Problem(
                    "E_OPERATOR_NAME_CLASH",
                    f"Two classes named {cls} ({modules[cls]} and {module}) cannot be used in one workflow."
                    if cls not in RESERVED_NAMES
                    else f"The operator class name {cls} is a name the generated DAG file uses itself.",
                    pointer("nodes", i, "operator"),
                    node_id=node.id,
                    hint="Use one of them, or wrap one in a tool.",
                )
            )
    return problems


def map_over_source_problems(wf: Workflow, node_ids: list[str] | None = None) -> list[Problem]:
    """E_MAP_OVER_SOURCE: a canvas node mapping over a field (its own ``map_over`` or the
    workflow default's) needs a data edge that maps into that field or passes a whole output."""
    mapped: dict[str, set[str]] = {}
    whole: set[str] = set()
    for edge in wf.edges:
        if edge.kind is not EdgeKind.DATA_FLOW:
            continue
        if edge.mapping:
            mapped.setdefault(edge.target, set()).update(m.target for m in edge.mapping)
        else:
            whole.add(edge.target)
    wanted = None if node_ids is None else set(node_ids)
    problems: list[Problem] = []
    for i, node in enumerate(wf.nodes):
        if (wanted is not None and node.id not in wanted) or (node.type is NodeType.TOOL and node.operator):
            continue  # Airflow operators are not mapped by the canvas
        field_name = effective_policy(wf, node).map_over
        if not field_name or field_name in mapped.get(node.id, ()) or node.id in whole:
            continue
        problems.append(
            Problem(
                "E_MAP_OVER_SOURCE",
                f"Node {node.id!r} maps over {field_name!r}, but no data edge feeds that field.",
                pointer("nodes", i, "execution", "map_over"),
                node_id=node.id,
                hint=f"Map an upstream list field to {field_name!r}.",
            )
        )
    return problems


def group_interleaving_problem(wf: Workflow, stuck: list[str]) -> Problem:
    """E_GROUP_INTERLEAVED for the items that cannot be ordered at one level (``nested_order``)."""
    groups = {g.id: i for i, g in enumerate(wf.groups)}
    group_id = next((item for item in stuck if item in groups), None)
    return Problem(
        "E_GROUP_INTERLEAVED",
        "These tasks and groups depend on each other in a circle once groups are drawn as boxes: "
        + ", ".join(stuck)
        + ". A group's members must not wait on a node outside the group that itself waits on the group.",
        pointer("groups", groups[group_id]) if group_id is not None else "/groups",
        group_id=group_id,
        hint="Move the node in between into the group, or split the group.",
    )


def group_interleaving_problems(wf: Workflow) -> list[Problem]:
    """E_GROUP_INTERLEAVED: with groups kept whole (a TaskGroup is one box), the order must still
    exist. Node-level cycles are E_CYCLE's; this runs on the node graph the compiler wires (edges,
    sequential groups, fallbacks). A sequential link's pairs all lift to the same two members of
    its group, so one pair per link stands for all of them."""
    chains = group_chains(wf)
    graph = dependency_graph(wf)
    members = [(n.id, chains.get(n.group, []) if n.group is not None else []) for n in wf.nodes]
    known = {n.id for n in wf.nodes}
    if len(known) != len(wf.nodes):
        return []  # duplicate ids: E_DUPLICATE_ID's, and the levels would be ambiguous
    pairs: list[tuple[str, str]] = []
    via_virtual: dict[str, str] = {}
    for up, downs in graph.items():
        for down in downs:
            if is_virtual(down):
                via_virtual.setdefault(down, up)
            elif not is_virtual(up) and down in known:
                pairs.append((up, down))
    for virtual, up in via_virtual.items():
        pairs.extend((up, down) for down in graph.get(virtual, [])[:1] if down in known)
    _, stuck = nested_order(members, pairs)
    return [group_interleaving_problem(wf, items) for items in stuck.values()]


def check_group_interleaving(ctx: ValidationContext) -> None:
    if any(p.code in ("E_CYCLE", "E_GROUP_PARENT_UNKNOWN", "E_GROUP_CYCLE") for p in ctx.problems):
        return  # the graph has no order at all; those problems say why
    ctx.problems.extend(group_interleaving_problems(ctx.wf))


def check_generated_names(ctx: ValidationContext) -> None:
    ctx.problems.extend(operator_name_problems(ctx.wf))


def check_map_over_sources(ctx: ValidationContext) -> None:
    ctx.problems.extend(map_over_source_problems(ctx.wf))
