"""Checks of single nodes: type-specific configuration, tool references, JSON Schemas, error
handling (fallbacks) and execution settings."""

from __future__ import annotations

import ast
from typing import Any

from airflow_canvas.spec.graph import fallback_targets
from airflow_canvas.spec.models import (
    CALLABLE_KEY,
    Node,
    NodeType,
    OnError,
    Tool,
    identifier_suggestion,
    is_dotted_path,
    is_identifier,
)
from airflow_canvas.spec.problems import did_you_mean, pointer
from airflow_canvas.spec.schema_paths import field_known
from airflow_canvas.validation.context import ValidationContext

NAME_RULE = "letters, digits and '_', not starting with a digit and not a Python keyword"


_SCHEMA_ERRORS: dict[str, str | None] = {}  # repr(schema) -> error; big workflows repeat schemas


def _check_schema(schema: dict[str, Any]) -> str | None:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        path = "/".join(str(p) for p in exc.path)
        return f"{exc.message}" + (f" (at {path})" if path else "")
    return None


def schema_error(schema: dict[str, Any]) -> str | None:
    """Why a JSON Schema is invalid, or None."""
    if not schema:
        return None
    key = repr(schema)  # much cheaper than canonical JSON, and equal specs repr equally
    if key not in _SCHEMA_ERRORS:
        if len(_SCHEMA_ERRORS) > 4096:
            _SCHEMA_ERRORS.clear()
        _SCHEMA_ERRORS[key] = _check_schema(schema)
    return _SCHEMA_ERRORS[key]


def jmespath_error(expression: str) -> str | None:
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        return str(exc).replace("\n", " ")
    return None


def check_schemas(ctx: ValidationContext) -> None:
    for i, node in enumerate(ctx.wf.nodes):
        for name in ("input_schema", "output_schema"):
            error = schema_error(getattr(node, name))
            if error:
                ctx.add(
                    "E_SCHEMA_INVALID",
                    f"The {name.replace('_', ' ')} of node {node.id!r} is not a valid JSON Schema: {error}",
                    pointer("nodes", i, name),
                    node_id=node.id,
                    hint="Check it against https://json-schema.org (e.g. `type` must be a known type name).",
                )
    for i, tool in enumerate(ctx.wf.tools):
        for name in ("input_schema", "output_schema"):
            error = schema_error(getattr(tool, name))
            if error:
                ctx.add(
                    "E_SCHEMA_INVALID",
                    f"The {name.replace('_', ' ')} of tool {tool.ref!r} is not a valid JSON Schema: {error}",
                    pointer("tools", i, name),
                    hint="Check it against https://json-schema.org.",
                )


def _operator_hint(name: str) -> str | None:
    """When a tool reference is an Airflow operator (``BashOperator`` or its import path typed into
    the Tool field), say where it goes instead."""
    cls = name.rpartition(".")[2]
    if not (cls.endswith(("Operator", "Sensor")) or name.startswith("airflow.")):
        return None
    from airflow_canvas.catalogue.operators import operator_catalogue

    paths = [e.operator for e in operator_catalogue() if e.operator == name or e.name == cls]
    example = paths[0] if paths else "airflow.providers.standard.operators.bash.BashOperator"
    return (
        f"{name!r} is an Airflow operator, not a canvas tool: set the node's `operator` to its import path "
        f"({example!r}) and clear `tool` (in the node panel: Runs -> an Airflow operator)."
    )


def _check_tool_ref(ctx: ValidationContext, ref: str, where: str, node: Node) -> None:
    found = ctx.resolve_tool(ref)
    if isinstance(found, Tool):
        return
    candidates: list[str] = list(getattr(found, "candidates", []))
    name = ref.partition("@")[0].strip()
    if "No tool named" in str(found):
        code = "E_TOOL_UNKNOWN"
        hint = (
            _operator_hint(name)
            or did_you_mean(name, candidates)
            or (f"Known tools: {', '.join(candidates[:10])}." if candidates else "Add the tool to `tools`.")
        )
    else:
        code = "E_TOOL_VERSION"
        hint = (
            f"Known versions: {', '.join(candidates)}." if candidates else "Use a version like 1.2.3 or ^1.2."
        )
    ctx.add(code, f"Node {node.id!r}: tool {ref!r}: {found}", where, node_id=node.id, hint=hint)


def _check_type_config(ctx: ValidationContext, i: int, node: Node) -> None:
    def ignored(field: str, owner: str) -> None:
        ctx.add(
            "W_CONFIG_IGNORED",
            f"Node {node.id!r} is a {node.type.value} node; its `{field}` applies to {owner} nodes only.",
            pointer("nodes", i, field),
            node_id=node.id,
            severity="warning",
            hint=f"Remove `{field}` or change the node's type.",
        )

    if node.type is NodeType.TOOL:
        if not node.tool and not node.operator:
            ctx.add(
                "E_TOOL_MISSING",
                f"Tool node {node.id!r} names neither a `tool` nor an `operator`.",
                pointer("nodes", i, "tool"),
                node_id=node.id,
                hint="Set `tool` to name@version (see `airflow-canvas` tool list) or `operator` to an "
                "Airflow operator's import path.",
            )
        elif node.tool and node.operator:
            ctx.add(
                "E_TOOL_AMBIGUOUS",
                f"Tool node {node.id!r} sets both `tool` and `operator`.",
                pointer("nodes", i, "operator"),
                node_id=node.id,
                hint="Keep one of them.",
            )
        if node.tool:
            _check_tool_ref(ctx, node.tool, pointer("nodes", i, "tool"), node)
        if node.operator and not is_dotted_path(node.operator):
            ctx.add(
                "E_OPERATOR_PATH_INVALID",
                f"Node {node.id!r}: operator {node.operator!r} is not an import path.",
                pointer("nodes", i, "operator"),
                node_id=node.id,
                hint="Use a dotted path such as 'airflow.providers.http.operators.http.HttpOperator'.",
            )
        if node.operator:
            _check_operator_arguments(ctx, i, node)
    else:
        for field in ("tool", "operator"):
            if getattr(node, field):
                ignored(field, "tool")

    if node.type is NodeType.AGENT:
        if node.agent is None:
            ctx.add(
                "E_AGENT_CONFIG_MISSING",
                f"Agent node {node.id!r} has no `agent` configuration.",
                pointer("nodes", i, "agent"),
                node_id=node.id,
                hint='Add "agent": {"prompt": "...", "connection_id": "openai_default"}.',
            )
        else:
            if not node.agent.prompt.strip() and not node.agent.system_prompt.strip():
                ctx.add(
                    "W_AGENT_NO_PROMPT",
                    f"Agent node {node.id!r} has neither a prompt nor a system prompt.",
                    pointer("nodes", i, "agent", "prompt"),
                    node_id=node.id,
                    severity="warning",
                    hint="Tell the model what to do with its inputs.",
                )
            for k, ref in enumerate(node.agent.tools):
                _check_tool_ref(ctx, ref, pointer("nodes", i, "agent", "tools", k), node)
    elif node.agent is not None:
        ignored("agent", "agent")

    if node.type is NodeType.PROCESS:
        if node.process is not None:
            _check_process(ctx, i, node)
    elif node.process is not None:
        ignored("process", "process")


def name_hint(text: str) -> str:
    """How to fix a key that must be a Python name, with a close name when there is one."""
    guess = identifier_suggestion(text)
    return f"Use a Python name ({NAME_RULE})" + (f"; did you mean {guess!r}?" if guess else ".")


def _check_operator_arguments(ctx: ValidationContext, i: int, node: Node) -> None:
    """An operator node's parameters and templates become the class's keyword arguments in the
    generated file (``BashOperator(bash_command=...)``): every key must be a Python name, and a
    ``$callable`` value an import path (it becomes ``import_string("pkg.mod.func")``)."""
    for where in ("parameters", "templates"):
        for key in getattr(node, where):
            if not is_identifier(key):
                ctx.add(
                    "E_OPERATOR_ARGUMENT",
                    f"Node {node.id!r}: the {where} key {key!r} cannot be a keyword argument of "
                    f"{node.operator}.",
                    pointer("nodes", i, where, key),
                    node_id=node.id,
                    hint=name_hint(key),
                )
    for key, value in node.parameters.items():
        if isinstance(value, dict) and CALLABLE_KEY in value:
            path = value[CALLABLE_KEY]
            if set(value) != {CALLABLE_KEY} or not is_dotted_path(path):
                ctx.add(
                    "E_CALLABLE_PATH_INVALID",
                    f"Node {node.id!r}: parameter {key!r} names a callable, {path!r}, that is not an import "
                    "path (or has other keys beside it).",
                    pointer("nodes", i, "parameters", key, CALLABLE_KEY),
                    node_id=node.id,
                    hint=f"Give the import path of a callable: names ({NAME_RULE}) joined by dots, "
                    "e.g. 'my_package.tasks.transform', and no other key beside it.",
                )


def _check_process(ctx: ValidationContext, i: int, node: Node) -> None:
    assert node.process is not None
    where = pointer("nodes", i, "process", "expression")
    if node.process.language == "jmespath":
        error = jmespath_error(node.process.expression)
        if error:
            ctx.add(
                "E_PROCESS_EXPRESSION_INVALID",
                f"Process node {node.id!r}: the JMESPath expression does not parse: {error}",
                where,
                node_id=node.id,
                hint="Try it at https://jmespath.org; `@` passes the inputs through unchanged.",
            )
        return
    try:
        tree = ast.parse(node.process.expression, mode="exec")
    except SyntaxError as exc:
        ctx.add(
            "E_PROCESS_EXPRESSION_INVALID",
            f"Process node {node.id!r}: the Python snippet has a syntax error at line {exc.lineno}: {exc.msg}.",
            where,
            node_id=node.id,
            hint="The snippet reads `inputs` and must set `result`.",
        )
        return
    assigned = {
        t.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign | ast.AnnAssign | ast.AugAssign)
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        if isinstance(t, ast.Name)
    }
    if "result" not in assigned:
        ctx.add(
            "W_PROCESS_NO_RESULT",
            f"Process node {node.id!r}: the Python snippet never assigns `result`, so the node outputs None.",
            where,
            node_id=node.id,
            severity="warning",
            hint="End the snippet with `result = ...`.",
        )


def check_node_config(ctx: ValidationContext) -> None:
    for i, node in enumerate(ctx.wf.nodes):
        _check_type_config(ctx, i, node)
        map_over = node.execution.map_over
        if map_over and not field_known(ctx.input_schema(node), map_over)[0]:
            fields = field_known(ctx.input_schema(node), map_over)[1]
            ctx.add(
                "E_MAP_OVER_FIELD",
                f"Node {node.id!r} maps over {map_over!r}, which is not a field of its input schema.",
                pointer("nodes", i, "execution", "map_over"),
                node_id=node.id,
                hint=did_you_mean(map_over, fields) or f"Input fields: {', '.join(fields) or 'none'}.",
            )


def check_fallbacks(ctx: ValidationContext) -> None:
    wf = ctx.wf
    node_ids = list(ctx.node_index)
    defaults = wf.defaults
    if defaults.on_error is OnError.FALLBACK and not defaults.fallback_node:
        ctx.add(
            "E_FALLBACK_MISSING",
            "The workflow defaults set on_error=fallback without a `fallback_node`.",
            pointer("defaults", "fallback_node"),
            hint="Name the node that should run when a node fails.",
        )
    if defaults.fallback_node and defaults.fallback_node not in ctx.node_index:
        ctx.add(
            "E_FALLBACK_UNKNOWN",
            f"The workflow defaults name fallback node {defaults.fallback_node!r}, which is not a node.",
            pointer("defaults", "fallback_node"),
            hint=did_you_mean(defaults.fallback_node, node_ids),
        )
    downstream: dict[str, set[str]] = {}
    for edge in wf.edges:
        downstream.setdefault(edge.source, set()).add(edge.target)
    for i, node in enumerate(wf.nodes):
        policy = node.execution
        on_error = policy.on_error or defaults.on_error
        where = pointer("nodes", i, "execution", "fallback_node")
        if policy.on_error is OnError.FALLBACK and not (policy.fallback_node or defaults.fallback_node):
            ctx.add(
                "E_FALLBACK_MISSING",
                f"Node {node.id!r} has on_error=fallback but no `fallback_node`.",
                where,
                node_id=node.id,
                hint=did_you_mean(f"{node.id}_fallback", node_ids) or "Name the node that runs in its place.",
            )
        if not policy.fallback_node:
            continue
        if on_error is not OnError.FALLBACK:
            ctx.add(
                "W_FALLBACK_UNUSED",
                f"Node {node.id!r} names fallback node {policy.fallback_node!r} but on_error is "
                f"{(on_error or OnError.FAIL).value!r}, so it never runs.",
                where,
                node_id=node.id,
                severity="warning",
                hint='Set "on_error": "fallback" or remove `fallback_node`.',
            )
        if policy.fallback_node == node.id:
            ctx.add(
                "E_FALLBACK_SELF",
                f"Node {node.id!r} names itself as its fallback.",
                where,
                node_id=node.id,
                hint="Choose another node, or use on_error=fail/skip/continue.",
            )
        elif policy.fallback_node not in ctx.node_index:
            ctx.add(
                "E_FALLBACK_UNKNOWN",
                f"Node {node.id!r} names fallback node {policy.fallback_node!r}, which is not a node.",
                where,
                node_id=node.id,
                hint=did_you_mean(policy.fallback_node, node_ids) or "Add the fallback node first.",
            )
    for node_id, target in fallback_targets(wf).items():
        if target in downstream.get(node_id, set()):
            i = ctx.node_index[node_id]
            ctx.add(
                "E_FALLBACK_DOWNSTREAM",
                f"Node {target!r} is both the fallback of {node_id!r} and a normal downstream node of it; "
                "it would run whether or not the node fails.",
                pointer("nodes", i, "execution", "fallback_node"),
                node_id=node_id,
                hint=f"Remove the edge {node_id!r} -> {target!r}, or pick another fallback node.",
            )
        target_node = ctx.node(target)
        if target_node is not None and target_node.type is NodeType.INPUT:
            ctx.add(
                "E_FALLBACK_INPUT",
                f"Node {node_id!r} falls back to input node {target!r}; input nodes only read parameters.",
                pointer("nodes", ctx.node_index[node_id], "execution", "fallback_node"),
                node_id=node_id,
                hint="Fall back to a process, tool or agent node.",
            )
