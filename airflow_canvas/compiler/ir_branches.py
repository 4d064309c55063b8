"""Spec -> IR, branches and dynamic task mapping: the generated ``<node>__branch`` and
``<node>__items`` tasks, and the JMESPath a mapping reads its input with."""

from __future__ import annotations

import json
import re

from airflow_canvas.compiler.ir_tasks import CANVAS_MODULE, BuilderState, TaskPlan, XComRef
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.validation.checks_compile import map_over_source_problems

BRANCH_SUFFIX = "__branch"
ITEMS_SUFFIX = "__items"
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-]+")  # (fullmatch) needs no escaping in a JMESPath quoted identifier


def mapping_expression(source_node: str, source_path: str, transform: str | None) -> str:
    """A JMESPath over {node_id: output}; every identifier quoted (a JSON string in JMESPath)."""
    parts = [source_node, *(p for p in source_path.split(".") if p)] if source_path else [source_node]
    expression = ".".join(f'"{p}"' if _PLAIN_KEY.fullmatch(p) else json.dumps(p) for p in parts)
    if transform and transform.strip():
        expression += f" | {transform}"
    return expression


class BranchMixin(BuilderState):
    def _wire_branch_target(self, source_id: str, target_id: str) -> None:
        branch_id = source_id + BRANCH_SUFFIX
        self._depend(branch_id, target_id)

    def _finish_branch(self, source_id: str, conditions: dict[str, str | None]) -> None:
        source = self.tasks[source_id]
        branch_id = source_id + BRANCH_SUFFIX
        branch = TaskPlan(
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

    def _items_task(self, task: TaskPlan, expression: str) -> str:
        items_id = task.node_id + ITEMS_SUFFIX
        self.tasks[items_id] = TaskPlan(
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


def _whole_output_of(expression: str) -> str | None:
    """The node id when a mapping expression is exactly one node's whole output."""
    try:
        value = json.loads(expression)
    except ValueError:
        return None
    return value if isinstance(value, str) and json.dumps(value) == expression else None
