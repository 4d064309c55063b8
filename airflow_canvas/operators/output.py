"""OutputOperator: the workflow's result, checked against its output schema, announced as Assets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_canvas.operators.base import CanvasOperator
from airflow_canvas.runtime import core

if TYPE_CHECKING:
    from airflow.sdk import Context


class OutputOperator(CanvasOperator):
    """Returns its inputs (restricted to the output schema's properties when it lists them).

    The base class validates the value against ``output_schema``; ``outlets`` (Assets) are emitted
    by Airflow when the task succeeds; each event's extra names the workflow and node.
    """

    ui_color = "#fce8e6"

    def run(self, inputs: dict[str, Any], context: Context) -> Any:
        result = core.output_node_value(inputs, self.output_schema)
        outlet_events = context.get("outlet_events")
        if outlet_events is not None:
            for outlet in self.outlets:
                outlet_events[outlet].extra = core.outlet_event_extra(self.workflow_id, self.canvas_node_id)
        return result
