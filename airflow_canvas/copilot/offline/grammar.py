"""The offline co-pilot's command grammar: every command is one ``Command`` with its phrasings
(regular expressions, case-insensitive), examples and doc; ``respond`` matches a message against
them, ``help`` prints them, the tests run every example and the README lists them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.offline.handlers import (
    PROPERTIES,
    h_add_node,
    h_connect,
    h_debug_run,
    h_disconnect,
    h_explain_errors,
    h_explain_group,
    h_explain_node,
    h_fix_errors,
    h_group,
    h_make_retry,
    h_make_timeout,
    h_remove,
    h_rename,
    h_run_node,
    h_schedule,
    h_set,
    h_ungroup,
)
from airflow_canvas.copilot.offline.handlers_more import (
    h_explain_workflow,
    h_insert,
    h_show_code,
    h_templates,
    h_use_template,
    h_wizard,
)
from airflow_canvas.copilot.responses import Reply
from airflow_canvas.spec.models import Workflow


@dataclass
class Command:
    name: str
    patterns: list[str]
    examples: list[str]
    doc: str
    handler: Callable[[CopilotContext, re.Match[str], Reply], Reply]

    def match(self, text: str) -> re.Match[str] | None:
        for pattern in self.patterns:
            m = re.fullmatch(pattern, text, flags=re.IGNORECASE)
            if m:
                return m
        return None


def h_help(ctx: CopilotContext, m: re.Match[str], reply: Reply) -> Reply:
    from airflow_canvas.copilot.responses import Suggestion, SuggestionsPart

    reply.text(help_markdown(ctx.workflow))
    from airflow_canvas.copilot.offline.suggest import plain_examples

    reply.parts.append(
        SuggestionsPart(
            items=[Suggestion(label=e, action="send", message=e) for e in plain_examples(ctx.workflow)]
        )
    )
    return reply


_ID = r"[A-Za-z0-9_][A-Za-z0-9_\-]*"
_REF = r"[^\s,]+"
_LIST = r"(?P<nodes>.+?)"
# A group id, or a label (spaces allowed) in straight, curly or back quotes.
_GROUP = r"\"[^\"]+\"|'[^']+'|“[^”]+”|‘[^’]+’|`[^`]+`|[^\s\"'“‘`]\S*?"

COMMANDS: list[Command] = [
    Command("help", [r"help|\?|what can you do\??|commands"], ["help"], "List these commands.", h_help),
    Command(
        "add node",
        [
            rf"(?:add|create|new)\s+(?:an?\s+)?(?P<type>tool|agent|process|input|output)\s+node\s+(?:called\s+|named\s+)?"
            rf"(?P<id>\S+)(?:\s+(?:using|with tool|with)\s+(?P<tool>\S+))?(?:\s+after\s+(?P<after>{_REF}))?"
            rf"(?:\s+before\s+(?P<before>{_REF}))?(?:\s+in\s+(?:group\s+)?(?P<group>{_ID}))?"
        ],
        [
            "add tool node http_get after fetch",
            "add agent node summarize after fetch",
            "add process node clean",
            "add tool node get_page using http_get after fetch before summarize",
            "add tool node join using airflow.providers.standard.operators.empty.EmptyOperator",
        ],
        "Add a node of a type (tool, agent, process, input, output); optionally wire it after/before nodes. "
        "A tool node's tool is the tool with its id's name, or the one named with `using`; `using` an "
        "installed operator's import path makes an operator node.",
        h_add_node,
    ),
    Command(
        "insert between",
        [
            rf"insert\s+(?:an?\s+)?(?P<type>tool|agent|process)\s+node\s+(?P<id>\S+)(?:\s+using\s+(?P<tool>\S+))?"
            rf"\s+between\s+(?P<a>{_REF})\s+and\s+(?P<b>{_REF})"
        ],
        ["insert process node clean between fetch and summarize"],
        "Put a new node on a connection: a -> new -> b (the direct connection goes).",
        h_insert,
    ),
    Command(
        "connect",
        [
            rf"(?:connect|link|wire)\s+(?P<a>{_REF})\s+(?:to|with|->)\s+(?P<b>{_REF})"
            r"(?:\s+as\s+(?:an?\s+)?(?P<kind>data[ _-]?flow|dependency|trigger))?(?:\s+edge)?"
        ],
        ["connect fetch to summarize", "connect a to b as dependency"],
        "Add an edge (data flow by default; or dependency / trigger).",
        h_connect,
    ),
    Command(
        "disconnect",
        [rf"(?:disconnect|unlink)\s+(?P<a>{_REF})\s+(?:from|and)\s+(?P<b>{_REF})"],
        ["disconnect fetch from summarize"],
        "Remove the edges between two nodes.",
        h_disconnect,
    ),
    Command(
        "remove node",
        [rf"(?:remove|delete)\s+(?:the\s+)?(?:nodes?\s+)?{_LIST}"],
        ["remove node summarize", "delete these"],
        "Remove nodes and their edges.",
        h_remove,
    ),
    Command(
        "rename",
        [rf"rename\s+(?:node\s+)?(?P<a>{_REF})\s+(?:to|as)\s+(?P<b>.+)"],
        ["rename fetch to download"],
        "Change a node's id (edges follow), or its display name when the new name is not a valid id.",
        h_rename,
    ),
    Command(
        "set schedule",
        [r"(?:set\s+(?:the\s+)?schedule\s+to|schedule\s+(?:it\s+)?)\s*(?P<value>[@*\w].*)"],
        [
            "set schedule to @daily",
            "set schedule to 0 6 * * 1-5",
            "set schedule to every 30m",
            "set schedule to none",
        ],
        "Set the workflow's schedule (preset, cron, interval, or none).",
        h_schedule,
    ),
    Command(
        "set property",
        [
            rf"set\s+(?:the\s+)?(?P<prop>[a-z ]+?)\s+(?:of|on|for)\s+{_LIST}\s+to\s+(?P<value>.+)",
            r"set\s+(?:the\s+)?(?P<prop>[a-z ]+?)\s+to\s+(?P<value>.+)(?P<nodes>)",
        ],
        [
            "set retries of summarize to 3",
            "set timeout of fetch to 10m",
            "set model of summarize to gpt-4o",
            "set on error of fetch to skip",
            "set retries to 2",
        ],
        "Set one property of nodes (of the selection when no node is named). Properties: "
        + ", ".join(PROPERTIES)
        + ".",
        h_set,
    ),
    Command(
        "make retry",
        [rf"make\s+{_LIST}\s+retry\s+(?P<count>\d+|once|one)(?:\s+times?)?"],
        ["make a b c retry 3 times", "make these retry 3 times"],
        "Bulk: set the retries of many nodes.",
        h_make_retry,
    ),
    Command(
        "make timeout",
        [rf"make\s+{_LIST}\s+time\s*out\s+(?:after\s+)?(?P<duration>.+)"],
        ["make a b time out after 10m"],
        "Bulk: set the timeout of many nodes.",
        h_make_timeout,
    ),
    Command(
        "group",
        [rf"group\s+{_LIST}\s+(?:as|into|in)\s+(?P<group>\S+)"],
        ["group a b c as enrich", "group these as enrich"],
        "Put nodes into a new group.",
        h_group,
    ),
    Command(
        "ungroup",
        [r"ungroup\s+(?:group\s+)?(?P<group>\S+)"],
        ["ungroup enrich"],
        "Remove a group; its nodes stay.",
        h_ungroup,
    ),
    Command(
        "explain workflow",
        [
            r"(?:explain|describe)\s+(?:the\s+|this\s+)?(?:workflow|pipeline|dag)\??|what\s+does\s+(?:the|this)\s+"
            r"(?:workflow|pipeline)\s+do\??"
        ],
        ["explain workflow"],
        "Explain the whole workflow: what starts it (the schedule in words), its steps in run order, its groups.",
        h_explain_workflow,
    ),
    Command(
        "explain errors",
        [
            r"explain(?:\s+the)?\s+(?:errors|problems)|what'?s\s+wrong\??|why\s+(?:is\s+it|does\s+it)\s+"
            r"not\s+(?:valid|work)\??|errors"
        ],
        ["explain errors", "what's wrong?"],
        "Explain the validation problems in plain words, with fixes.",
        h_explain_errors,
    ),
    Command(
        "fix errors",
        [r"fix(?:\s+(?:the|all))?\s+(?:errors|problems)|fix\s+it"],
        ["fix errors"],
        "Propose one patch with every automatic fix.",
        h_fix_errors,
    ),
    Command(
        "debug run",
        [
            r"(?:debug|explain|step\s+through)(?:\s+the)?(?:\s+(?:last|latest|failed))?\s+run|why\s+did\s+"
            r"(?:it|the\s+run)\s+fail\??"
        ],
        ["debug run", "step through the last run", "why did the run fail?"],
        "Step through the latest run node by node and explain the first failure.",
        h_debug_run,
    ),
    Command(
        "explain group",
        [
            rf"(?:explain|describe)\s+(?:the\s+)?group\s+(?P<group>{_GROUP})\??",
            rf"what\s+does\s+(?:the\s+)?group\s+(?P<group>{_GROUP})\s+do\??",
            rf"why\s+did\s+(?:the\s+)?group\s+(?P<group>{_GROUP})\s+fail\??",
        ],
        ["explain group enrich", "what does group enrich do?", 'describe group "Enrich tickets"'],
        "Explain a group (id, or label in quotes): sequential or parallel, its members in run order "
        "(nested groups too), the connections into and out of it, its problems with fixes, the latest "
        "run's state and first failure.",
        h_explain_group,
    ),
    Command(
        "explain node",
        [
            rf"(?:explain|describe|what\s+does)\s+(?P<kw>node\s+)?(?P<node>{_REF})(?:\s+do)?\??",
            rf"why\s+did\s+(?P<kw>node\s+)?(?P<node>{_REF})\s+fail\??",
        ],
        ["explain node fetch", "why did fetch fail?"],
        "Explain a node: what it does, its problems, its latest failure with inputs and log tail.",
        h_explain_node,
    ),
    Command(
        "run node",
        [rf"(?:run|test)\s+(?:node\s+)?(?P<node>{_REF})(?:\s+with\s+(?P<input>\{{.*\}}))?"],
        ['run node fetch with {"url": "https://example.org"}', "test summarize"],
        "Run one node alone with mock input.",
        h_run_node,
    ),
    Command(
        "show code",
        [rf"(?:show|view)\s+(?:the\s+)?(?:dag\s+)?code(?:\s+(?:of|for)\s+(?P<node>{_REF}))?"],
        ["show code", "show code of fetch"],
        "Show the generated DAG file (or the part of a node).",
        h_show_code,
    ),
    Command(
        "templates",
        [r"(?:list\s+|show\s+)?templates"],
        ["templates"],
        "List the template gallery.",
        h_templates,
    ),
    Command(
        "use template",
        [
            rf"(?:use|add|insert)\s+template\s+(?P<name>[\w\-]+)(?:\s+after\s+(?P<after>{_REF}))?"
            r"(?:\s+with\s+(?P<params>.+))?"
        ],
        ["use template http_fetch_extract with expression=items", "use template http_fetch_extract after c"],
        "Instantiate a template (a whole workflow or a sub-graph).",
        h_use_template,
    ),
    Command(
        "wizard",
        [r"(?:open\s+)?wizards?(?:\s+(?P<name>.+))?", r"(?:new|create)\s+(?P<name>agent|tool)\s+node"],
        ["new agent node", "wizard schedule", "wizards"],
        "Open a step-by-step wizard.",
        h_wizard,
    ),
]


# The grammar command -> the intent it serves (what the evaluation set checks).
INTENTS = {
    "help": "help", "add node": "add", "insert between": "add", "connect": "connect",
    "disconnect": "disconnect", "remove node": "remove", "rename": "rename", "set schedule": "schedule",
    "set property": "set", "make retry": "set", "make timeout": "set", "group": "group", "ungroup": "ungroup",
    "explain workflow": "explain_workflow", "explain errors": "explain_errors", "fix errors": "fix_errors",
    "debug run": "debug_run", "explain group": "explain_group", "explain node": "explain_node",
    "run node": "run_node", "show code": "show_code", "templates": "templates", "use template": "use_template",
    "wizard": "wizard",
}  # fmt: skip


def help_markdown(workflow: Workflow | None = None) -> str:
    """The commands with examples: on ``workflow``'s own nodes when given (never names that are not
    in it), else the documented examples."""
    from airflow_canvas.copilot.offline.suggest import examples_for, plain_examples

    mine = examples_for(workflow) if workflow is not None else {}
    lines = [
        "I am the offline co-pilot. Ask in plain words"
        + (": " + ", ".join(f"“{e}”" for e in plain_examples(workflow)) if workflow is not None else "")
        + ". I also understand these commands (node names or ids, group ids or labels; *these* means the "
        "selected nodes):",
        "",
    ]
    for command in COMMANDS:
        if workflow is not None:
            examples = f"`{mine[command.name]}`" if command.name in mine else ""
        else:
            examples = ", ".join(f"`{e}`" for e in command.examples)
        lines.append(f"- **{command.name}**: {command.doc}" + (f" E.g. {examples}" if examples else ""))
    return "\n".join(lines)
