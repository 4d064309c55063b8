"""ProcessOperator: reshape inputs with a JMESPath expression or a short Python snippet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_canvas.operators.base import CanvasOperator, init_canvas_operator, set_fields
from airflow_canvas.runtime import core

if TYPE_CHECKING:
    from airflow.sdk import Context

LANGUAGES = core.PROCESS_LANGUAGES


class ProcessOperator(CanvasOperator):
    """``language="jmespath"``: the result is ``expression`` searched over the inputs.

    ``language="python"``: ``expression`` is a code block run in a fresh namespace holding
    ``inputs`` (a copy) and ``parameters``; it sets ``result``. It is workflow code, trusted like a
    PythonOperator callable, and never templated.
    """

    ui_color = "#fef7e0"
    language: str
    expression: str

    def __init__(self, *, language: str = "jmespath", expression: str = "@", **kwargs: Any) -> None:
        init_canvas_operator(self, **kwargs)  # not super().__init__: see operators/base.py
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
        set_fields(self, language=language, expression=expression)

    def run(self, inputs: dict[str, Any], context: Context) -> Any:
        return core.run_process(
            self.language, self.expression, inputs, self.resolved_parameters(), self.canvas_node_id
        )
