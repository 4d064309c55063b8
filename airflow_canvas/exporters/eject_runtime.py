# --- Canvas node operators, ejected --------------------------------------------------------------
# Plain Airflow operators with the behaviour of airflow-canvas's node operators: inputs come from
# upstream tasks' XComs (``upstream_outputs``), optionally reshaped by JMESPath (``input_mapping``),
# are checked against the node's JSON Schema, handed to ``run()``, and the checked result is the
# task's XCom. Needs only Airflow, jsonschema and jmespath; edit freely.
from __future__ import annotations

import copy
import types
from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator, BranchMixIn
from airflow.sdk.exceptions import AirflowSkipException


def _materialize(value: Any) -> Any:
    if isinstance(value, (str, bytes, Mapping, list)) or value is None:
        return value
    return list(value) if isinstance(value, Sequence) else value


def _validate(value: Any, schema: Mapping[str, Any] | None, what: str, node_id: str) -> None:
    if not schema:
        return
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(
            f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors[:5]
        )
        raise ValueError(f"Node {node_id!r}: {what} does not match its schema: {details}")


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
        outputs = {node: _materialize(value) for node, value in self.upstream_outputs.items()}
        for node, fallback in self.fallbacks.items():
            if outputs.get(node) is None:
                outputs[node] = outputs.get(fallback)
        return outputs

    def resolve_inputs(self, context: Any) -> dict[str, Any]:
        outputs = self.upstream_values()
        inputs: dict[str, Any] = {}
        for node in self.merge_upstream:
            value = outputs.get(node)
            if isinstance(value, Mapping):
                inputs.update(value)
            elif value is not None:
                inputs[node] = value
        if self.input_mapping:
            import jmespath

            for field, expression in self.input_mapping.items():
                inputs[field] = jmespath.search(expression, outputs)
        if self.map_over:
            inputs[self.map_over] = self.map_item
        return inputs

    def instance_input_schema(self) -> dict[str, Any]:
        properties = self.input_schema.get("properties")
        if not self.map_over or not isinstance(properties, Mapping) or self.map_over not in properties:
            return self.input_schema
        field_schema = properties[self.map_over]
        item_schema = field_schema.get("items", {}) if isinstance(field_schema, Mapping) else {}
        return {**self.input_schema, "properties": {**properties, self.map_over: item_schema}}

    def resolved_parameters(self) -> dict[str, Any]:
        return {**self.parameters, **self.templates}

    def run(self, inputs: dict[str, Any], context: Any) -> Any:
        raise NotImplementedError

    def execute(self, context: Any) -> Any:
        try:
            inputs = self.resolve_inputs(context)
            _validate(inputs, self.instance_input_schema(), "input", self.canvas_node_id)
            output = self.run(inputs, context)
            _validate(output, self.output_schema, "output", self.canvas_node_id)
        except AirflowSkipException:
            raise
        except Exception as exc:
            if self.on_error == "skip":
                self.log.warning("Node %s failed and is set to skip on error: %s", self.canvas_node_id, exc)
                raise AirflowSkipException(f"{type(exc).__name__}: {exc}") from exc
            raise
        return output


class InputOperator(CanvasOperator):
    """Returns the DAG run's params that the input schema declares."""

    def resolve_inputs(self, context: Any) -> dict[str, Any]:
        params = context.get("params") or {}
        values = {key: params[key] for key in params} if isinstance(params, Mapping) else {}
        declared = self.input_schema.get("properties")
        if isinstance(declared, Mapping):
            values = {key: values[key] for key in declared if key in values}
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
        if self.language == "jmespath":
            import jmespath

            return jmespath.search(self.expression, inputs)
        namespace: dict[str, Any] = {
            "inputs": copy.deepcopy(inputs),
            "parameters": copy.deepcopy(self.resolved_parameters()),
            "result": None,
        }
        exec(compile(self.expression, f"<process node {self.canvas_node_id}>", "exec"), namespace)
        return namespace["result"]


class OutputOperator(CanvasOperator):
    """The workflow's result; its outlets (Assets) get an event when it succeeds."""

    def run(self, inputs: dict[str, Any], context: Any) -> Any:
        declared = self.output_schema.get("properties")
        result = {k: inputs[k] for k in declared if k in inputs} if isinstance(declared, dict) else inputs
        outlet_events = context.get("outlet_events")
        if outlet_events is not None:
            for outlet in self.outlets:
                outlet_events[outlet].extra = {"workflow": self.workflow_id, "node": self.canvas_node_id}
        return result


class ConditionBranchOperator(CanvasOperator, BranchMixIn):
    """Follows the downstream tasks whose JMESPath condition holds over ``source``'s output."""

    inherits_from_skipmixin = True

    def __init__(self, *, source: str, conditions: dict[str, str | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.conditions = conditions

    def run(self, inputs: dict[str, Any], context: Any) -> list[str]:
        import jmespath

        value = self.upstream_values().get(self.source)
        chosen = []
        for target, condition in self.conditions.items():
            found = None if condition is None else jmespath.search(condition, value)
            if condition is None or not (found is None or found is False or found in ("", [], {})):
                chosen.append(target)
        return chosen

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
        arguments = {**tool["parameters"], **self.resolved_parameters(), **inputs}
        _validate(arguments, tool["input_schema"], f"input of tool {self.tool}", self.canvas_node_id)
        module = types.ModuleType(f"canvas_tool_{self.tool.split('@')[0]}")
        exec(compile(tool["code"], f"<tool {self.tool}>", "exec"), module.__dict__)
        output = getattr(module, tool["entry_point"])(**arguments)
        _validate(output, tool["output_schema"], f"output of tool {self.tool}", self.canvas_node_id)
        return output


# --- end of canvas node operators -----------------------------------------------------------------
