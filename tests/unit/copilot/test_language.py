"""The offline co-pilot in plain language (issue 14): the issue's own examples on the example
workflows, words for numbers, durations and schedules, names people use, "it" and "these", asking
back when a request is ambiguous, several steps as one proposal, and suggestions that only name
what is in the workflow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.copilot.offline import respond
from airflow_canvas.copilot.offline.entities import resolve
from airflow_canvas.copilot.offline.respond import interpret
from airflow_canvas.copilot.offline.timewords import (
    count,
    describe_schedule,
    duration_seconds,
    natural_schedule,
)
from airflow_canvas.copilot.patch import apply_patch, parse_ops
from airflow_canvas.copilot.responses import Reply, SuggestionsPart
from airflow_canvas.spec import Workflow, parse_workflow

from .conftest import base_spec, make_ctx

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def example(name: str, selection: list[str] | None = None) -> CopilotContext:
    return make_ctx(parse_workflow(json.loads((EXAMPLES / f"{name}.json").read_text())), selection=selection)


def applied(reply: Reply, ctx: CopilotContext) -> Workflow:
    assert reply.proposal is not None, reply.plain_text()
    return apply_patch(ctx.workflow, parse_ops(reply.proposal.ops))


def choices(reply: Reply) -> list[Any]:
    return [i for p in reply.parts if isinstance(p, SuggestionsPart) for i in p.items]


# -- the examples ----------------------------------------------------------------------------


def test_a_step_that_downloads_and_summarises() -> None:
    ctx = example("ticket_triage")
    out = applied(respond("add a step that downloads a web page and summarises it", ctx), ctx)
    new = [n for n in out.nodes if ctx.workflow.node(n.id) is None]
    assert [n.type.value for n in new] == ["tool", "agent"]
    assert new[0].tool is not None and new[0].tool.startswith("http_request@")
    assert (new[0].id, new[1].id) in {(e.source, e.target) for e in out.edges}


def test_make_the_scorer_try_again() -> None:
    ctx = example("ticket_triage")
    out = applied(respond("make the scorer try again up to 3 times", ctx), ctx)
    assert out.node("score").execution.retry.retries == 3


def test_is_anything_wrong_explains_problems() -> None:
    reply, intent, _ = interpret("is anything wrong here?", example("ticket_triage"))
    assert intent == "explain_errors" and reply.error is None


def test_drop_the_general_queue() -> None:
    ctx = example("ticket_triage")
    assert applied(respond("drop the general queue", ctx), ctx).node("general_reply") is None


def test_hook_up_an_existing_connection_says_so() -> None:
    reply = respond("hook the billing queue up to the output", example("ticket_triage"))
    assert reply.proposal is None and "`billing_reply->triaged` already exists" in reply.plain_text()
    ctx = example("ticket_triage")
    out = applied(respond("hook the scorer up to the output", ctx), ctx)
    assert ("score", "triaged") in {(e.source, e.target) for e in out.edges}


def test_run_it_on_weekdays_at_8_is_explained_back() -> None:
    ctx = example("ticket_triage")
    reply = respond("run it on weekdays at 8", ctx)
    assert applied(reply, ctx).triggers.schedule.value == "0 8 * * 1-5"  # type: ignore[union-attr]
    assert "Monday through Friday" in reply.plain_text()


def test_display_name_in_quotes() -> None:
    ctx = example("ticket_triage")
    out = applied(respond('set retries of "Score keywords" to 3', ctx), ctx)
    assert out.node("score").execution.retry.retries == 3


def test_several_steps_become_one_proposal() -> None:
    ctx = example("doc_summarisation")
    reply = respond("after the split step add a model that writes a summary, then email it to the team", ctx)
    out = applied(reply, ctx)
    new = [n for n in out.nodes if ctx.workflow.node(n.id) is None]
    assert [n.type.value for n in new] == ["agent", "tool"]
    agent, mail = new
    edges = {(e.source, e.target) for e in out.edges}
    assert ("split", agent.id) in edges and (agent.id, mail.id) in edges
    assert mail.tool is not None and mail.tool.startswith("send_notification@")
    assert agent.agent is not None and "summary" in agent.agent.prompt.lower()


def test_a_url_is_filled_in() -> None:
    ctx = example("doc_summarisation")
    out = applied(respond("fetch a URL https://example.org/news after the document", ctx), ctx)
    fetch = next(n for n in out.nodes if ctx.workflow.node(n.id) is None)
    assert fetch.tool is not None and fetch.tool.startswith("http_request@")
    assert "https://example.org/news" in (fetch.parameters.get("url"), fetch.parameters.get("endpoint"))


def test_credentials_in_a_url_stay_out_of_the_spec() -> None:
    ctx = example("doc_summarisation")
    reply = respond("fetch https://bob:hunter2@example.org/feed after the document", ctx)
    assert reply.proposal is not None and "hunter2" not in json.dumps(reply.proposal.workflow)
    out = applied(reply, ctx)
    fetch = next(n for n in out.nodes if ctx.workflow.node(n.id) is None)
    assert "https://example.org/feed" in (fetch.parameters.get("url"), fetch.parameters.get("endpoint"))


def test_insert_between_keeps_the_group_connected() -> None:
    ctx = example("ticket_triage")
    out = applied(respond("insert a process step between score and the billing queue", ctx), ctx)
    new = next(n for n in out.nodes if ctx.workflow.node(n.id) is None)
    edges = {(e.source, e.target) for e in out.edges}
    assert ("score", new.id) in edges and (new.id, "billing_reply") in edges
    assert ("score", "billing_reply") not in edges and new.group == "triage"


# -- asking back, suggestions -------------------------------------------------------------------------


def test_ambiguous_name_asks_with_choices_that_work() -> None:
    ctx = example("ticket_triage")
    reply, intent, _ = interpret("connect the queue to the output", ctx)
    assert intent == "ask" and reply.proposal is None
    items = choices(reply)
    assert {i.message for i in items} == {
        "connect billing_reply to triaged",
        "connect general_reply to triaged",
    }
    assert all(i.action == "send" for i in items)
    reply = respond("delete the queue", ctx)
    chosen = next(i for i in choices(reply) if "general_reply" in (i.message or ""))
    assert applied(respond(chosen.message or "", ctx), ctx).node("general_reply") is None


def test_unknown_kind_of_step_asks_which() -> None:
    reply = respond("add a mystery widget after score", example("ticket_triage"))
    assert reply.proposal is None and len(choices(reply)) >= 2
    assert all("after score" in (i.message or "") for i in choices(reply))


def test_not_understood_suggests_only_what_exists() -> None:
    ctx = example("data_quality_check")
    reply = respond("xyzzy plugh", ctx)
    assert reply.error == "not_understood"
    ids = {n.id for n in ctx.workflow.nodes}
    for item in choices(reply):
        for word in (item.message or "").replace(",", " ").split():
            assert word not in {"fetch", "summarize", "http_get", "fetch_summarize"}
    help_text = respond("help", ctx).plain_text()
    assert "fetch_summarize" not in help_text and f"`remove node {ctx.workflow.nodes[-1].id}`" in help_text
    assert any(i in help_text for i in ids)


def test_did_you_mean_keeps_the_case_of_ids_and_asks() -> None:
    spec = base_spec()
    spec["nodes"].append({"id": "LoadRows", "type": "process", "ui": {"position": {"x": 0, "y": 400}}})
    reply = respond("remove LoadRow", make_ctx(spec))
    assert reply.proposal is None and "'LoadRows'" in reply.plain_text()
    assert [i.message for i in choices(reply)] == ["remove node LoadRows"]


def test_it_comes_from_the_selection_then_the_conversation() -> None:
    ctx = example("ticket_triage", selection=["score"])
    assert applied(respond("make it retry three times", ctx), ctx).node("score").execution.retry.retries == 3
    ctx = example("ticket_triage")
    history = [
        {"role": "assistant", "content": "**`score`** (tool node) runs a tool."},
        {"role": "user", "content": "and the billing queue?"},
        {
            "role": "assistant",
            "content": "**`billing_reply`** (process node) reads from `score` and feeds `triaged`.",
        },
    ]
    reply = respond("delete it", ctx, history)
    assert applied(reply, ctx).node("billing_reply") is None  # the subject of the latest answer
    assert "Nothing is selected" in respond("delete it", ctx).plain_text()


def test_bulk_change_of_all_nodes_of_a_type() -> None:
    ctx = example("data_quality_check")
    out = applied(respond("all the process nodes should retry once", ctx), ctx)
    processes = [n for n in out.nodes if n.type.value == "process"]
    assert processes and all(n.execution.retry and n.execution.retry.retries == 1 for n in processes)
    assert out.node("load_rows").execution.retry is None


def test_a_failed_step_changes_nothing() -> None:
    ctx = example("doc_summarisation")
    reply = respond("remove combine, then connect summarise to nowhere_at_all", ctx)
    assert reply.proposal is None


# -- words --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("two minutes", 120), ("an hour and a half", 5400), ("half an hour", 1800), ("1h30m", 5400),
     ("90 seconds", 90), ("a 10 minute timeout", 600), ("one day", 86400)],
)  # fmt: skip
def test_durations_in_words(text: str, seconds: float) -> None:
    assert duration_seconds(text) == seconds


def test_counts_in_words() -> None:
    assert (count("retry twice"), count("five times"), count("once"), count("none")) == (2, 5, 1, None)


@pytest.mark.parametrize(
    ("text", "schedule"),
    [
        ("weekdays at 8:30", ("cron", "30 8 * * 1-5")),
        ("every night at 11pm", ("cron", "0 23 * * *")),
        ("twice an hour", ("cron", "*/30 * * * *")),
        ("on the first of each month", ("cron", "0 0 1 * *")),
        ("every monday at 9am", ("cron", "0 9 * * 1")),
        ("at 7am and 7pm", ("cron", "0 7,19 * * *")),
        ("on weekends at noon", ("cron", "0 12 * * 0,6")),
        ("every 45 minutes", ("interval", "45m")),
        ("daily", ("preset", "@daily")),
        ("the scorer", None),
    ],
)
def test_natural_schedules(text: str, schedule: tuple[str, str] | None) -> None:
    assert natural_schedule(text) == schedule


def test_schedules_in_words() -> None:
    assert describe_schedule("cron", "30 8 * * 1-5") == "At 08:30 AM, Monday through Friday"
    assert describe_schedule("preset", "@daily") == "Every day at midnight"


@pytest.mark.parametrize(
    ("phrase", "ids"),
    [("the scorer", ["score"]), ("Score keywords", ["score"]), ("the billing step", ["billing_reply"]),
     ("genral queue", ["general_reply"]), ("the output", ["triaged"]), ("score", ["score"])],
)  # fmt: skip
def test_names_people_use(phrase: str, ids: list[str]) -> None:
    ref = resolve(example("ticket_triage"), phrase)
    assert ref.sure and ref.ids == ids


def test_fix_errors_renames_a_misspelt_parameter() -> None:
    spec = {
        "id": "w",
        "nodes": [
            {
                "id": "t",
                "type": "tool",
                "tool": "json_transform@1.0.0",
                "parameters": {"expresion": "a", "data": {}},
            }
        ],
    }
    ctx = make_ctx(spec)
    out = applied(respond("fix errors", ctx), ctx)
    assert out.node("t").parameters == {"expression": "a", "data": {}}


def test_the_offline_engine_reads_it_from_the_conversation() -> None:
    from airflow_canvas.copilot.engine import Copilot

    ctx = example("nightly_report")
    history = [
        {"role": "user", "content": "what does the cleanup step do?"},
        {"role": "assistant", "content": "**`cleanup`** (process node) transforms its inputs."},
    ]
    reply = Copilot(None, "no LLM connection").reply("make it time out after two minutes", ctx, history)
    out = applied(reply, ctx)
    assert out.node("cleanup").execution.timeout_seconds == 120


@pytest.mark.parametrize(
    ("name", "message", "node", "path", "value"),
    [
        (
            "ticket_triage",
            "the scorer keeps failing, retry it 5 times",
            "score",
            "execution.retry.retries",
            5,
        ),
        ("nightly_report", "render: retry 2x", "render", "execution.retry.retries", 2),
        ("nightly_report", "set timeout render 10m", "render", "execution.timeout_seconds", 600),
        ("research_assistant", "set the assistant temperature to 0.7", "assistant", "agent.temperature", 0.7),
        ("research_assistant", "swap the assistant's model to gpt-4o", "assistant", "agent.model", "gpt-4o"),
    ],
)
def test_more_ways_to_set(name: str, message: str, node: str, path: str, value: Any) -> None:
    ctx = example(name)
    got: Any = applied(respond(message, ctx), ctx).node(node)
    for key in path.split("."):
        got = getattr(got, key)
    assert got == value


def test_a_purpose_after_the_position_and_no_such_nodes() -> None:
    ctx = example("ticket_triage")
    out = applied(respond("put a model after ticket that detects the language", ctx), ctx)
    new = next(n for n in out.nodes if ctx.workflow.node(n.id) is None)
    assert new.type.value == "agent" and ("ticket", new.id) in {(e.source, e.target) for e in out.edges}
    reply = respond("remove all agents", ctx)  # ticket_triage has none
    assert reply.proposal is None and "names no node" in reply.plain_text()


def test_typos_only_in_the_command_word() -> None:
    ctx = example("research_assistant")
    out = applied(respond("remvoe the assistant", ctx), ctx)
    assert out.node("assistant") is None
    # "remote" is one letter from "remove", but not in the command word's place: a web request.
    out = applied(respond("add a step that calls the remote api after question", ctx), ctx)
    new = next(n for n in out.nodes if ctx.workflow.node(n.id) is None)
    assert new.tool is not None and new.tool.startswith("http_request@") and out.node("assistant")
    out = applied(respond("insert some code betwen question and assistant", ctx), ctx)
    assert ("question", "assistant") not in {(e.source, e.target) for e in out.edges}
