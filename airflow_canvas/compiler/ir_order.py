"""Spec -> IR, emission order: the members of the DAG and of each TaskGroup, topologically
sorted with groups kept whole (a group is printed as one block). The ordering and its error are
``spec.graph.nested_order`` and validation's E_GROUP_INTERLEAVED, shared with ``/validate``."""

from __future__ import annotations

from airflow_canvas.compiler.ir_tasks import BuilderState
from airflow_canvas.spec.graph import nested_order
from airflow_canvas.spec.problems import SpecError
from airflow_canvas.validation.checks_compile import group_interleaving_problem


class OrderMixin(BuilderState):
    def _order(self) -> dict[str | None, list[tuple[str, str]]]:
        """Members of the DAG and of each group, topologically sorted with groups kept whole."""
        members = [(task_id, self.chain(task.group)) for task_id, task in self.tasks.items()]
        dependencies = [(up, down) for down, ups in self.upstreams.items() for up in ups]
        ordered, stuck = nested_order(members, dependencies)
        if stuck:  # a spec that skipped validation: the same problem /validate reports
            raise SpecError([group_interleaving_problem(self.wf, next(iter(stuck.values())))])
        return {
            level: [("group" if i in self.groups and i not in self.tasks else "task", i) for i in items]
            for level, items in ordered.items()
        }
