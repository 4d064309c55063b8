"""The system prompt and the messages of a turn.

The reference part of the prompt is generated from the spec models and the runtime's own
docstrings (field names, types, descriptions, the ``on_error`` and edge kinds, how inputs merge
and mappings apply), so it changes when they do; the few docs the models do not carry are tables
here keyed by the models' own enums and fields, and a test fails when one is missing."""

from __future__ import annotations

import types
import typing
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel

from airflow_canvas.copilot.context import CopilotContext, redact_text
from airflow_canvas.copilot.llm_examples import examples_text
from airflow_canvas.runtime import core
from airflow_canvas.spec import models as m

INTRO = """You are the co-pilot of Airflow Canvas, a visual editor of AI workflows that compile to \
Apache Airflow DAGs. You see the workflow as the user sees it now (`workflow`, with its \
workflow-level fields whole under `workflow_level`), the selected nodes, their recent actions, \
the validation problems, the latest run's failures, and under `available` what this user may use: \
tools (name@version, what each does, compact input/output/parameter schemas: '*' marks required), \
Airflow connection ids with their types, pools and notifiers.

Rules:
- Never claim to have changed the workflow. To change it, call `propose_patch`; the server \
validates it and answers ok with the changes, or the problems to fix: then fix them and call it again.
- Several `propose_patch` calls in one turn build on each other (e.g. first add nodes, then connect \
them); the user reviews all of them as one proposal.
- Use what exists before writing code: a listed tool (e.g. http_request to call a URL through an \
HTTP connection) or an installed Airflow operator (find it with `search_operators`, read its \
parameters with `get_operator`). Use only connection ids, pools and notifiers listed in \
`available`, or ask the user. When `available.you_may.save_code` is false, do not propose \
Python process code, operator nodes or inline tools: the user could not save them.
- Look up what you need (`get_tool`, `get_operator`, `get_notifier`, `get_schema`) rather than guess.
- Keep node ids short snake_case. "These"/"selected" means the selection. Explain errors in plain \
words, naming the node.
- Answer in concise Markdown. Put code in fenced blocks with a language.
- Use `suggest_actions` to offer buttons (focus a node, run a node with mock input, open a wizard)."""

# What the models' fields do not say themselves (keyed by field name; a test keeps these complete).
WORKFLOW_DOCS: dict[str, str] = {
    "spec_version": "the spec format's version; leave it",
    "name": "display name",
    "description": "Markdown; the DAG's doc_md",
    "tags": "Airflow DAG tags",
    "triggers": "when it runs: `schedule` (cron | preset like @daily | interval like 30m) and/or "
    "`assets` (Airflow Asset URIs, and/or); manual runs are always possible. Change with `set_trigger`, "
    "which replaces both: copy the current one from workflow_level.triggers to keep it",
    "settings": "DAG settings: " + ", ".join(m.Settings.model_fields),
    "defaults": "the execution policy every node inherits (same fields as a node's `execution`)",
    "notifications": "workflow-level notifications (failure/retry/success of a run, deadline_miss)",
    "nodes": "the steps",
    "edges": "what runs after what, and what data flows",
    "groups": "chains of nodes (a node's `group` names one; nested by `parent`)",
    "tools": "inline tools (code) defined in this workflow",
}
NODE_TYPE_DOCS: dict[m.NodeType, str] = {
    m.NodeType.INPUT: "run parameters: its `input_schema` properties become the trigger form's fields; "
    "outputs those values",
    m.NodeType.PROCESS: "transforms its inputs: `process` = {language: jmespath (default) | python, "
    "expression}",
    m.NodeType.TOOL: "EITHER `tool` = name@version of a tool in available.tools (or an inline tool), "
    "with `parameters` as fixed arguments; OR `operator` = an installed Airflow operator's import "
    "path, with `parameters` (and Jinja `templates`) as its keyword arguments. Never both",
    m.NodeType.AGENT: "an LLM with tools: `agent` = {prompt (Jinja over inputs and params), "
    "system_prompt, tools [name@version], max_steps, connection_id, model}; `output_schema` makes "
    "its answer structured",
    m.NodeType.OUTPUT: "the workflow's result (restricted to its output_schema's properties)",
}
ON_ERROR_DOCS: dict[m.OnError, str] = {
    m.OnError.FAIL: "the task fails; downstream tasks are upstream_failed (the default)",
    m.OnError.SKIP: "the task is marked skipped; downstream tasks are skipped",
    m.OnError.CONTINUE: "the task fails but its direct downstream tasks run anyway",
    m.OnError.FALLBACK: "the node in `fallback_node` runs in its place and its output feeds the "
    "downstream nodes",
}
EDGE_KIND_DOCS: dict[m.EdgeKind, str] = {
    m.EdgeKind.DATA_FLOW: "order, and the source's output feeds the target's inputs (the default)",
    m.EdgeKind.DEPENDENCY: "order only: the target runs after the source succeeded",
    m.EdgeKind.TRIGGER: "the target runs once the source finished, whatever its outcome",
}


def type_name(annotation: Any) -> str:
    """A field's type as a model reads it: 'str', 'list[Node]', 'a|b' for a Literal; optional
    fields show their type only (every optional field may be left out)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "|".join(str(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args if a is not type(None))
    if origin in (list, tuple):
        return f"list[{type_name(args[0])}]" if args else "list"
    if origin is dict or annotation is dict:
        return "object"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "|".join(str(e.value) for e in annotation)
    return getattr(annotation, "__name__", str(annotation))


def field_lines(model: type[BaseModel], docs: dict[str, str] | None = None, indent: str = "  ") -> list[str]:
    lines = []
    for name, info in model.model_fields.items():
        doc = info.description or (docs or {}).get(name, "")
        lines.append(f"{indent}{name} ({type_name(info.annotation)})" + (f": {doc}" if doc else ""))
    return lines


def _doc(fn: Any) -> str:
    """A runtime function's docstring as one paragraph, without Sphinx markup."""
    return " ".join((fn.__doc__ or "").replace("``", "`").split())


@cache
def spec_reference() -> str:
    out = ["A workflow spec's top-level fields (JSON pointers for `set`: /settings/catchup, /defaults/retry, "
           "/notifications/-, /nodes/<id>/description):"]  # fmt: skip
    out += field_lines(m.Workflow, WORKFLOW_DOCS)
    out.append("A node:")
    out += [line for line in field_lines(m.Node) if not line.startswith("  ui ")]  # layout: the canvas's
    out.append("Node types:")
    out += [f"  {t.value}: {NODE_TYPE_DOCS[t]}" for t in m.NodeType]
    out.append("A node's `execution` (unset fields inherit `defaults`):")
    out += field_lines(m.ExecutionPolicy)
    out.append(
        "  retry: "
        + ", ".join(f"{n} ({type_name(f.annotation)})" for n, f in m.RetryPolicy.model_fields.items())
    )
    out.append("on_error:")
    out += [f"  {e.value}: {ON_ERROR_DOCS[e]}" for e in m.OnError]
    out.append("An edge:")
    out += field_lines(m.Edge)
    out += [f"  kind {k.value}: {EDGE_KIND_DOCS[k]}" for k in m.EdgeKind]
    out.append("A mapping item:")
    out += field_lines(m.FieldMapping)
    out.append("How a node's inputs are made: " + _doc(core.merge_inputs))
    out.append("Mapping into an operator node: its target is a keyword argument, and its source a "
               "node's whole output or one top-level field, without transform.")  # fmt: skip
    out.append("A tool's arguments: " + _doc(core.tool_arguments))
    out.append("A notification:")
    out += field_lines(m.Notification)
    out.append("Triggers: schedule " + ", ".join(field_lines(m.Schedule, indent="")) + "; assets "
               + ", ".join(field_lines(m.AssetTrigger, indent="")))  # fmt: skip
    return "\n".join(out)


@cache
def system_prompt() -> str:
    return "\n\n".join([INTRO, spec_reference(), examples_text()])


def build_messages(
    message: str, ctx: CopilotContext, history: list[dict[str, str]], available: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """System rules, earlier turns (text only), the fresh context, then the user's message."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt()}]
    for item in history[-20:]:
        if item.get("role") in ("user", "assistant") and item.get("content"):
            messages.append({"role": item["role"], "content": redact_text(item["content"])})
    messages.append({"role": "system", "content": "Current context (JSON):\n" + ctx.prompt_text(available)})
    messages.append({"role": "user", "content": redact_text(message)})
    return messages
