"""What a node received in a real run, derived from its upstream nodes' outputs (their XComs) by
the same wiring the generated DAG gives the node: the compiler's own task plan
(compiler/debug_plan.py: upstream outputs, fallbacks, merged nodes, field mappings, the items a
mapped node expands over) and the runtime's own merge (runtime/core.py), so the answer is what the
operator computed in the worker, without the node storing it (one more XCom write per task would
cost every task a request to the Execution API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_canvas.compiler.debug_plan import debug_plan
from airflow_canvas.runtime import core
from airflow_canvas.spec.models import NodeType, Workflow


class NoInputs(LookupError):
    """The node's inputs cannot be derived (unknown node, an Airflow operator node)."""


def node_inputs(
    wf: Workflow,
    node_id: str,
    outputs: Mapping[str, Any],
    *,
    map_indexes: list[int] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Any:
    """The node's inputs. ``outputs``: node (or generated task) id -> its return value in the run,
    a list of the instance values for a mapped one. ``map_indexes``: the node's own instances when
    it is mapped (then a list of inputs, one per instance). ``params``: the run's params, which are
    what an input node receives."""
    node = wf.node(node_id)
    if node is None:
        raise NoInputs(f"Workflow {wf.id!r} has no node {node_id!r}.")
    if node.type is NodeType.INPUT:
        return dict(params or {})
    step = debug_plan(wf).tasks.get(node_id)
    if step is None or not step.runnable:
        raise NoInputs(
            f"Node {node_id!r} runs an Airflow operator: its inputs are its rendered arguments, shown on "
            "the task's Rendered Template page in Airflow."
        )
    values = core.upstream_values({n: outputs.get(n) for n in step.upstream_outputs}, step.fallbacks)
    if not map_indexes:
        return core.merge_inputs(values, step.merge_upstream, step.input_mapping)
    source = step.items_task or step.expand_over
    items = core.materialize(outputs.get(source)) if source else None
    items = items if isinstance(items, list) else []
    return [
        core.merge_inputs(
            values,
            step.merge_upstream,
            step.input_mapping,
            step.map_over,
            items[index] if 0 <= index < len(items) else None,
        )
        for index in map_indexes
    ]
