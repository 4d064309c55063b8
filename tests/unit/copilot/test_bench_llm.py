"""benchmarks/copilot_llm.py's LLM mode against the scripted OpenAI-compatible server: the real
client and engine, a "model" that proposes a wrong patch for one request and repairs it after the
server's problems, and the counts the benchmark reports; and the prompt size it prints."""

from __future__ import annotations

from typing import Any

from benchmarks import copilot_llm
from tests.fakes.openai_server import RecordedRequest, ScriptedOpenAIServer, ScriptedReply, ToolCall

RETRY = {"op": "update_node", "node_id": "score", "changes": {"execution": {"retry": {"retries": 3}}}}
BROKEN = {"op": "update_node", "node_id": "no_such_node", "changes": {"execution": {"retry": {"retries": 2}}}}
FIXED = {"op": "update_node", "node_id": "billing_reply", "changes": {"execution": {"retry": {"retries": 2}}}}
CASES: list[dict[str, Any]] = [
    {"on": "ticket_triage", "say": "make the scorer try again up to 3 times",
     "expect": {"set": {"score": {"execution.retry.retries": 3}}}},
    {"on": "ticket_triage", "say": "billing should retry twice",
     "expect": {"set": {"billing_reply": {"execution.retry.retries": 2}}}},
    {"on": "ticket_triage", "say": "what does this do?", "expect": {"intent": "explain_workflow"}},
    {"on": "ticket_triage", "say": "remove everything", "expect": {"removed": ["score"]}},
]  # fmt: skip


def model(request: RecordedRequest) -> ScriptedReply:
    """A deterministic stand-in for a model: answers by the request's state."""
    last = request.messages[-1]
    if last["role"] == "tool":
        if '"ok": false' in last["content"]:
            return ScriptedReply(tool_calls=[ToolCall("propose_patch", {"summary": "fixed", "ops": [FIXED]})])
        return ScriptedReply(content="Done.")
    said = last["content"]
    if "scorer" in said:
        return ScriptedReply(tool_calls=[ToolCall("propose_patch", {"summary": "retry", "ops": [RETRY]})])
    if "billing" in said:
        return ScriptedReply(tool_calls=[ToolCall("propose_patch", {"summary": "oops", "ops": [BROKEN]})])
    return ScriptedReply(content="I would rather not.")


def test_llm_mode_counts_first_round_and_repaired_proposals(openai_server: ScriptedOpenAIServer) -> None:
    openai_server.always(model)
    settings = copilot_llm.LLMSettings(
        base_url=openai_server.url + "/v1", api_key="k", model="gpt-test", timeout=5.0, max_retries=0
    )
    acc = copilot_llm.evaluate(settings, cases=CASES)
    assert acc.cases == 3  # the intent case is not an editing request
    assert (acc.first_round, acc.after_repairs) == (1, 2)
    assert any("remove everything" in f and "no proposal" in f for f in acc.failures)
    if acc.checked:  # offline-nlu's effect checker is present
        assert acc.correct == 2
    shares = acc.shares()
    assert round(shares["first_round"], 3) == round(1 / 3, 3) and round(shares["after_repairs"], 3) == round(
        2 / 3, 3
    )
    first = openai_server.chat_requests()[0]
    assert first.body["model"] == "gpt-test" and "available" in first.messages[-2]["content"]


def test_prompt_size_is_reported() -> None:
    from airflow_canvas.spec import parse_workflow
    from benchmarks.copilot import workflow_spec

    size = copilot_llm.prompt_size(parse_workflow(workflow_spec(200)))
    assert size["total_chars"] == (
        size["system_chars"]
        + size["context_chars"]
        + size["functions_chars"]
        + len("add a summary step after the fetch")
    )
    assert size["functions_chars"] < size["functions_untrimmed_chars"]
    assert size["total_tokens_estimate"] == size["total_chars"] // copilot_llm.CHARS_PER_TOKEN
