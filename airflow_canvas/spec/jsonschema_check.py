"""Check a value against a JSON Schema and describe each violation in one line.

The one implementation behind a node's input/output check at run time (operators/base.py), a
template's parameters (templates/), an agent's tool-call arguments and structured output
(tools/agent_loop.py), single-node tests (tools/node_test.py) and operator-catalogue parameters
(catalogue/nodes.py). jsonschema loads on first use: operators call this from ``execute()``, and the
DAG processor must not pay for it when it imports a generated file.

Two copies stay outside on purpose: the sandbox child (tools/sandbox_child.py) and the eject
runtime (exporters/eject_runtime.py) run where airflow_canvas must not be imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One way a value fails a schema: where (keys and list indexes from the root) and why."""

    path: tuple[str | int, ...]
    message: str

    def describe(self, sep: str = "/", root: str = "(root)") -> str:
        """``a/0/b: message``; ``root`` stands for an empty path."""
        return f"{sep.join(str(p) for p in self.path) or root}: {self.message}"


def violations(value: Any, schema: Mapping[str, Any] | None) -> list[Violation]:
    """Every violation of ``schema`` by ``value``, ordered by path; none when there is no schema.

    The schema's ``$schema`` picks the draft (2020-12 when it names none).
    """
    if not schema:
        return []
    from jsonschema.validators import validator_for

    validator = validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    return [Violation(tuple(e.absolute_path), e.message) for e in errors]


def schema_errors(
    value: Any,
    schema: Mapping[str, Any] | None,
    *,
    limit: int | None = None,
    sep: str = "/",
    root: str = "(root)",
) -> list[str]:
    """The first ``limit`` violations (all when None), each as ``path: message``."""
    return [v.describe(sep, root) for v in violations(value, schema)[:limit]]
