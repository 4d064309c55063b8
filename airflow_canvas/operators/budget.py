"""CostBudgetOperator: the last task of a workflow that has ``settings.cost_budget_usd``.

It sums the cost the run's nodes recorded (their ``canvas_metrics`` XComs, read through the task
SDK like any XCom pull: task code never touches the metadata DB) and, when the sum is over the
budget, calls the workflow's notifiers with ``canvas_cost_usd`` and ``canvas_cost_budget_usd`` in
the template context. The compiler makes it a teardown with trigger rule ``all_done`` downstream of
every leaf: it runs whatever happened to the work (a failed run can be the expensive one), and as
a teardown its own state never decides the run's state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_canvas.policies.runrecord import BUDGET_TASK_ID

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = ["BUDGET_TASK_ID", "CostBudgetOperator", "run_cost"]


def run_cost(values: Any) -> float:
    """The cost in a list of ``canvas_metrics`` XCom values (None for tasks that stored none)."""
    total = 0.0
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, list):  # a mapped task: one value per instance
            total += run_cost(value)
        elif isinstance(value, dict):
            total += float(value.get("cost") or 0)
    return round(total, 8)


class CostBudgetOperator(BaseOperator):
    ui_color = "#fff4e5"
    implied_tool_calls = 0  # read by operators.implied_tool_calls like the canvas operators' own

    def __init__(
        self,
        *,
        budget_usd: float,
        measured_task_ids: Sequence[str],
        notifiers: Sequence[Any] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("trigger_rule", "all_done")
        super().__init__(**kwargs)
        self.budget_usd = float(budget_usd)
        self.measured_task_ids = list(measured_task_ids)
        self.notifiers = list(notifiers)
        # A teardown (without setups): ignored when Airflow decides the run's state.
        self.is_teardown = True

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_canvas.policies.metrics import XCOM_KEY

        ti = context["ti"]
        values = ti.xcom_pull(task_ids=self.measured_task_ids, key=XCOM_KEY) if self.measured_task_ids else []
        cost = run_cost(values)
        exceeded = cost > self.budget_usd
        report = {"cost_usd": cost, "budget_usd": self.budget_usd, "exceeded": exceeded}
        if not exceeded:
            self.log.info("Run cost $%.6f is within the budget of $%.6f", cost, self.budget_usd)
            return report
        self.log.warning("Run cost $%.6f is over the budget of $%.6f", cost, self.budget_usd)
        if not self.notifiers:
            self.log.warning("The workflow has no notifications configured: nobody is told.")
        alert_context = dict(context)
        alert_context.update(canvas_cost_usd=cost, canvas_cost_budget_usd=self.budget_usd)
        for notifier in self.notifiers:
            try:
                notifier(alert_context)
            except Exception:  # one broken channel must not keep the others from being told
                self.log.exception("Notifier %s could not send the budget alert", type(notifier).__name__)
        report["notified"] = len(self.notifiers)
        return report
