"""Tools: versions, tests, publishing, diffs, compatibility, and the single-node test."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from airflow_canvas.plugin.api_models.common import ApiModel
from airflow_canvas.spec.problems import Problem
from airflow_canvas.spec.wire import ToolJson
from airflow_canvas.tools.breaking_changes import SchemaChange


class ToolSummary(ApiModel):
    name: str
    latest: str
    versions: int
    builtin: bool
    deprecated: bool
    description: str


class ToolPage(ApiModel):
    items: list[ToolSummary]
    total: int


class ToolVersion(ApiModel):
    name: str
    version: str
    published: bool
    deprecated: bool
    created_by: str
    created_at: str | None
    builtin: bool
    changelog: str = Field("", description="What this version changes (written when it was published).")


class ToolVersionPage(ApiModel):
    items: list[ToolVersion]
    total: int


class ToolVersionWithSpec(ToolVersion):
    spec: ToolJson


class RunError(ApiModel):
    kind: str
    message: str
    tool: str | None = None
    traceback: str | None = None


class TestCaseError(ApiModel):
    type: str = Field(description="The exception's class, or ConnectionRefused when a case was not run.")
    message: str
    traceback: str = ""


class ToolTestCaseResult(ApiModel):
    """One test case's result (tools/tool_tests.py)."""

    index: int = Field(description="The case's position in the tool's tests.")
    name: str
    kind: Literal["unit", "integration", "performance"]
    passed: bool
    failures: list[str] = Field(description="Why the case failed (empty when it passed).")
    output: Any
    actual: Any = Field(description="What the tool returned (null when it raised).")
    error: TestCaseError | None
    duration: float = Field(description="Seconds for the whole case, checks included.")
    duration_ms: float = Field(description="Milliseconds the tool's run took (what a time budget measures).")
    time_budget_ms: int | None
    required: bool = Field(description="Performance cases: whether a failure blocks publishing.")
    connection: str | None = Field(None, description="The connection an integration case ran on (SQL tools).")


class ToolTestRun(ApiModel):
    ok: bool
    output: Any
    tests: list[ToolTestCaseResult] | None = Field(description="Each test case's result.")
    error: RunError | None
    stdout: str
    stderr: str
    logs: list[dict[str, Any]]
    duration: float
    venv: str | None
    passed: bool = Field(description="The run worked and every test case passed.")


class Published(ToolVersion):
    previous: str | None
    required_bump: str | None
    changes: list[SchemaChange]
    tests: list[ToolTestCaseResult]


class ToolDiff(ApiModel):
    model_config = ApiModel.model_config | {"populate_by_name": True}

    name: str
    from_: str = Field(alias="from")
    to: str
    required_bump: str | None
    changes: list[SchemaChange]


class Compatibility(ApiModel):
    compatible: bool
    problems: list[Problem]


class SchemaCheck(ApiModel):
    """Schema problems (``path: message``) of the node's input and output; for a tool node also of
    the arguments its tool gets and of what the tool returned (null for other nodes)."""

    input: list[str]
    output: list[str]
    tool_input: list[str] | None = None
    tool_output: list[str] | None = None


class NodeTestResult(ApiModel):
    node_id: str
    type: Literal["input", "process", "output", "tool", "agent"]
    ok: bool
    output: Any
    error: RunError | None
    logs: list[dict[str, Any]]
    stdout: str
    stderr: str
    duration: float
    input_generated: bool
    validation: SchemaCheck
    debug: dict[str, Any] | None = Field(None, description="With debug: inputs, parameters, agent steps.")
