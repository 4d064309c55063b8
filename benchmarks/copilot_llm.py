"""The LLM co-pilot's side of the co-pilot benchmark.

1. Prompt size at N nodes (always): what one turn sends before the model says anything - the
   system prompt, the context (workflow, workflow-level fields, what the user may use) and the
   function schemas - in characters and an estimated token count (characters / 4: no tokenizer is
   installed and none is downloaded; the estimate is stated as such). Printed beside the baseline
   of the same run: the untrimmed function schemas (the whole patch model, as sent before issue 14).
2. Proposal acceptance (only when an OpenAI-compatible endpoint is configured): over the editing
   requests of the evaluation set (benchmarks/copilot_eval.yaml: the cases that expect a change),
   the share of turns whose first proposal validated at once, the share that ended with a valid
   proposal after repairs, and - when benchmarks/copilot_eval.py can check effects - the share
   whose proposal had the expected effect.

       CANVAS_BENCH_OPENAI_BASE_URL=http://localhost:11434/v1 CANVAS_BENCH_OPENAI_MODEL=qwen2.5 \\
       CANVAS_BENCH_OPENAI_API_KEY=... CANVAS_BENCH_LLM_CASES=40 .venv/bin/python benchmarks/copilot_llm.py

``benchmarks/copilot.py`` calls ``report`` with its 200-node workflow.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from airflow_canvas.copilot.context import Access, CopilotContext  # noqa: E402
from airflow_canvas.copilot.llm import LLMEngine, LLMSettings  # noqa: E402
from airflow_canvas.copilot.llm_functions import function_schemas, untrimmed_size  # noqa: E402
from airflow_canvas.copilot.llm_prompt import build_messages  # noqa: E402
from airflow_canvas.copilot.llm_world import Sources, load_world  # noqa: E402
from airflow_canvas.copilot.responses import Reply  # noqa: E402
from airflow_canvas.spec import Workflow  # noqa: E402

ENV_BASE_URL = "CANVAS_BENCH_OPENAI_BASE_URL"
ENV_MODEL = "CANVAS_BENCH_OPENAI_MODEL"
ENV_API_KEY = "CANVAS_BENCH_OPENAI_API_KEY"
ENV_CASES = "CANVAS_BENCH_LLM_CASES"
CHARS_PER_TOKEN = 4  # a rough average for English and JSON with GPT-style tokenizers

# A user who may use everything, with a world of typical size read from no database.
BENCH_ACCESS = Access(
    tools=True,
    catalogue=True,
    connection_ids=frozenset({"http_default", "smtp_default", "openai_default", "warehouse"}),
    pools=True,
    code=True,
)


def bench_sources() -> Sources:
    types = {
        "http_default": "http",
        "smtp_default": "smtp",
        "openai_default": "openai",
        "warehouse": "postgres",
    }
    return Sources(
        published_tools=lambda: [],
        connections=lambda ids: sorted((i, types[i]) for i in ids),
        pools=lambda: [("default_pool", 128)],
        notifiers=lambda: [
            {"key": "smtp", "label": "Email (SMTP)", "class_path": "", "description": "", "roles": {},
             "template_fields": [], "parameters_schema": {}},
        ],
    )  # fmt: skip


def prompt_size(wf: Workflow) -> dict[str, int]:
    """Characters of each part of the first request of a turn on ``wf``."""
    ctx = CopilotContext(wf, access=BENCH_ACCESS)
    world = load_world(wf, BENCH_ACCESS, bench_sources())
    messages = build_messages("add a summary step after the fetch", ctx, [], world.payload())
    system = len(messages[0]["content"])
    context = len(messages[-2]["content"])
    functions = len(json.dumps(list(function_schemas())))
    total = system + context + functions + len(messages[-1]["content"])
    return {
        "system_chars": system,
        "context_chars": context,
        "functions_chars": functions,
        "functions_untrimmed_chars": untrimmed_size(),
        "total_chars": total,
        "total_tokens_estimate": total // CHARS_PER_TOKEN,
    }


@dataclass
class Acceptance:
    cases: int = 0
    first_round: int = 0  # the first proposal validated without a repair
    after_repairs: int = 0  # the turn ended with a valid proposal
    correct: int = 0  # ... with the expected effect (when effects can be checked)
    checked: bool = False
    failures: list[str] = field(default_factory=list)

    def shares(self) -> dict[str, float]:
        n = max(self.cases, 1)
        out = {"first_round": self.first_round / n, "after_repairs": self.after_repairs / n}
        if self.checked:
            out["expected_effect"] = self.correct / n
        return out


def _editing(case: dict[str, Any]) -> bool:
    expect = case.get("expect", {})
    return "intent" not in expect and not expect.get("ask")


def _eval_module() -> Any:
    try:
        from benchmarks import copilot_eval  # offline-nlu's effect checker
    except ImportError:
        return None
    return copilot_eval


EVAL_SET = ROOT / "benchmarks" / "copilot_eval.yaml"


def eval_cases() -> list[dict[str, Any]]:
    import yaml

    # YAML 1.1 reads the key `on` as the boolean true: give it its name back.
    return [
        {("on" if k is True else k): v for k, v in c.items()} for c in yaml.safe_load(EVAL_SET.read_text())
    ]


def example_workflow(name: str) -> Workflow:
    from airflow_canvas.spec import parse_workflow

    return parse_workflow(json.loads((ROOT / "examples" / f"{name}.json").read_text()))


def evaluate(
    settings: LLMSettings, limit: int | None = None, cases: list[dict[str, Any]] | None = None
) -> Acceptance:
    """Run the model on each editing case; count how its proposals fared."""
    evals = _eval_module()
    chosen = [c for c in (cases if cases is not None else eval_cases()) if _editing(c)][:limit]
    result = Acceptance(checked=evals is not None and hasattr(evals, "check"))
    engine = LLMEngine(settings, sources=bench_sources())
    for case in chosen:
        before = example_workflow(case["on"])
        ctx = CopilotContext(before, selection=case.get("select"), access=BENCH_ACCESS)
        events = list(engine.turn(case["say"], ctx, []))
        reply = Reply.model_validate(events[-1]["reply"])
        repaired = any(e["type"] == "status" and "Repairing" in e.get("message", "") for e in events)
        result.cases += 1
        if reply.proposal is None:
            result.failures.append(
                f"{case['on']}: {case['say']!r}: no proposal ({reply.error or 'text only'})"
            )
            continue
        result.after_repairs += 1
        result.first_round += not repaired
        if result.checked:
            why = _check(evals, case, reply, before)
            result.correct += not why
            if why:
                result.failures.append(f"{case['on']}: {case['say']!r}: {why}")
    return result


def _check(evals: Any, case: dict[str, Any], reply: Reply, before: Workflow) -> str:
    try:
        return str(evals.check(case, reply, "", {}, before))
    except Exception as exc:  # a proposal that does not apply is a failure, not a crash
        return f"{type(exc).__name__}: {exc}"


def settings_from_env() -> LLMSettings | None:
    base_url = os.environ.get(ENV_BASE_URL)
    if not base_url:
        return None
    return LLMSettings(
        base_url=base_url,
        api_key=os.environ.get(ENV_API_KEY) or "none",
        model=os.environ.get(ENV_MODEL) or "gpt-4o-mini",
        timeout=120.0,
        max_retries=1,
    )


def report(wf: Workflow, nodes: int, show_failures: bool = False) -> dict[str, Any]:
    """Print the prompt's size at ``nodes`` and, with an endpoint configured, the acceptance."""
    size = prompt_size(wf)
    print(
        f"\nLLM prompt at {nodes} nodes: {size['total_chars']:,} chars ~ {size['total_tokens_estimate']:,} tokens "
        f"(chars/{CHARS_PER_TOKEN}) = system {size['system_chars']:,} + context {size['context_chars']:,} "
        f"+ functions {size['functions_chars']:,}\n"
        f"function schemas: {size['functions_chars']:,} chars vs baseline (untrimmed patch model) "
        f"{size['functions_untrimmed_chars']:,} = {size['functions_chars'] / size['functions_untrimmed_chars']:.2f}x"
    )
    out: dict[str, Any] = {"prompt": size}
    settings = settings_from_env()
    if settings is None:
        print(f"LLM proposal acceptance: skipped (set {ENV_BASE_URL}, {ENV_MODEL}, {ENV_API_KEY})")
        return out
    limit = int(os.environ[ENV_CASES]) if os.environ.get(ENV_CASES) else None
    acc = evaluate(settings, limit)
    shares = acc.shares()
    print(
        f"LLM proposal acceptance ({settings.model}, {acc.cases} editing requests): first round "
        f"{shares['first_round']:.1%}, after repairs {shares['after_repairs']:.1%}"
        + (f", expected effect {shares['expected_effect']:.1%}" if "expected_effect" in shares else "")
    )
    out["acceptance"] = {"model": settings.model, "cases": acc.cases, **shares}
    for line in acc.failures if show_failures else []:
        print(f"  FAIL {line}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--failures", action="store_true", help="list the requests that failed")
    args = parser.parse_args()
    from airflow_canvas.spec import parse_workflow
    from benchmarks.copilot import workflow_spec

    report(parse_workflow(workflow_spec(args.nodes)), args.nodes, args.failures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
