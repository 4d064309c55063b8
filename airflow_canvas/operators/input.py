"""InputOperator: the workflow's entry point; its output is the run's Params (the trigger form)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_canvas.operators.base import CanvasOperator
from airflow_canvas.runtime import core

if TYPE_CHECKING:
    from airflow.sdk import Context


class InputOperator(CanvasOperator):
    """Returns the fields of the DAG run's params that the node's input schema declares."""

    ui_color = "#e6f4ea"

    def resolve_inputs(self, context: Context) -> dict[str, Any]:
        values = core.input_node_values(context.get("params") or {}, self.input_schema)
        return {**super().resolve_inputs(context), **values}

    def run(self, inputs: dict[str, Any], context: Context) -> dict[str, Any]:
        return inputs
