"""Examples and suggestions built from the workflow on screen: they name only its nodes, its
connections and templates that exist, with ids spelled as they are ('LoadRows', not 'loadrows')."""

from __future__ import annotations

import difflib

from airflow_canvas.copilot.responses import Reply, Suggestion, SuggestionsPart
from airflow_canvas.spec.models import Workflow


def _subgraph_template() -> str | None:
    from airflow_canvas.copilot import gallery

    try:
        return next((t["name"] for t in gallery.templates_info() if "sub" in t["kind"].lower()), None)
    except gallery.TemplateUnavailable:
        return None


def examples_for(wf: Workflow) -> dict[str, str]:
    """command name -> an example of it on this workflow (commands that need what the workflow
    lacks, e.g. two nodes, are left out)."""
    ids = [n.id for n in wf.nodes]
    out = {
        "help": "help",
        "explain workflow": "explain workflow",
        "templates": "templates",
        "wizard": "wizards",
    }
    if not ids:
        out["add node"] = "add agent node summary"
        out["set schedule"] = "set schedule to @daily"
        return out
    first, last = ids[0], ids[-1]
    agent = next((n.id for n in wf.nodes if n.type.value == "agent"), first)
    sinks = [n.id for n in wf.nodes if not any(e.source == n.id for e in wf.edges)]
    out["add node"] = f"add agent node summary after {sinks[0] if sinks else last}"
    out["explain node"] = f"explain node {agent}"
    out["set property"] = f"set retries of {first} to 3"
    out["set schedule"] = "set schedule to 30 8 * * 1-5"
    out["run node"] = f"test {first}"
    out["show code"] = "show code"
    out["explain errors"] = "explain errors"
    out["remove node"] = f"remove node {last}"
    if wf.edges:
        edge = wf.edges[0]
        out["insert between"] = f"insert process node check between {edge.source} and {edge.target}"
        out["disconnect"] = f"disconnect {edge.source} from {edge.target}"
    if len(ids) >= 2:
        out["make retry"] = f"make {ids[0]} {ids[1]} retry 3 times"
        out["group"] = f"group {ids[0]} {ids[1]} as stage"
    if wf.groups:
        out["explain group"] = f"explain group {wf.groups[0].id}"
    template = _subgraph_template()
    if template:
        out["use template"] = f"use template {template} after {sinks[0] if sinks else last}"
    return out


def plain_examples(wf: Workflow) -> list[str]:
    """Plain-language requests that work on this workflow."""
    nodes = list(wf.nodes)
    if not nodes:
        return ["add a step that downloads a web page and summarises it", "run it on weekdays at 8:30"]
    named = next((n for n in nodes if n.name), nodes[0])
    ref = f"the {named.name.lower()}" if named.name else named.id
    out = [
        f"make {ref} retry 3 times",
        f"after {nodes[-1].id} add a model that writes a summary, then email it to the team",
        "run it on weekdays at 8:30",
        "is anything wrong here?",
        f"what does {ref} do?",
    ]
    return out


def not_understood(text: str, wf: Workflow) -> Reply:
    examples = list(examples_for(wf).values()) + plain_examples(wf)
    close = difflib.get_close_matches(text.lower(), examples, n=3, cutoff=0.4)
    reply = Reply(engine="offline", error="not_understood")
    reply.text(
        "I didn't understand that. Without a language model I follow plain requests about this workflow "
        "and the commands under `help`."
        + (" Did you mean: " + ", ".join(f"`{c}`" for c in close) + "?" if close else "")
    )
    picks = close or [e for e in plain_examples(wf)[:2]] + [examples_for(wf).get("explain workflow", "help")]
    reply.parts.append(
        SuggestionsPart(
            items=[Suggestion(label="Help", action="send", message="help")]
            + [Suggestion(label=c, action="send", message=c) for c in picks]
        )
    )
    return reply
