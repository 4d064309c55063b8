"""The functions the model may call and what each call does.

``propose_patch``'s schema is generated from the patch models, then trimmed to what a model needs
to write a patch: no titles or defaults (the prompt states the defaults), nullable fields as their
plain type, and the large nested policies (a node's ``execution`` and ``notifications``, layout)
left as loose objects whose full schema the model can ask for with ``get_schema``. The server still
validates every call against the real models, so trimming never lets a wrong patch through.
``suggest_actions`` offers buttons; the lookups (``llm_lookups``) answer questions locally."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import ValidationError

from airflow_canvas.copilot.llm_lookups import LOOKUPS, Scope, lookup
from airflow_canvas.copilot.patch import Patch, PatchOp, check_patch
from airflow_canvas.copilot.responses import Suggestion, describe_diff
from airflow_canvas.spec.diff import workflow_diff
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem

# $defs of the patch schema replaced by a loose object, with where to read the full schema.
LOOSE: dict[str, str] = {
    "ExecutionPolicy": "How the node runs (timeout_seconds, retry, on_error, fallback_node, pool, queue, "
    "map_over, ...); unset fields inherit the workflow's defaults. Full schema: get_schema('execution').",
    "Notification": "An Airflow notifier: {on, notifier, connection_id, to, subject, message, parameters}. "
    "Full schema: get_schema('notification').",
}
DROPPED_PROPERTIES = {"ui"}  # layout: the canvas places new nodes itself


def _strip(value: Any) -> Any:
    """No titles, defaults or discriminator maps; ``anyOf: [X, null]`` as X; ``oneOf`` as ``anyOf``
    (more widely accepted by OpenAI-compatible servers)."""
    if isinstance(value, list):
        return [_strip(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("title", "default", "discriminator") or (key == "additionalProperties" and item is False):
            continue  # the server checks unknown keys anyway, and says which
        if key == "properties":
            item = {k: v for k, v in item.items() if k not in DROPPED_PROPERTIES}
        out["anyOf" if key == "oneOf" else key] = _strip(item)
    options = out.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            out.pop("anyOf")
            out = {**kept[0], **out}
        else:
            out["anyOf"] = kept
    if isinstance(out.get("required"), list):
        out["required"] = [r for r in out["required"] if r not in DROPPED_PROPERTIES]
    return out


def _referenced(schema: Any, found: set[str]) -> None:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            found.add(ref.removeprefix("#/$defs/"))
        for item in schema.values():
            _referenced(item, found)
    elif isinstance(schema, list):
        for item in schema:
            _referenced(item, found)


def trimmed_patch_schema() -> dict[str, Any]:
    schema = _strip(Patch.model_json_schema())
    defs: dict[str, Any] = schema.pop("$defs", {})
    for name, description in LOOSE.items():
        if name in defs:
            defs[name] = {"type": "object", "description": description}
    # Keep only the definitions still reachable from the top.
    keep: set[str] = set()
    todo = {"$root"}
    while todo:
        name = todo.pop()
        found: set[str] = set()
        _referenced(schema if name == "$root" else defs[name], found)
        todo |= found - keep
        keep |= found
    schema["$defs"] = {k: v for k, v in defs.items() if k in keep}
    return schema


def _function(name: str, description: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": name, "description": description, "parameters": parameters},
    }


@cache
def function_schemas() -> tuple[dict[str, Any], ...]:
    """Every function offered to the model (schema generation costs ms; the models are fixed)."""
    suggestion = _strip(Suggestion.model_json_schema())
    functions = [
        _function(
            "propose_patch",
            "Propose changes to the workflow as patch operations. The server validates them and answers "
            "ok with the changes, or the problems to fix.",
            trimmed_patch_schema(),
        ),
        _function(
            "suggest_actions",
            "Offer the user buttons: focus_node, run_node (with mock input), open_wizard, send.",
            {
                "type": "object",
                "properties": {"items": {"type": "array", "items": suggestion}},
                "required": ["items"],
                "$defs": suggestion.pop("$defs", {}),
            },
        ),
    ]
    for name, (_, description, properties) in LOOKUPS.items():
        required = [k for k in properties if k != "limit"]
        functions.append(
            _function(name, description, {"type": "object", "properties": properties, "required": required})
        )
    return tuple(functions)


def untrimmed_size() -> int:
    """The size of the schemas before trimming (the whole patch model), for the benchmark."""
    return len(json.dumps(Patch.model_json_schema())) + len(json.dumps(Suggestion.model_json_schema()))


@dataclass
class Outcome:
    """What one function call did: the result the model reads, and the draft after it."""

    result: dict[str, Any]
    draft: Workflow
    ops: list[PatchOp] = field(default_factory=list)
    summary: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @classmethod
    def rejected(cls, draft: Workflow, problems: list[dict[str, Any]]) -> Outcome:
        return cls({"ok": False, "problems": problems}, draft, problems=problems)


def _problem(code: str, message: str, where: str = "") -> dict[str, Any]:
    return {"code": code, "message": message, "pointer": where}


def handle_call(
    call: dict[str, Any], draft: Workflow, suggestions: list[Suggestion], scope: Scope
) -> Outcome:
    """Run one function call against the draft. Lookups never count as failed rounds: a wrong
    lookup is answered with what to ask instead."""
    try:
        args = json.loads(call["arguments"] or "{}")
    except json.JSONDecodeError as exc:
        message = f"The arguments are not valid JSON: {exc.msg} at position {exc.pos}."
        return Outcome.rejected(draft, [_problem("E_ARGUMENTS_JSON", message)])
    if not isinstance(args, dict):
        return Outcome.rejected(draft, [_problem("E_ARGUMENTS_JSON", "The arguments must be a JSON object.")])
    name = call["name"]
    if name in LOOKUPS:
        return Outcome(lookup(name, args, Scope(scope.world, draft)), draft)
    if name == "suggest_actions":
        try:
            items = [Suggestion.model_validate(i) for i in (args.get("items") or [])]
        except ValidationError as exc:
            return Outcome.rejected(draft, [_problem("E_SUGGESTION_INVALID", str(exc), "/items")])
        suggestions.extend(items)
        return Outcome({"ok": True}, draft)
    if name != "propose_patch":
        known = ", ".join(["propose_patch", "suggest_actions", *LOOKUPS])
        return Outcome.rejected(
            draft, [_problem("E_UNKNOWN_FUNCTION", f"There is no function {name!r}; use {known}.")]
        )
    try:
        patch = Patch.model_validate(args)
    except ValidationError as exc:
        problems = [
            _problem(
                "E_PATCH_INVALID",
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}",
                "/" + "/".join(str(p) for p in e["loc"]),
            )
            for e in exc.errors()
        ]
        return Outcome.rejected(draft, problems)
    result = check_patch(draft, patch.ops)
    if not result.ok or result.workflow is None:
        return Outcome.rejected(draft, [p.to_dict() for p in result.problems])
    changes = describe_diff(workflow_diff(draft, result.workflow))
    ok = {"ok": True, "changes": changes, "warnings": [w.to_dict() for w in result.warnings][:20]}
    return Outcome(ok, result.workflow, list(patch.ops), patch.summary, warnings=result.warnings)
