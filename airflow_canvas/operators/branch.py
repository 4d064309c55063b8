"""ConditionBranchOperator: follow the downstream nodes whose condition holds over a node's output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BranchMixIn

from airflow_canvas.operators.base import CanvasOperator

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

    def __init__(self, *, source: str, conditions: dict[str, str | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.conditions = conditions

    def choose(self, value: Any) -> list[str]:
        import jmespath

        chosen = []
        for target, condition in self.conditions.items():
            if condition is None or _truthy(jmespath.search(condition, value)):
                chosen.append(target)
        return chosen

    def run(self, inputs: dict[str, Any], context: Context) -> list[str]:
        value = self.upstream_values().get(self.source)
        chosen = self.choose(value)
        self.log.info("Conditions over %s's output chose %s", self.source, chosen or "nothing")
        return chosen

    def execute(self, context: Context) -> Any:
        return self.do_branch(context, super().execute(context))


def _truthy(value: Any) -> bool:
    # JMESPath's notion of false: null, false, "", [], {} (0 is true, unlike Python).
    return not (value is None or value is False or value in ("", [], {}))
