"""What the co-pilot answers with: typed parts the UI renders (Markdown text, highlighted code, a
small diagram drawn with the canvas's node components, suggestion buttons) and at most one
validated proposal (a patch with its preview diff)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field

from airflow_canvas.copilot.patch import PatchOp, ops_to_json
from airflow_canvas.spec.diff import workflow_diff
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.wire import EdgeJson, NodeJson, PreviewDiffJson, ProblemJson, SentWhole, SpecJson


class TextPart(SentWhole):
    type: Literal["text"] = "text"
    markdown: str


class CodePart(SentWhole):
    type: Literal["code"] = "code"
    language: str = "text"
    code: str
    title: str = ""


class DiagramPart(SentWhole):
    """A sub-graph in spec form (nodes + edges) so the UI draws it with the canvas components."""

    type: Literal["diagram"] = "diagram"
    title: str = ""
    nodes: list[NodeJson] = Field(default_factory=list)  # spec JSON (spec.wire: passed as it is)
    edges: list[EdgeJson] = Field(default_factory=list)


class Suggestion(SentWhole):
    label: str
    action: Literal["apply_patch", "open_wizard", "run_node", "focus_node", "send"]
    ops: list[dict[str, Any]] | None = None  # apply_patch: validated ops
    wizard: str | None = None  # open_wizard
    node_id: str | None = None  # run_node / focus_node
    input: dict[str, Any] | None = None  # run_node: mock input to run the node with
    message: str | None = None  # send: a follow-up message to send as if typed


class SuggestionsPart(SentWhole):
    type: Literal["suggestions"] = "suggestions"
    items: list[Suggestion]


Part = Annotated[TextPart | CodePart | DiagramPart | SuggestionsPart, Field(discriminator="type")]


class Proposal(SentWhole):
    """A patch that passed validation against the workflow it was made for."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    summary: str
    ops: list[dict[str, Any]]
    diff: PreviewDiffJson
    changes: list[str]  # the diff in sentences
    workflow: SpecJson  # the patched spec, so the canvas can preview it without re-applying
    warnings: list[ProblemJson] = Field(default_factory=list)


class Usage(SentWhole):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cost += other.cost


class Reply(SentWhole):
    engine: Literal["llm", "offline"]
    parts: list[Part] = Field(default_factory=list)
    proposal: Proposal | None = None
    usage: Usage = Field(default_factory=Usage)
    error: str | None = None  # set when the turn failed (model unreachable, repair bound hit)

    def text(self, markdown: str) -> Reply:
        self.parts.append(TextPart(markdown=markdown))
        return self

    def plain_text(self) -> str:
        return "\n\n".join(p.markdown for p in self.parts if isinstance(p, TextPart))


def spec_json(workflow: Workflow) -> dict[str, Any]:
    """Canonical small JSON (defaults left out) that still always has the three lists the canvas
    iterates over."""
    data = workflow.model_dump(mode="json", exclude_defaults=True)
    return {"id": workflow.id, "nodes": [], "edges": [], "groups": []} | data


def describe_diff(diff: dict[str, Any]) -> list[str]:
    """Plain sentences for the chat from a ``spec.diff.workflow_diff``: 'Adds node `summarize`.',
    'Changes `retry` on node `fetch`.'"""
    lines: list[str] = []
    for section, noun in (("nodes", "node"), ("edges", "edge"), ("groups", "group")):
        part = diff[section]
        lines += [f"Adds {noun} `{k}`." for k in part["added"]]
        lines += [f"Removes {noun} `{k}`." for k in part["removed"]]
        lines += [
            f"Changes {', '.join(f'`{f}`' for f in fields)} on {noun} `{k}`."
            for k, fields in part["changed"].items()
        ]
    if diff["workflow"]:
        lines.append("Changes workflow " + ", ".join(f"`{f}`" for f in diff["workflow"]) + ".")
    return lines


def make_proposal(
    summary: str,
    ops: list[PatchOp],
    before: Workflow,
    after: Workflow,
    warnings: Sequence[Any] = (),
    after_data: dict[str, Any] | None = None,
) -> Proposal:
    """``after_data``: the patched spec's JSON data when the caller has it (PatchResult.data);
    the full form is as good as the compact one for the canvas and costs nothing to reuse."""
    diff = workflow_diff(before, after)
    return Proposal(
        summary=summary or "Proposed change",
        ops=ops_to_json(ops),
        diff=diff,
        changes=describe_diff(diff),
        workflow=after_data if after_data is not None else spec_json(after),
        warnings=[w.to_dict() for w in warnings],
    )


def diagram_of(workflow: Workflow, node_ids: set[str]) -> DiagramPart:
    """The nodes named plus the edges between them (what a proposal adds, or a selection)."""
    nodes = [
        n.model_dump(mode="json", exclude_defaults=True) | {"id": n.id, "type": n.type.value}
        for n in workflow.nodes
        if n.id in node_ids
    ]
    edges = [
        e.model_dump(mode="json", exclude_defaults=True)
        for e in workflow.edges
        if e.source in node_ids or e.target in node_ids
    ]
    return DiagramPart(nodes=nodes, edges=edges)
