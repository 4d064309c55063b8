"""CanvasOperator: what every generated node task shares.

A node's inputs are assembled from its upstream nodes' outputs (XComArgs in ``upstream_outputs``,
resolved by Airflow's templating), checked against the node's input schema, handed to ``run()``,
and the result is checked against the output schema before it becomes the task's XCom.

Jinja: only ``upstream_outputs`` (XComArgs) and ``templates`` are template fields. ``parameters``
are plain data and reach ``run()`` byte for byte, so a ``{{ ... }}`` typed into the canvas is never
evaluated; a node that wants Jinja puts it in ``templates``, whose rendered values override
same-named parameters.

The node logic itself (input merging, schema checks, each node kind's behaviour) is
``airflow_canvas/runtime/core.py``, shared with the single-node test and ejected DAG files; these
classes add Airflow's side: templating, XCom, skips, metrics and logging policies.

Module imports stay light (the DAG processor imports this for every generated file): jsonschema
and jmespath load inside ``execute()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_canvas.runtime import core
from airflow_canvas.runtime.core import CanvasInputError

__all__ = ["ON_ERROR_CHOICES", "CanvasInputError", "CanvasOperator", "validate_against"]

if TYPE_CHECKING:
    from airflow.sdk import Context

ON_ERROR_CHOICES = ("fail", "skip", "continue", "fallback")


def validate_against(value: Any, schema: Mapping[str, Any] | None, *, what: str, node_id: str) -> None:
    """CanvasInputError listing the first five violations of ``schema`` by ``value``."""
    core.check_schema(value, schema, what=what, node_id=node_id)


class CanvasOperator(BaseOperator):
    """Base of the operators generated workflows use. Subclasses implement ``run(inputs, context)``."""

    template_fields: Sequence[str] = ("upstream_outputs", "templates")
    template_fields_renderers: ClassVar[dict[str, str]] = {"upstream_outputs": "json", "templates": "json"}
    ui_color = "#e8f0fe"
    # Tool calls that a successful task instance of this operator implies (operators.implied_tool_calls,
    # passed to policies.history.aggregate): the metrics API counts them from task instances, so a summary holding
    # nothing more is not stored as an XCom (that write is one more Execution API request).
    implied_tool_calls: ClassVar[int] = 0

    # Node fields, set by __init__ through set_fields().
    upstream_outputs: dict[str, Any]
    input_mapping: dict[str, str]
    merge_upstream: list[str]
    fallbacks: dict[str, str]
    parameters: dict[str, Any]
    templates: dict[str, str]
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    on_error: str
    log_payloads: str | None
    log_level: str | None
    workflow_id: str | None
    canvas_node_id: str
    map_over: str | None
    map_item: Any

    def __init__(
        self,
        *,
        upstream_outputs: dict[str, Any] | None = None,
        input_mapping: dict[str, str] | None = None,
        merge_upstream: list[str] | None = None,
        fallbacks: dict[str, str] | None = None,
        parameters: dict[str, Any] | None = None,
        templates: dict[str, str] | None = None,
        input_schema: dict[str, Any] | None = None,
        output_schema: dict[str, Any] | None = None,
        on_error: str = "fail",
        log_payloads: str | None = None,
        log_level: str | None = None,
        workflow_id: str | None = None,
        node_id: str | None = None,
        map_over: str | None = None,
        map_item: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if on_error not in ON_ERROR_CHOICES:
            raise ValueError(f"on_error must be one of {ON_ERROR_CHOICES}, not {on_error!r}")
        set_fields(
            self,
            upstream_outputs=upstream_outputs or {},
            input_mapping=input_mapping or {},
            merge_upstream=merge_upstream or [],
            fallbacks=fallbacks or {},
            parameters=parameters or {},
            templates=templates or {},
            input_schema=input_schema or {},
            output_schema=output_schema or {},
            on_error=on_error,
            log_payloads=log_payloads,
            log_level=log_level,
            workflow_id=workflow_id,
            # Airflow's DAGNode.node_id is the task id (group prefix included); keep the spec's own id.
            canvas_node_id=node_id or self.task_id.rsplit(".", 1)[-1],
            map_over=map_over,
            map_item=map_item,
        )

    # -- inputs ---------------------------------------------------------------------------------
    def upstream_values(self) -> dict[str, Any]:
        """Each upstream node's output; a failed node's slot holds its fallback's output."""
        return core.upstream_values(self.upstream_outputs, self.fallbacks)

    def resolve_inputs(self, context: Context) -> dict[str, Any]:
        return core.merge_inputs(
            self.upstream_values(), self.merge_upstream, self.input_mapping, self.map_over, self.map_item
        )

    def instance_input_schema(self) -> dict[str, Any]:
        """The input schema one task instance is checked against (core.instance_input_schema)."""
        return core.instance_input_schema(self.input_schema, self.map_over)

    def resolved_parameters(self) -> dict[str, Any]:
        return core.resolved_parameters(self.parameters, self.templates)

    # -- running --------------------------------------------------------------------------------
    def run(self, inputs: dict[str, Any], context: Context) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement run(inputs, context)")

    def execute(self, context: Context) -> Any:
        from airflow.sdk.exceptions import AirflowSkipException

        from airflow_canvas.policies.logging import apply_log_level, payload_bytes
        from airflow_canvas.policies.metrics import XCOM_KEY, NodeMetrics

        apply_log_level(self, self.log_level)
        # Subclasses (tool, agent) report tool calls, tokens and cost through self.metrics.
        self.metrics = NodeMetrics(self.workflow_id or self.dag_id, self.canvas_node_id)

        def seen(inputs: dict[str, Any]) -> None:  # the checked inputs, before the node runs
            self.metrics.payload("in", payload_bytes(inputs))
            self.log_payload("inputs", inputs)

        self.metrics.start()
        try:
            output = core.run_node(
                self.canvas_node_id,
                self.resolve_inputs(context),
                self.instance_input_schema(),
                lambda inputs: self.run(inputs, context),
                self.output_schema,
                on_inputs=seen,
            )
        except AirflowSkipException:
            raise
        except Exception as exc:
            self.metrics.error(type(exc).__name__)
            if self.on_error == "skip":
                self.log.warning("Node %s failed and is set to skip on error: %s", self.canvas_node_id, exc)
                raise AirflowSkipException(f"{type(exc).__name__}: {exc}") from exc
            raise
        finally:
            self.metrics.stop()
        self.metrics.payload("out", payload_bytes(output))
        self.log_payload("output", output)
        summary = self.metrics.summary
        ti = context.get("ti")
        # A summary holding only the tool calls a successful task implies is not worth an XCom.
        worth_storing = summary.tokens or summary.cost or summary.tool_calls > self.implied_tool_calls
        if ti is not None and worth_storing:
            # The metrics API aggregates tokens/cost per node from this XCom (no StatsD needed).
            ti.xcom_push(key=XCOM_KEY, value=summary.to_dict())
        return output

    def log_payload(self, what: str, value: Any) -> None:
        """Inputs/outputs in the task log as the node's log_payloads says (policies.logging)."""
        if not self.log_payloads:
            return
        from airflow_canvas.policies.logging import log_payload

        log_payload(self.log, what, value, self.log_payloads)


# Parse time of generated DAG files (benchmarks/compile_parse.py): Airflow's BaseOperatorMeta wraps
# the __init__ of every operator class that defines one in ``apply_defaults``, and each wrapper on
# the way down merges the DAG's default_args and deep-copies its Params again. A node kind with
# fields of its own (ProcessOperator...) would pay that three times per task (its class,
# CanvasOperator, BaseOperator) where a PythonOperator pays twice, which made a generated file
# parse ~12% slower than the hand-written one. So a node kind's __init__ runs CanvasOperator's
# body without its wrapper: the kind's own wrapper has done the merge already, and the wrappers
# are built with functools.wraps, which keeps the plain function as ``__wrapped__`` (Airflow's
# wrapper itself relies on it to find the outermost __init__).
_CANVAS_INIT = CanvasOperator.__init__.__wrapped__  # type: ignore[attr-defined]


def init_canvas_operator(operator: CanvasOperator, **kwargs: Any) -> None:
    """``CanvasOperator.__init__`` (node fields, then BaseOperator's) for the ``__init__`` of a node
    kind, which Airflow has wrapped in ``apply_defaults`` already; see the comment above."""
    _CANVAS_INIT(operator, **kwargs)


def set_fields(operator: BaseOperator, **values: Any) -> None:
    """Set an operator's node fields during its ``__init__``. Not one by one through
    ``BaseOperator.__setattr__``: until ``__init__`` returns, that only looks for a
    ``_convert_<name>`` hook (there is none for these names) and updates its record of init kwargs
    for names already in it (Airflow's own arguments, not these), at about 1 µs per attribute and
    task in every parse of a DAG file. Only for fresh names: never for Airflow's own attributes,
    nor after ``__init__`` (assigning an XComArg then must go through ``__setattr__``)."""
    vars(operator).update(values)
