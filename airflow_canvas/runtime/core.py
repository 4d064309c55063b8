"""The node-runtime core: what each kind of canvas node does with its inputs, free of Airflow.

One source for three users: the Airflow operators (operators/*.py call these functions from their
``execute``), the single-node test (tools/node_test.py), and ejected DAG files (exporters/eject.py
writes this module's source into the file). So this module imports only the standard library at
module level, loads jsonschema and jmespath inside the functions that need them (the DAG processor
imports operators for every generated file), and never imports airflow or airflow_canvas
(tests/unit/operators/test_core.py checks both).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

PROCESS_LANGUAGES = ("jmespath", "python")


class CanvasInputError(ValueError):
    """A node's inputs or output did not match its JSON Schema."""


# -- schemas ---------------------------------------------------------------------------------------
# The project's one JSON Schema check: node inputs/outputs here, and above this layer template
# parameters (templates/), agent tool arguments (tools/agent_loop.py), node tests and operator
# parameters (catalogue/nodes.py). It lives here because ejected files carry this module's source.
class Violation(NamedTuple):
    """One way a value fails a schema: where (keys and list indexes from the root) and why. (A
    NamedTuple, not a dataclass: ejected files exec this source where a dataclass may not resolve
    its module.)"""

    path: tuple[str | int, ...]
    message: str

    def describe(self, sep: str = "/", root: str = "(root)") -> str:
        """``a/0/b: message``; ``root`` stands for an empty path."""
        return f"{sep.join(str(p) for p in self.path) or root}: {self.message}"


def violations(value: Any, schema: Mapping[str, Any] | None) -> list[Violation]:
    """Every violation of ``schema`` by ``value``, ordered by path; none when there is no schema.
    The schema's ``$schema`` picks the draft (2020-12 when it names none)."""
    if not schema:
        return []
    errors = sorted(_validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    return [Violation(tuple(e.absolute_path), e.message) for e in errors]


# A task checks the same few schemas on every call (node input/output, tool input/output), and
# building a jsonschema validator (picking the draft, its resolver) cost about as much as the check
# itself. Validators are kept per schema content (its canonical JSON), each built on its own copy
# parsed from that text, so a schema object changed in place later can never reach a cached one.
_VALIDATORS: dict[str, Any] = {}
_MAX_VALIDATORS = 256


def _validator(schema: Mapping[str, Any]) -> Any:
    import json

    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):  # not plain JSON (a tuple, a set...): no caching, same check
        from jsonschema.validators import validator_for

        return validator_for(schema)(schema)
    validator = _VALIDATORS.get(key)
    if validator is None:
        from jsonschema.validators import validator_for

        own = json.loads(key)
        validator = validator_for(own)(own)
        if len(_VALIDATORS) >= _MAX_VALIDATORS:
            _VALIDATORS.clear()
        _VALIDATORS[key] = validator
    return validator


def schema_problems(
    value: Any,
    schema: Mapping[str, Any] | None,
    limit: int | None = None,
    *,
    sep: str = "/",
    root: str = "(root)",
) -> list[str]:
    """The first ``limit`` violations (all when None), each as ``path: message``."""
    return [v.describe(sep, root) for v in violations(value, schema)[:limit]]


def check_schema(value: Any, schema: Mapping[str, Any] | None, *, what: str, node_id: str) -> None:
    """CanvasInputError naming the node and listing the first five violations of ``schema``."""
    problems = schema_problems(value, schema, limit=5)
    if problems:
        raise CanvasInputError(f"Node {node_id!r}: {what} does not match its schema: {'; '.join(problems)}")


# -- inputs ----------------------------------------------------------------------------------------
def materialize(value: Any) -> Any:
    """XCom of a mapped task arrives as a lazy sequence; JMESPath and schemas need plain lists."""
    if isinstance(value, (str, bytes, Mapping, list)) or value is None:
        return value
    if isinstance(value, Sequence):
        return list(value)
    return value


def upstream_values(upstream_outputs: Mapping[str, Any], fallbacks: Mapping[str, str]) -> dict[str, Any]:
    """Each upstream node's output; a failed node's slot holds its fallback's output."""
    outputs = {node: materialize(value) for node, value in upstream_outputs.items()}
    for node, fallback in fallbacks.items():
        if outputs.get(node) is None:
            outputs[node] = outputs.get(fallback)
    return outputs


def merge_inputs(
    outputs: Mapping[str, Any],
    merge_upstream: Sequence[str],
    input_mapping: Mapping[str, str],
    map_over: str | None = None,
    map_item: Any = None,
) -> dict[str, Any]:
    """A node's inputs from its upstream outputs: the fields of each ``merge_upstream`` node's
    output (a non-object output under the node's id), then each mapped field (a JMESPath over
    all outputs by node id), then the item of a mapped task instance."""
    inputs: dict[str, Any] = {}
    for node in merge_upstream:
        value = outputs.get(node)
        if isinstance(value, Mapping):
            inputs.update(value)
        elif value is not None:
            inputs[node] = value
    if input_mapping:
        import jmespath

        for field, expression in input_mapping.items():
            inputs[field] = jmespath.search(expression, outputs)
    if map_over:
        inputs[map_over] = map_item
    return inputs


def instance_input_schema(input_schema: dict[str, Any], map_over: str | None) -> dict[str, Any]:
    """The input schema one task instance is checked against: a mapped instance holds one
    item of the ``map_over`` list, so that field is checked against the list's ``items``."""
    properties = input_schema.get("properties")
    if not map_over or not isinstance(properties, Mapping) or map_over not in properties:
        return input_schema
    field_schema = properties[map_over]
    item_schema = field_schema.get("items", {}) if isinstance(field_schema, Mapping) else {}
    return {**input_schema, "properties": {**properties, map_over: item_schema}}


def resolved_parameters(
    parameters: Mapping[str, Any], rendered_templates: Mapping[str, Any]
) -> dict[str, Any]:
    """Rendered templates override same-named parameters."""
    return {**parameters, **rendered_templates}


# -- each kind of node -----------------------------------------------------------------------------
def input_node_values(params: Any, input_schema: Mapping[str, Any]) -> dict[str, Any]:
    """An input node's output: the run's params (the trigger form) that its input schema declares
    (all of them when it declares no properties)."""
    values = {key: params[key] for key in params} if isinstance(params, Mapping) else {}
    declared = input_schema.get("properties")
    if isinstance(declared, Mapping):
        values = {key: values[key] for key in declared if key in values}
    return values


def run_process(
    language: str, expression: str, inputs: dict[str, Any], parameters: Mapping[str, Any], node_id: str
) -> Any:
    """A process node's output. ``jmespath``: ``expression`` searched over the inputs.
    ``python``: ``expression`` is a code block run in a fresh namespace holding ``inputs`` (a copy)
    and ``parameters`` (a copy); it sets ``result``. It is workflow code, trusted like a
    PythonOperator callable, and never templated."""
    if language == "jmespath":
        import jmespath

        return jmespath.search(expression, inputs)
    if language != "python":
        raise ValueError(f"Node {node_id!r}: language must be one of {PROCESS_LANGUAGES}, not {language!r}")
    namespace: dict[str, Any] = {
        "inputs": copy.deepcopy(inputs),
        "parameters": copy.deepcopy(dict(parameters)),
        "result": None,
    }
    exec(compile(expression, f"<process node {node_id}>", "exec"), namespace)
    return namespace["result"]


def output_node_value(inputs: dict[str, Any], output_schema: Mapping[str, Any]) -> Any:
    """An output node's result: its inputs, restricted to the output schema's properties when it
    lists them (the caller then checks the result against the whole schema)."""
    declared = output_schema.get("properties")
    return {k: inputs[k] for k in declared if k in inputs} if isinstance(declared, Mapping) else inputs


def outlet_event_extra(workflow_id: str | None, node_id: str) -> dict[str, Any]:
    """The extra of each Asset event an output node emits: which workflow and node made it."""
    return {"workflow": workflow_id, "node": node_id}


def jmespath_truthy(value: Any) -> bool:
    """JMESPath's notion of false: null, false, "", [], {} (0 is true, unlike Python)."""
    return not (value is None or value is False or value in ("", [], {}))


def choose_branches(conditions: Mapping[str, str | None], value: Any) -> list[str]:
    """The targets whose JMESPath condition holds over ``value``; ``None`` means "always follow"."""
    chosen = []
    for target, condition in conditions.items():
        if condition is None:
            chosen.append(target)
            continue
        import jmespath

        if jmespath_truthy(jmespath.search(condition, value)):
            chosen.append(target)
    return chosen


def tool_arguments(
    tool_defaults: Mapping[str, Any], parameters: Mapping[str, Any] | None, inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """A tool call's keyword arguments: inputs override node parameters, which override the
    tool's defaults. These merged arguments are what the tool's input schema checks, so
    configuration such as an HTTP connection id may come from the node's parameters."""
    return {**tool_defaults, **(parameters or {}), **inputs}


def run_tool(
    ref: str,
    tool_input_schema: Mapping[str, Any] | None,
    tool_output_schema: Mapping[str, Any] | None,
    arguments: dict[str, Any],
    call: Any,
    node_id: str,
) -> Any:
    """``call(arguments)`` between the checks of the arguments against the tool's input schema
    and of its output against the tool's output schema."""
    check_schema(arguments, tool_input_schema, what=f"input of tool {ref}", node_id=node_id)
    output = call(arguments)
    check_schema(output, tool_output_schema, what=f"output of tool {ref}", node_id=node_id)
    return output


# -- one run of a node -----------------------------------------------------------------------------
def run_node(
    node_id: str,
    inputs: dict[str, Any],
    input_schema: Mapping[str, Any] | None,
    run: Any,
    output_schema: Mapping[str, Any] | None,
    on_inputs: Any = None,
) -> Any:
    """The order every node kind runs in: its inputs are checked against its (instance) input
    schema, ``on_inputs(inputs)`` sees them (metrics, payload logging), ``run(inputs)`` makes the
    output, which is checked against the output schema. A failed check raises CanvasInputError."""
    check_schema(inputs, input_schema, what="input", node_id=node_id)
    if on_inputs is not None:
        on_inputs(inputs)
    output = run(inputs)
    check_schema(output, output_schema, what="output", node_id=node_id)
    return output
