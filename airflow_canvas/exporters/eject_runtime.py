# --- Canvas node operators, ejected --------------------------------------------------------------
# Plain Airflow operators with the behaviour of airflow-canvas's node operators: inputs come from
# upstream tasks' XComs (``upstream_outputs``), optionally reshaped by JMESPath (``input_mapping``),
# are checked against the node's JSON Schema, handed to ``run()``, and the checked result is the
# task's XCom. What each node kind does is the node-runtime core just above (airflow-canvas's own
# runtime/core.py, written into this file). Needs only Airflow, jsonschema and jmespath; edit freely.
from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator, BranchMixIn
from airflow.sdk.exceptions import AirflowSkipException

from airflow_canvas.runtime.core import (
    choose_branches,
    input_node_values,
    instance_input_schema,
    merge_inputs,
    outlet_event_extra,
    output_node_value,
    resolved_parameters,
    run_node,
    run_process,
    run_tool,
    tool_arguments,
    upstream_values,
)


class CanvasOperator(BaseOperator):
    template_fields: Sequence[str] = ("upstream_outputs", "templates")

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
        self.upstream_outputs = upstream_outputs or {}
        self.input_mapping = input_mapping or {}
        self.merge_upstream = merge_upstream or []
        self.fallbacks = fallbacks or {}
        self.parameters = parameters or {}
        self.templates = templates or {}
        self.input_schema = input_schema or {}
        self.output_schema = output_schema or {}
        self.on_error = on_error
        self.log_payloads = log_payloads
        self.log_level = log_level
        self.workflow_id = workflow_id
        self.canvas_node_id = node_id or self.task_id.rsplit(".", 1)[-1]
        self.map_over = map_over
        self.map_item = map_item

    def upstream_values(self) -> dict[str, Any]:
        return upstream_values(self.upstream_outputs, self.fallbacks)

    def resolve_inputs(self, context: Any) -> dict[str, Any]:
        return merge_inputs(
            self.upstream_values(), self.merge_upstream, self.input_mapping, self.map_over, self.map_item
        )

    def resolved_parameters(self) -> dict[str, Any]:
        return resolved_parameters(self.parameters, self.templates)

    def run(self, inputs: dict[str, Any], context: Any) -> Any:
        raise NotImplementedError

    def execute(self, context: Any) -> Any:
        try:
            return run_node(
                self.canvas_node_id,
                self.resolve_inputs(context),
                instance_input_schema(self.input_schema, self.map_over),
                lambda inputs: self.run(inputs, context),
                self.output_schema,
            )
        except AirflowSkipException:
            raise
        except Exception as exc:
            if self.on_error == "skip":
                self.log.warning("Node %s failed and is set to skip on error: %s", self.canvas_node_id, exc)
                raise AirflowSkipException(f"{type(exc).__name__}: {exc}") from exc
            raise


class InputOperator(CanvasOperator):
    """Returns the DAG run's params that the input schema declares."""

    def resolve_inputs(self, context: Any) -> dict[str, Any]:
        values = input_node_values(context.get("params") or {}, self.input_schema)
        return {**super().resolve_inputs(context), **values}

    def run(self, inputs: dict[str, Any], context: Any) -> Any:
        return inputs


class ProcessOperator(CanvasOperator):
    """JMESPath over the inputs, or a Python block that sets ``result`` from ``inputs``."""

    def __init__(self, *, language: str = "jmespath", expression: str = "@", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.language = language
        self.expression = expression

    def run(self, inputs: dict[str, Any], context: Any) -> Any:
        return run_process(
            self.language, self.expression, inputs, self.resolved_parameters(), self.canvas_node_id
        )


class OutputOperator(CanvasOperator):
    """The workflow's result; its outlets (Assets) get an event when it succeeds."""

    def run(self, inputs: dict[str, Any], context: Any) -> Any:
        result = output_node_value(inputs, self.output_schema)
        outlet_events = context.get("outlet_events")
        if outlet_events is not None:
            for outlet in self.outlets:
                outlet_events[outlet].extra = outlet_event_extra(self.workflow_id, self.canvas_node_id)
        return result


class ConditionBranchOperator(CanvasOperator, BranchMixIn):
    """Follows the downstream tasks whose JMESPath condition holds over ``source``'s output."""

    inherits_from_skipmixin = True

    def __init__(self, *, source: str, conditions: dict[str, str | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.conditions = conditions

    def run(self, inputs: dict[str, Any], context: Any) -> list[str]:
        return choose_branches(self.conditions, self.upstream_values().get(self.source))

    def execute(self, context: Any) -> Any:
        return self.do_branch(context, super().execute(context))


class ToolOperator(CanvasOperator):
    """Runs a tool whose code is in CANVAS_TOOLS above: entry_point(**{defaults, parameters, inputs})."""

    # tool_digest pins the canvas's bundled tool file; an ejected DAG carries the code itself.
    def __init__(
        self, *, tool: str, tool_digest: str | None = None, memory_limit_mb: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.tool = tool

    def run(self, inputs: dict[str, Any], context: Any) -> Any:
        tool = CANVAS_TOOLS[self.tool]  # noqa: F821 - defined in the ejected file

        def call(arguments: dict[str, Any]) -> Any:
            module = types.ModuleType(f"canvas_tool_{self.tool.split('@')[0]}")
            exec(compile(tool["code"], f"<tool {self.tool}>", "exec"), module.__dict__)
            return getattr(module, tool["entry_point"])(**arguments)

        arguments = tool_arguments(tool["parameters"], self.resolved_parameters(), inputs)
        return run_tool(
            self.tool, tool["input_schema"], tool["output_schema"], arguments, call, self.canvas_node_id
        )


# --- end of canvas node operators -----------------------------------------------------------------
