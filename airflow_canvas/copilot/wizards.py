"""Step-by-step question forms that end in a validated patch. Stateless: the client sends every
answer given so far and gets either the next step's form or the finished proposal."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field

from airflow_canvas.copilot.patch import AddEdge, AddNode, PatchOp, SetTrigger, check_patch
from airflow_canvas.copilot.responses import Proposal, make_proposal
from airflow_canvas.spec.models import AgentConfig, Edge, Node, NodeType, NodeUI, Position, Schedule, Workflow
from airflow_canvas.spec.problems import Problem
from airflow_canvas.spec.wire import ProblemJson, SentWhole


class WizardField(SentWhole):
    name: str
    label: str
    kind: Literal["text", "textarea", "select", "multiselect", "number", "json"] = "text"
    options: list[str] = Field(default_factory=list)
    default: Any = None
    required: bool = False
    help: str = ""


class WizardStep(SentWhole):
    index: int
    title: str
    fields: list[WizardField]


class WizardInfo(SentWhole):
    name: str
    title: str
    description: str
    steps: int


class WizardResult(SentWhole):
    """The answer to POST /copilot/wizards/{name}/step."""

    wizard: str
    step: WizardStep | None = None  # the next form, or None when done
    proposal: Proposal | None = None
    problems: list[ProblemJson] = Field(default_factory=list)


Steps = Callable[[Workflow], list[WizardStep]]
Build = Callable[[Workflow, dict[str, Any]], list[PatchOp]]


@dataclass
class Wizard:
    name: str
    title: str
    description: str
    steps: Steps
    build: Build
    summary: Callable[[dict[str, Any]], str] = field(default=lambda a: "")


def _node_ids(wf: Workflow) -> list[str]:
    return [n.id for n in wf.nodes]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text.strip().lower()).strip("_") or "node"


def unique_id(wf: Workflow, wanted: str) -> str:
    taken = {n.id for n in wf.nodes}
    candidate, n = _slug(wanted), 2
    while candidate in taken:
        candidate, n = f"{_slug(wanted)}_{n}", n + 1
    return candidate


def position_after(wf: Workflow, after: str | None) -> Position:
    """Right of ``after`` (below any node already there), else right of everything."""
    anchor = wf.node(after) if after else None
    if anchor is not None:
        x, y = anchor.ui.position.x + 260, anchor.ui.position.y
        while any(abs(n.ui.position.x - x) < 1 and abs(n.ui.position.y - y) < 1 for n in wf.nodes):
            y += 120
        return Position(x=x, y=y)
    right = max((n.ui.position.x for n in wf.nodes), default=-260)
    return Position(x=right + 260, y=0)


def new_node_ops(wf: Workflow, node: Node, after: str | None) -> list[PatchOp]:
    node.ui = NodeUI(position=position_after(wf, after))
    ops: list[PatchOp] = [AddNode(node=node)]
    if after:
        ops.append(AddEdge(edge=Edge(source=after, target=node.id)))
    return ops


def _output_schema(raw: Any) -> dict[str, Any]:
    """Accept a JSON Schema, or 'field:type, field:type' shorthand."""
    if isinstance(raw, dict):
        return raw
    text = str(raw or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        return json.loads(text)
    props = {}
    for item in text.split(","):
        name, _, kind = item.partition(":")
        props[name.strip()] = {"type": kind.strip() or "string"}
    return {"type": "object", "properties": props, "required": list(props)}


def _agent_steps(wf: Workflow) -> list[WizardStep]:
    from airflow_canvas.tools.registry import available_tools

    tools = sorted({t.ref for t in available_tools(wf.tools)})
    return [
        WizardStep(
            index=0,
            title="Name and place",
            fields=[
                WizardField(name="name", label="Node name", required=True, default="agent"),
                WizardField(
                    name="after", label="Runs after", kind="select", options=["", *_node_ids(wf)], default=""
                ),
            ],
        ),
        WizardStep(
            index=1,
            title="Model",
            fields=[
                WizardField(name="model", label="Model", default="", help="Empty: the connection's model."),
                WizardField(name="connection_id", label="Connection", default="openai_default"),
                WizardField(name="system_prompt", label="System prompt", kind="textarea", default=""),
                WizardField(
                    name="prompt", label="Prompt (Jinja over inputs)", kind="textarea", required=True
                ),
            ],
        ),
        WizardStep(
            index=2,
            title="Tools",
            fields=[
                WizardField(
                    name="tools",
                    label="Tools the agent may call",
                    kind="multiselect",
                    options=tools,
                    default=[],
                ),
                WizardField(name="max_steps", label="Max steps", kind="number", default=8),
            ],
        ),
        WizardStep(
            index=3,
            title="Output",
            fields=[
                WizardField(
                    name="output_schema",
                    label="Output schema",
                    kind="json",
                    default="",
                    help="JSON Schema, or a shorthand like 'summary:string, urgent:boolean'.",
                ),
            ],
        ),
    ]


def _agent_build(wf: Workflow, a: dict[str, Any]) -> list[PatchOp]:
    node = Node(
        id=unique_id(wf, a["name"]),
        name=str(a["name"]),
        type=NodeType.AGENT,
        agent=AgentConfig(
            model=a.get("model") or None,
            connection_id=a.get("connection_id") or "openai_default",
            system_prompt=a.get("system_prompt") or "",
            prompt=a.get("prompt") or "",
            tools=list(a.get("tools") or []),
            max_steps=int(a.get("max_steps") or 8),
        ),
        output_schema=_output_schema(a.get("output_schema")),
    )
    return new_node_ops(wf, node, a.get("after") or None)


def _tool_steps(wf: Workflow) -> list[WizardStep]:
    from airflow_canvas.tools.registry import available_tools

    tools = sorted({t.ref for t in available_tools(wf.tools)})
    return [
        WizardStep(
            index=0,
            title="Tool",
            fields=[
                WizardField(name="tool", label="Tool", kind="select", options=tools, required=True),
                WizardField(name="name", label="Node name", default=""),
                WizardField(
                    name="after", label="Runs after", kind="select", options=["", *_node_ids(wf)], default=""
                ),
            ],
        ),
        WizardStep(
            index=1,
            title="Parameters",
            fields=[
                WizardField(name="parameters", label="Parameters (JSON)", kind="json", default="{}"),
            ],
        ),
    ]


def _tool_build(wf: Workflow, a: dict[str, Any]) -> list[PatchOp]:
    tool = str(a["tool"])
    params = a.get("parameters") or {}
    if isinstance(params, str):
        params = json.loads(params or "{}")
    name = a.get("name") or tool.partition("@")[0]
    node = Node(id=unique_id(wf, name), name=str(name), type=NodeType.TOOL, tool=tool, parameters=params)
    return new_node_ops(wf, node, a.get("after") or None)


def _schedule_steps(wf: Workflow) -> list[WizardStep]:
    current = wf.triggers.schedule
    return [
        WizardStep(
            index=0,
            title="Schedule",
            fields=[
                WizardField(
                    name="kind",
                    label="Kind",
                    kind="select",
                    options=["none", "preset", "cron", "interval"],
                    default=current.kind if current else "preset",
                    required=True,
                ),
                WizardField(
                    name="value",
                    label="Value",
                    default=current.value if current else "@daily",
                    help="@daily, '0 6 * * 1-5', or an interval like 30m.",
                ),
            ],
        )
    ]


def _schedule_build(wf: Workflow, a: dict[str, Any]) -> list[PatchOp]:
    schedule = None if a["kind"] == "none" else Schedule(kind=a["kind"], value=str(a.get("value") or ""))
    return [SetTrigger(schedule=schedule, assets=wf.triggers.assets)]


WIZARDS: dict[str, Wizard] = {
    w.name: w
    for w in [
        Wizard(
            "new_agent_node",
            "New agent node",
            "An LLM agent: model, prompt, tools and output schema.",
            _agent_steps,
            _agent_build,
            lambda a: f"Add agent node {a.get('name')}",
        ),
        Wizard(
            "new_tool_node",
            "New tool node",
            "A node that runs one versioned tool.",
            _tool_steps,
            _tool_build,
            lambda a: f"Add tool node for {a.get('tool')}",
        ),
        Wizard(
            "schedule",
            "Schedule",
            "When the workflow runs.",
            _schedule_steps,
            _schedule_build,
            lambda a: f"Set the schedule to {a.get('value') if a.get('kind') != 'none' else 'none'}",
        ),
    ]
}


def list_wizards(wf: Workflow | None = None) -> list[WizardInfo]:
    empty = wf or Workflow(id="wizard_preview")
    return [
        WizardInfo(name=w.name, title=w.title, description=w.description, steps=len(w.steps(empty)))
        for w in WIZARDS.values()
    ]


def wizard_step(name: str, wf: Workflow, answers: dict[str, Any], step: int) -> WizardResult:
    """Check the answers to ``step``; return the next form, or the proposal after the last step."""
    wizard = WIZARDS.get(name)
    if wizard is None:
        raise KeyError(name)
    steps = wizard.steps(wf)
    if step < 0 or step >= len(steps):
        return WizardResult(wizard=name, step=steps[0])
    missing = [f for f in steps[step].fields if f.required and answers.get(f.name) in (None, "", [])]
    if missing:
        problems = [
            Problem("E_WIZARD_MISSING", f"{f.label} is required.", f"/answers/{f.name}").to_dict()
            for f in missing
        ]
        return WizardResult(wizard=name, step=steps[step], problems=problems)
    if step + 1 < len(steps):
        return WizardResult(wizard=name, step=steps[step + 1])
    filled = {f.name: f.default for s in steps for f in s.fields} | answers
    try:
        ops = wizard.build(wf, filled)
    except (ValueError, TypeError) as exc:  # json / pydantic errors name the bad field
        problem = Problem("E_WIZARD_INVALID", f"The answers do not make a valid node: {exc}", "/answers")
        return WizardResult(wizard=name, step=steps[-1], problems=[problem.to_dict()])
    result = check_patch(wf, ops)
    if not result.ok or result.workflow is None:
        return WizardResult(wizard=name, step=steps[-1], problems=[p.to_dict() for p in result.problems])
    proposal = make_proposal(wizard.summary(filled), ops, wf, result.workflow, result.warnings)
    return WizardResult(wizard=name, proposal=proposal)
