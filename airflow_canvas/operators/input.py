"""InputOperator: the workflow's entry point; its output is the run's Params (the trigger form)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_canvas.operators.base import CanvasOperator

if TYPE_CHECKING:
    from airflow.sdk import Context


class InputOperator(CanvasOperator):
    """Returns the fields of the DAG run's params that the node's input schema declares."""

    ui_color = "#e6f4ea"

    def resolve_inputs(self, context: Context) -> dict[str, Any]:
        params = context.get("params") or {}
        values = {key: params[key] for key in params} if isinstance(params, Mapping) else {}
        declared = self.input_schema.get("properties")
        if isinstance(declared, Mapping):
            values = {key: values[key] for key in declared if key in values}
        return {**super().resolve_inputs(context), **values}

    def run(self, inputs: dict[str, Any], context: Context) -> dict[str, Any]:
        return inputs
