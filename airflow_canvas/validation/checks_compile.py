"""Rules the generated DAG file imposes on a spec, checked before compiling so that ``/validate``
and ``/compile`` agree. The compiler's IR builder imports these names and calls these functions
as its last line of defence (a spec that skipped validation), so each rule is written once.
"""

from __future__ import annotations

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


def check_generated_names(ctx: ValidationContext) -> None:
    ctx.problems.extend(operator_name_problems(ctx.wf))


def check_map_over_sources(ctx: ValidationContext) -> None:
    ctx.problems.extend(map_over_source_problems(ctx.wf))
