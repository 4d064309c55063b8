"""Publishing rules for tool versions.

A version can be published only when it has tests and they pass (each kind where it runs, see
tool_tests.py; a performance case over its time budget blocks only when marked ``required``), when
that exact version was never published before (published versions are immutable), and when its
version number bumps at least what its changes against the previous published version require
(see breaking_changes.py). Storage is the caller's business: this module only decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.breaking_changes import SchemaChange, required_bump, schema_changes
from airflow_canvas.tools.languages import language_problems
from airflow_canvas.tools.runner import RunLimits, RunResult
from airflow_canvas.tools.semver import Version, next_version, satisfies_bump
from airflow_canvas.tools.tool_tests import blocks_publish
from airflow_canvas.tools.tool_tests import run_tests as run_tests_by_kind


class PublishError(ValueError):
    """Publishing was refused; ``reasons`` says every reason at once."""

    def __init__(self, tool: Tool, reasons: list[str], tests: list[dict[str, Any]] | None = None):
        self.tool = tool
        self.reasons = reasons
        self.tests = tests or []
        super().__init__(f"Cannot publish {tool.ref}: " + "; ".join(reasons))


@dataclass
class PublishCheck:
    tool: Tool
    previous: Tool | None
    changes: list[SchemaChange] = field(default_factory=list)
    required_bump: str | None = None
    tests: list[dict[str, Any]] = field(default_factory=list)


def predecessor(tool: Tool, published: Iterable[Tool]) -> Tool | None:
    """The highest published version of the same tool below ``tool``'s version."""
    mine = Version.parse(tool.version)
    older = [t for t in published if t.name == tool.name and Version.parse(t.version) < mine]
    return max(older, key=lambda t: Version.parse(t.version), default=None)


def version_problems(tool: Tool, published: Iterable[Tool]) -> tuple[list[str], PublishCheck]:
    """Immutability and semver checks (cheap: no tests are run)."""
    published = [t for t in published if t.name == tool.name]
    reasons: list[str] = []
    if any(Version.parse(t.version) == Version.parse(tool.version) for t in published):
        reasons.append(f"version {tool.version} is already published and published versions are immutable")
    previous = predecessor(tool, published)
    check = PublishCheck(tool, previous)
    if previous is not None:
        check.changes = schema_changes(previous, tool)
        check.required_bump = required_bump(previous, tool)
        old, new = Version.parse(previous.version), Version.parse(tool.version)
        if check.required_bump and not satisfies_bump(old, new, check.required_bump):
            why = "; ".join(c.message for c in check.changes if c.bump == check.required_bump)
            reasons.append(
                f"changes since {previous.version} need a {check.required_bump} bump "
                f"(at least {next_version(old, check.required_bump)}): {why}"
            )
        newer = [t.version for t in published if Version.parse(t.version) > new]
        if newer and check.required_bump == "major" and new.major == old.major:
            reasons.append(f"a breaking change cannot be released below newer versions {newer}")
    return reasons, check


def check_publish(
    tool: Tool,
    published: Iterable[Tool],
    *,
    run_tests: Callable[[Tool], RunResult] | None = None,
    limits: RunLimits | None = None,
) -> PublishCheck:
    """Raise PublishError with every reason when ``tool`` may not be published."""
    reasons, check = version_problems(tool, published)
    reasons += [f"{p.message} ({p.code})" for p in language_problems(tool) if p.severity == "error"]
    if not tool.tests:
        reasons.append("it has no tests (add at least one test case)")
    elif not reasons:  # running tests is the expensive part: only when nothing else blocks
        result = (run_tests or (lambda t: run_tests_by_kind(t, limits)))(tool)
        if result.error is not None:
            reasons.append(f"its tests could not run: {result.error}")
        else:
            check.tests = result.tests or []
            # Every failed unit or integration case blocks; a performance case over its budget
            # only when it is marked required (the others are reported with the publish).
            for case in filter(blocks_publish, check.tests):
                reasons.append(f"test {case['name']!r} failed: {'; '.join(case.get('failures') or [])}")
    if reasons:
        raise PublishError(tool, reasons, check.tests)
    return check
