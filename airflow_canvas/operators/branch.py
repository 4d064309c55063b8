"""ConditionBranchOperator: follow the downstream nodes whose condition holds over a node's output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BranchMixIn

from airflow_canvas.operators.base import CanvasOperator, init_canvas_operator, set_fields
from airflow_canvas.runtime import core

if TYPE_CHECKING:
    from airflow.sdk import Context


class ConditionBranchOperator(CanvasOperator, BranchMixIn):
    """Airflow branching (``BranchMixIn.do_branch``) driven by JMESPath conditions.

    ``conditions`` maps each target task id to a JMESPath expression evaluated over the output of
    ``source`` (a node id in ``upstream_outputs``); ``None`` means "always follow". Targets whose
    condition is falsy (JMESPath truthiness: null, false, empty string/list/object) are skipped,
    and Airflow skips what depends only on them.
    """

    inherits_from_skipmixin = True
    ui_color = "#f3e8fd"
    source: str
    conditions: dict[str, str | None]

    def __init__(self, *, source: str, conditions: dict[str, str | None], **kwargs: Any) -> None:
        init_canvas_operator(self, **kwargs)  # not super().__init__: see operators/base.py
        set_fields(self, source=source, conditions=conditions)

    def choose(self, value: Any) -> list[str]:
        return core.choose_branches(self.conditions, value)

    def run(self, inputs: dict[str, Any], context: Context) -> list[str]:
        value = self.upstream_values().get(self.source)
        chosen = self.choose(value)
        self.log.info("Conditions over %s's output chose %s", self.source, chosen or "nothing")
        return chosen

    def execute(self, context: Context) -> Any:
        return self.do_branch(context, super().execute(context))
