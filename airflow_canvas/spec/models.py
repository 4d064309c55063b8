"""Pydantic models of a workflow: the one format the canvas, the co-pilot, the store and the
compiler share. Structural rules that need the whole graph live in ``validate.py``."""

from __future__ import annotations

import keyword
import re
from enum import Enum
from typing import Any, Literal, TypeGuard

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SPEC_VERSION = 1

# Airflow's task-id alphabet (KEY_REGEX) minus the dot, which TaskGroup prefixes use.
ID_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$"
ID_RE = re.compile(ID_PATTERN)
MAX_ID_LENGTH = 200

# An operator argument {"$callable": "pkg.mod.func"} (how importers keep a dag-factory
# `python_callable: pkg.mod.func`): the compiler writes import_string("pkg.mod.func").
CALLABLE_KEY = "$callable"

# The one rule for user text that generated code writes as a name (an operator's keyword argument,
# a notifier's argument, an imported module or class, a `$callable` path): ASCII letters, digits
# and `_`, not starting with a digit, never a keyword. ASCII because Python NFKC-normalizes
# identifiers: a non-ASCII name could turn into another name than the one that was checked
# (`ｔａｓｋ_id` is read as `task_id`). `fullmatch`, because `$` also matches before a final newline.
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_identifier(text: object) -> TypeGuard[str]:
    """Whether ``text`` may be written into generated code as a Python name."""
    return (
        isinstance(text, str) and _IDENTIFIER_RE.fullmatch(text) is not None and not keyword.iskeyword(text)
    )


def is_dotted_path(text: object) -> TypeGuard[str]:
    """Whether ``text`` is an import path of at least two names (``module.Class``, ``pkg.mod.func``),
    each one an identifier by :func:`is_identifier`."""
    return isinstance(text, str) and "." in text and all(is_identifier(part) for part in text.split("."))


def is_operator_path(text: object) -> TypeGuard[str]:
    """An Airflow operator class path: ``airflow.<module...>.<Class>``, every part an identifier
    (the one rule validation, the catalogue and the compiler share)."""
    return is_dotted_path(text) and text.startswith("airflow.") and text.count(".") >= 2


def identifier_suggestion(text: str) -> str | None:
    """A close identifier for a "did you mean" hint (``bash-command`` -> ``bash_command``,
    ``class`` -> ``class_``), or None when the text is nothing like a name."""
    from difflib import SequenceMatcher

    guess = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    if guess[:1].isdigit():
        guess = "_" + guess
    if keyword.iskeyword(guess):
        guess += "_"
    if not is_identifier(guess) or SequenceMatcher(None, text, guess).ratio() < 0.8:
        return None
    return guess


class _Model(BaseModel):
    # Unknown keys are errors: a typo in a spec must not be silently ignored.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class NodeType(str, Enum):
    INPUT = "input"
    PROCESS = "process"
    OUTPUT = "output"
    TOOL = "tool"
    AGENT = "agent"


class EdgeKind(str, Enum):
    DATA_FLOW = "data_flow"  # order + the source's output feeds the target's inputs
    DEPENDENCY = "dependency"  # order only: the target runs after the source succeeded
    TRIGGER = "trigger"  # the target runs once the source finished, whatever its outcome


class OnError(str, Enum):
    FAIL = "fail"  # the task fails; downstream tasks are upstream_failed
    SKIP = "skip"  # the task is marked skipped; downstream tasks are skipped
    CONTINUE = "continue"  # the task fails, direct downstream tasks run anyway
    FALLBACK = "fallback"  # another node runs in its place and feeds its downstream


class GroupMode(str, Enum):
    SEQUENTIAL = "sequential"  # members run one after another, in the order they are listed
    PARALLEL = "parallel"  # members run as their edges allow


class RetryPolicy(_Model):
    retries: int = Field(0, ge=0, le=100)
    delay_seconds: float = Field(300.0, ge=0)
    exponential_backoff: bool = False
    max_delay_seconds: float | None = Field(None, ge=0)


NotifyEvent = Literal["failure", "retry", "success", "deadline_miss"]


def _on_failure() -> list[NotifyEvent]:
    return ["failure"]


class Notification(_Model):
    """An Airflow notifier attached to task/group/DAG callbacks (see issue: run-time policies)."""

    on: list[NotifyEvent] = Field(default_factory=_on_failure)
    notifier: str = Field(
        "smtp",
        description="'smtp', or the import path of an installed notifier class.",
    )
    connection_id: str | None = None
    to: list[str] = Field(default_factory=list)
    subject: str = ""
    message: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)
    # For on=["deadline_miss"] (workflow level only: Airflow 3 deadlines belong to a DAG run).
    deadline_seconds: float | None = Field(
        None, gt=0, description="Alert when a run is not finished this long after the reference time."
    )
    deadline_reference: Literal["queued_at", "logical_date"] = "queued_at"


class ExecutionPolicy(_Model):
    """How a node runs. Unset fields inherit from the workflow's ``defaults``."""

    timeout_seconds: float | None = Field(None, gt=0)
    retry: RetryPolicy | None = None
    on_error: OnError | None = None
    fallback_node: str | None = Field(None, description="Node id that runs when on_error=fallback.")
    pool: str | None = None
    pool_slots: int | None = Field(None, ge=1)
    queue: str | None = None
    priority_weight: int | None = None
    weight_rule: Literal["downstream", "upstream", "absolute"] | None = None
    max_active_tis_per_dag: int | None = Field(None, ge=1)
    executor: str | None = None
    map_over: str | None = Field(
        None, description="An input field holding a list: one task instance runs per item."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = None
    log_payloads: Literal["redacted", "sizes", "off"] | None = None


# ExecutionPolicy fields that are passed to the task as Airflow's own arguments of the same name.
AIRFLOW_TASK_KNOBS = (
    "pool",
    "pool_slots",
    "queue",
    "priority_weight",
    "weight_rule",
    "max_active_tis_per_dag",
    "executor",
)


class Position(_Model):
    x: float = 0.0
    y: float = 0.0


class Size(_Model):
    width: float = Field(gt=0)
    height: float = Field(gt=0)


class NodeUI(_Model):
    position: Position = Field(default_factory=Position)
    size: Size | None = None
    collapsed: bool = False
    color: str | None = None
    shape: Literal["rectangle", "rounded", "pill", "diamond", "circle"] | None = None


class ProcessConfig(_Model):
    """A process node transforms its inputs with a JMESPath expression or a Python snippet."""

    language: Literal["jmespath", "python"] = "jmespath"
    expression: str = Field(
        "@",
        description="JMESPath over the inputs, or Python code that sets `result` from `inputs`.",
    )


class AgentConfig(_Model):
    model: str | None = Field(None, description="Model name; defaults to the connection's model.")
    system_prompt: str = ""
    prompt: str = Field("", description="User message template; Jinja over `inputs` and `params`.")
    tools: list[str] = Field(default_factory=list, description="Tool references: name@version.")
    max_steps: int = Field(8, ge=1, le=100)
    connection_id: str = "openai_default"
    temperature: float | None = Field(None, ge=0, le=2)
    request_timeout_seconds: float = Field(60.0, gt=0)


class Node(_Model):
    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = ""
    type: NodeType
    description: str = Field("", description="Markdown; becomes the task's doc_md.")
    input_schema: dict[str, Any] = Field(default_factory=dict)
    output_schema: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    templates: dict[str, str] = Field(
        default_factory=dict, description="Jinja templates rendered by Airflow into `parameters`."
    )
    tool: str | None = Field(None, description="For tool nodes: name@version or a range (^1.2).")
    operator: str | None = Field(
        None, description="For tool nodes backed by an Airflow operator: its import path."
    )
    process: ProcessConfig | None = None
    agent: AgentConfig | None = None
    execution: ExecutionPolicy = Field(default_factory=ExecutionPolicy)
    notifications: list[Notification] = Field(default_factory=list)
    group: str | None = None
    ui: NodeUI = Field(default_factory=NodeUI)

    @property
    def label(self) -> str:
        return self.name or self.id


class FieldMapping(_Model):
    source: str = Field("", description="Dotted path in the source's output; '' = all of it.")
    target: str = Field(description="Field of the target's inputs that receives the value.")
    transform: str | None = Field(None, description="Optional JMESPath applied to the value.")


class Edge(_Model):
    id: str | None = Field(None, description="Defaults to 'source->target'.")
    source: str
    target: str
    kind: EdgeKind = EdgeKind.DATA_FLOW
    label: str = ""
    mapping: list[FieldMapping] = Field(default_factory=list)
    condition: str | None = Field(
        None, description="JMESPath over the source's output; the target runs only if truthy."
    )

    @property
    def key(self) -> str:
        return self.id or f"{self.source}->{self.target}"


class Group(_Model):
    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    label: str = ""
    parent: str | None = None
    mode: GroupMode = GroupMode.PARALLEL
    collapsed: bool = False
    description: str = ""
    notifications: list[Notification] = Field(default_factory=list)
    # Set when the group was inserted from the chain library (service/chains.py): the pinned
    # chain version it holds, so the canvas can offer updates. Only metadata: the group's nodes
    # and edges are in the spec like any others and compile as any TaskGroup.
    chain: str | None = Field(
        None,
        pattern=r"^[a-z][a-z0-9_]*@(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$",
        max_length=160,
        description="Pinned library chain this group was inserted from: name@version (e.g. clean_text@1.2.0).",
    )


class Schedule(_Model):
    kind: Literal["cron", "preset", "interval"]
    value: str = Field(
        description="A cron expression, a preset such as @daily, or an interval like '30m', "
        "'6h', '1d' or an ISO 8601 duration."
    )


class AssetTrigger(_Model):
    uris: list[str] = Field(min_length=1)
    mode: Literal["and", "or"] = "and"
    # Nested conditions, e.g. (a & b) | c, as imported from dag-factory; when set, replaces `mode`.
    condition: dict[str, list[Any]] | None = Field(
        None,
        description="Nested and/or over the uris: {'and'|'or': [uri or condition, ...]}; overrides mode.",
    )


class Triggers(_Model):
    schedule: Schedule | None = None
    assets: AssetTrigger | None = None
    # Manual runs are always possible: Airflow allows triggering any DAG.


class Settings(_Model):
    owner: str = "airflow"
    start_date: str = Field("2024-01-01", description="ISO date; the DAG's start_date.")
    catchup: bool = False
    max_active_runs: int | None = Field(None, ge=1)
    max_active_tasks: int | None = Field(None, ge=1)
    dagrun_timeout_seconds: float | None = Field(None, gt=0)
    cost_budget_usd: float | None = Field(
        None,
        gt=0,
        description="Alert through the workflow's notifications when a run's recorded cost exceeds this.",
    )

    @field_validator("start_date")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        from datetime import date

        date.fromisoformat(value[:10])
        return value


TOOL_LANGUAGES = ("python", "sql", "shell")
SQL_CONN_ID = "conn_id"  # the argument naming a SQL tool's connection; never bound into the query
TEST_KINDS = ("unit", "integration", "performance")
# A fixture file's name: a relative path of plain parts (no "." or ".." part, not absolute).
_FIXTURE_PATH_RE = re.compile(r"(?!\.\.?(/|$))[A-Za-z0-9_.\-]+(/(?!\.\.?(/|$))[A-Za-z0-9_.\-]+)*")


class ToolTest(_Model):
    """One test case of a tool (tools/runner.py runs them; tools/tool_tests.py routes each kind)."""

    name: str = ""
    kind: Literal["unit", "integration", "performance"] = Field(
        "unit",
        description="unit: input -> expected/assertions, offline in the sandbox. integration: the same "
        "against declared `fixtures`/`files` and, for SQL tools, an optional `connection`; runs with the "
        "network only when the tool declares `network`. performance: fails when the run exceeds "
        "`time_budget_ms` (blocks publishing only when `required`).",
    )
    input: dict[str, Any] = Field(default_factory=dict)
    expected: Any = None
    assertions: list[str] = Field(
        default_factory=list, description="Python expressions over `output` that must be true."
    )
    fixtures: list[str] = Field(
        default_factory=list,
        description="SQL tools: setup statements run before the query (CREATE TABLE, INSERT ...). In the "
        "sandbox they build a fresh in-memory SQLite database; against a `connection` they run in the "
        "test's transaction, which is always rolled back.",
    )
    files: dict[str, str] = Field(
        default_factory=dict,
        description="Python and shell tools: text files (relative path -> content) written into the "
        "test's working directory in the sandbox before the run.",
    )
    connection: str | None = Field(
        None,
        max_length=250,
        description="Integration tests of SQL tools: an Airflow connection id to run against instead of "
        "the in-memory SQLite database (on the API server, only for users who may read that connection; "
        "the transaction is rolled back).",
    )
    time_budget_ms: int | None = Field(
        None, gt=0, description="Performance tests: the case fails when one run takes longer (ms)."
    )
    required: bool = Field(
        False, description="Performance tests: a failure blocks publishing (otherwise it is only reported)."
    )

    @field_validator("files")
    @classmethod
    def _relative_files(cls, files: dict[str, str]) -> dict[str, str]:
        for path in files:
            if len(path) > 200 or not _FIXTURE_PATH_RE.fullmatch(path):
                raise ValueError(
                    f"fixture file {path!r} must be a relative path of letters, digits, '_', '-', '.' "
                    "and '/' (no '.' or '..' part, not absolute)"
                )
        return files


class Tool(_Model):
    """A versioned code unit. Workflows may carry their own tools inline (portable in git)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=100)
    # Canonical semver (ASCII digits, no leading zeros): "01.0.0" or "１.0.0" would be another
    # string, so another store row, for the same Version as "1.0.0" and could stand in for it.
    version: str = Field(pattern=r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$", max_length=50)
    description: str = ""
    language: Literal["python", "sql", "shell"] = Field(
        "python",
        description="python: `code` defines `entry_point(**arguments)`. sql: `code` is one query with named "
        "bind parameters (`:customer_id`), bound from the arguments (never formatted into the SQL), run "
        "through the hook of the `conn_id` argument's connection; returns the rows as a list of objects. "
        "shell: `code` is a bash script; the arguments arrive as environment variables INPUT_<NAME> and as "
        "JSON on stdin (never in the command text); stdout is the output (parsed as JSON when it is JSON).",
    )
    code: str = ""
    entry_point: str = Field("run", description="Python tools only: the function `code` defines.")
    connection_type: str | None = Field(
        None,
        max_length=100,
        description="SQL tools: the Airflow connection type the query is written for (sqlite, postgres, "
        "...). The tool's input schema gets a `conn_id` property that accepts connections of this type.",
    )
    dependencies: list[str] = Field(default_factory=list)
    network: bool = Field(
        False, description="The tool needs the network; without it, sandboxed runs have no network at all."
    )
    input_schema: dict[str, Any] = Field(default_factory=dict)
    output_schema: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    tests: list[ToolTest] = Field(default_factory=list)
    changelog: str = Field(
        "", max_length=10_000, description="What this version changes; set when it is published."
    )

    @model_validator(mode="after")
    def _sql_conn_id(self) -> Tool:
        # A SQL tool reads its connection from the `conn_id` argument. Declaring it in the input
        # schema (with the connection-type keyword validation/resources.py reads) lets every reader
        # of the schema see it: forms and the connection picker, design-time checks, the run-time
        # input check. A `conn_id` the author declared is kept as written.
        if self.language != "sql" or not self.connection_type:
            return self
        schema = self.input_schema
        properties = schema.get("properties")
        if schema.get("type", "object") != "object" or not isinstance(properties, dict | None):
            return self  # not an object schema: E_TOOL_SQL_SCHEMA says so
        if properties and SQL_CONN_ID in properties:
            return self
        conn_id = {
            "type": "string",
            "description": f"Airflow connection id ({self.connection_type}) the query runs on.",
            "x-airflow-connection": [self.connection_type],
        }
        self.input_schema = {
            "type": "object",
            **schema,
            "properties": {**(properties or {}), SQL_CONN_ID: conn_id},
        }
        return self

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


class Workflow(_Model):
    spec_version: int = SPEC_VERSION
    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH, description="Becomes the dag_id.")
    name: str = ""
    description: str = ""
    version: int | None = Field(None, description="Set by the store; named in the DAG header.")
    tags: list[str] = Field(default_factory=list)
    triggers: Triggers = Field(default_factory=Triggers)
    settings: Settings = Field(default_factory=Settings)
    defaults: ExecutionPolicy = Field(default_factory=ExecutionPolicy)
    notifications: list[Notification] = Field(default_factory=list)
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    tools: list[Tool] = Field(default_factory=list)
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra DAG Params (name -> default value) besides the fields input nodes declare.",
    )

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)


def effective_policy(wf: Workflow, node: Node) -> ExecutionPolicy:
    """Node execution settings over the workflow's defaults (only fields the node sets win)."""
    own = node.execution.model_fields_set
    if not own:
        return wf.defaults
    # Both sides are already validated: copying the set fields over needs no re-validation.
    merged = wf.defaults.model_copy(update={name: getattr(node.execution, name) for name in own})
    merged.__pydantic_fields_set__ = wf.defaults.model_fields_set | own
    return merged
