"""What the co-pilot knows on each turn: the workflow as on screen (saved + unsaved edits), the
selection, the last undo steps, the validation problems and the latest run's failures with log
tails. Everything that leaves this module for a prompt has passed through ``strip_secrets``."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from airflow_canvas.copilot.patch import validation_problems
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem
from airflow_canvas.validation import Resources

MAX_LOG_TAIL_LINES = 40
MAX_RECENT_ACTIONS = 10
REDACTED = "***"

# Key names whose values are credentials wherever they appear (parameters, extras, tool inputs).
_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|apikey|auth(orization)?|credential|private[_-]?key|cookie)",
    re.IGNORECASE,
)
# Values that look like credentials even under innocent keys or inside log lines.
_SECRET_VALUE = [
    (re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_\-]{12,}"), REDACTED),  # OpenAI-style keys
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}"), r"\1 " + REDACTED),
    (re.compile(r"(?i)\b(xox[abpr]-[A-Za-z0-9\-]{8,})"), REDACTED),  # Slack tokens
    (re.compile(r"(?i)(\w+://[^:/\s@]+:)[^@\s]+@"), r"\1" + REDACTED + "@"),  # user:password@ in URIs
    (re.compile(r"(?i)\b((?:pass(?:word)?|secret|token|api[_-]?key)\s*[=:]\s*)\S+"), r"\1" + REDACTED),
]


# Cheap pre-check: the substitutions only run on strings that could hold one of the patterns.
_SUSPECT = re.compile(r"(?i)(sk-|pk-|rk-|bearer|basic|xox|://|pass|secret|token|api)")


@functools.lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def redact_text(text: str) -> str:
    if not _SUSPECT.search(text):
        return text
    for pattern, replacement in _SECRET_VALUE:
        text = pattern.sub(replacement, text)
    return text


def strip_secrets(value: Any) -> Any:
    """A copy of ``value`` with credential-like keys' values and credential-looking strings masked."""
    if isinstance(value, dict):
        # Under a credential-like key, strings and whole objects go; numbers and flags stay
        # ("token_count": 3 and "use_token": true say nothing secret).
        return {
            k: (
                REDACTED
                if isinstance(k, str)
                and _secret_key(k)
                and v not in (None, "", {}, [])
                and isinstance(v, str | dict | list)
                else strip_secrets(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [strip_secrets(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


class RecentAction(BaseModel):
    """One undo-stack step as the canvas labels it, e.g. 'Moved node fetch'."""

    label: str
    node_ids: list[str] = Field(default_factory=list)


class NodeRun(BaseModel):
    state: str | None = None
    try_number: int | None = None
    error: str | None = None
    log_tail: str | None = None
    inputs: Any = None
    output: Any = None
    duration: float | None = None


class RunInfo(BaseModel):
    """The latest run as the API reports it (GET /workflows/{id}/runs/{run_id}) plus, for failed
    nodes, the error message and the tail of the log."""

    run_id: str
    state: str | None = None
    nodes: dict[str, NodeRun] = Field(default_factory=dict)

    def failed(self) -> dict[str, NodeRun]:
        return {k: v for k, v in self.nodes.items() if v.state in ("failed", "upstream_failed")}


class ChatContext(BaseModel):
    """What the client sends with each message (the request body's ``context``)."""

    workflow: dict[str, Any] = Field(description="The workflow as on screen, including unsaved edits.")
    selection: list[str] = Field(default_factory=list)
    recent_actions: list[RecentAction] = Field(default_factory=list)
    run: RunInfo | None = None


@dataclass(frozen=True)
class Access:
    """What the user may see besides the workflow, decided by the plugin with Airflow's auth manager
    (the checks its own routes make): published tools (read on Canvas Tools), the operator and
    notifier catalogues (read on Canvas Workflows), the Airflow connections and pools Airflow lets
    them read, and whether they may save code-bearing changes (edit on Canvas Code). The default
    grants nothing: a context built without the plugin shows the model only the workflow."""

    tools: bool = False
    catalogue: bool = False
    connection_ids: frozenset[str] = frozenset()
    pools: bool = False
    code: bool = False


# Workflow-level fields the prompt shows in full (with their defaults), apart from the node graph.
WORKFLOW_LEVEL = ("triggers", "settings", "defaults", "notifications")


class CopilotContext:
    """The parsed, secret-free context of one turn, with the validation problems computed here
    (the client's idea of the errors is not trusted)."""

    def __init__(
        self,
        workflow: Workflow,
        selection: list[str] | None = None,
        recent_actions: list[RecentAction] | None = None,
        run: RunInfo | None = None,
        problems: list[Problem] | None = None,
        access: Access | None = None,
        resources: Resources | None = None,
    ):
        self.workflow = workflow
        self.access = access or Access()
        known = {n.id for n in workflow.nodes} | {g.id for g in workflow.groups}
        self.selection = [s for s in (selection or []) if s in known]
        self.recent_actions = list(recent_actions or [])[-MAX_RECENT_ACTIONS:]
        self.run = clean_run(run) if run else None
        self.problems = problems if problems is not None else validation_problems(workflow, resources)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def prompt_payload(self, available: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON the LLM sees. Layout is dropped: it costs tokens and says nothing to a model.
        The workflow-level fields are given whole, defaults included, under ``workflow_level``:
        the model must see what ``set_trigger`` replaces and what a node inherits. ``available``
        is what it may use (``llm_world.World.payload``)."""
        wf = self.workflow
        spec = wf.model_dump(mode="json", exclude_defaults=True) | {"id": wf.id}
        for node in spec.get("nodes", []):
            node.pop("ui", None)
        for key in WORKFLOW_LEVEL:
            spec.pop(key, None)
        level = {
            "triggers": wf.triggers.model_dump(mode="json", exclude_none=True)
            or "none: the workflow runs only when triggered by hand",
            "settings": wf.settings.model_dump(mode="json"),
            "defaults": wf.defaults.model_dump(mode="json", exclude_none=True),
            "notifications": [n.model_dump(mode="json", exclude_defaults=True) for n in wf.notifications],
        }
        payload: dict[str, Any] = strip_secrets(
            {
                "workflow": spec,
                "workflow_level": level,
                "selection": self.selection,
                "recent_actions": [a.model_dump() for a in self.recent_actions],
                "problems": [p.to_dict() for p in self.problems],
                "latest_run": _run_payload(self.run) if self.run else None,
            }
        )
        if available is not None:
            # Built from schemas, ids and types (never values): not passed through strip_secrets,
            # which would mask a tool's "api_key" field's type and say nothing more.
            payload["available"] = available
        return payload

    def prompt_text(self, available: dict[str, Any] | None = None) -> str:
        return json.dumps(self.prompt_payload(available), separators=(",", ":"), default=str)


def _tail(text: str | None) -> str | None:
    if not text:
        return text
    return "\n".join(text.splitlines()[-MAX_LOG_TAIL_LINES:])


def clean_run(run: RunInfo) -> RunInfo:
    # Stripped here, not only in prompts: run data is also shown in replies and stored in history.
    nodes = {
        k: v.model_copy(
            update={
                "log_tail": strip_secrets(_tail(v.log_tail)),
                "error": strip_secrets(v.error),
                "inputs": strip_secrets(v.inputs),
                "output": strip_secrets(v.output),
            }
        )
        for k, v in run.nodes.items()
    }
    return run.model_copy(update={"nodes": nodes})


def _run_payload(run: RunInfo) -> dict[str, Any]:
    # Only failures carry logs and data: successful nodes are listed by state to keep prompts small.
    return {
        "run_id": run.run_id,
        "state": run.state,
        "node_states": {k: v.state for k, v in run.nodes.items()},
        "failures": {k: v.model_dump(exclude_none=True) for k, v in run.failed().items()},
    }


def build_context(chat: ChatContext, resources: Resources | None = None) -> CopilotContext:
    """Parse the client's context; raises SpecError when the on-screen workflow is not a spec.
    ``resources``: what of Airflow the user may read, for the design-time warnings (W_CONNECTION_*,
    pools, Variables) that /validate gives them too."""
    from airflow_canvas.spec.load import parse_workflow

    return CopilotContext(
        parse_workflow(chat.workflow), chat.selection, chat.recent_actions, chat.run, resources=resources
    )
