"""What an import returns: the workflow plus a report of every item that did not map cleanly."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from airflow_canvas.spec.models import ID_RE, MAX_ID_LENGTH, Workflow

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class ImportItem:
    path: str  # where in the source file, e.g. "my_dag/tasks/task_2/python_callable"
    message: str
    severity: Severity = "warning"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    source: str  # file name or "<text>"
    format: str  # "dag-factory" | "elyra"
    items: list[ImportItem] = field(default_factory=list)

    def add(self, path: str, message: str, severity: Severity = "warning") -> None:
        self.items.append(ImportItem(path, message, severity))

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "items": [i.to_dict() for i in self.items]}


@dataclass
class ImportResult:
    workflow: Workflow
    report: ImportReport

    def to_dict(self) -> dict[str, Any]:
        from airflow_canvas.spec.load import dump_workflow

        return {"workflow": dump_workflow(self.workflow), "report": self.report.to_dict()}


class ImportError_(ValueError):  # noqa: N801 - ImportError is a builtin we must not shadow
    """The file cannot be imported at all (not parseable, not a known format)."""

    def __init__(self, source: str, message: str):
        self.source = source
        super().__init__(f"{source}: {message}")


def safe_id(text: str, taken: set[str] | None = None, fallback: str = "node") -> str:
    """A spec id (letters, digits, _ and -) from any text, unique among ``taken``."""
    base = re.sub(r"[^A-Za-z0-9_\-]+", "_", text.strip()).strip("_-")[:MAX_ID_LENGTH] or fallback
    if not ID_RE.match(base):
        base = f"{fallback}_{base}"
    candidate, n = base, 2
    while taken is not None and candidate in taken:
        candidate = f"{base[: MAX_ID_LENGTH - 4]}_{n}"
        n += 1
    if taken is not None:
        taken.add(candidate)
    return candidate
