"""Validation problems: one per defect, each naming where it is and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypedDict

from pydantic import ConfigDict


class OwnerIds(TypedDict, total=False):
    """The keyword arguments naming what a Problem belongs to (``Problem(..., **owner)``)."""

    node_id: str
    edge_id: str
    group_id: str


OwnerKind = Literal["node", "edge", "group"]


def owned_by(kind: OwnerKind, item_id: str) -> OwnerIds:
    """``{"node_id": id}``, ``{"edge_id": id}`` or ``{"group_id": id}``, for ``Problem(..., **owner)``."""
    if kind == "node":
        return {"node_id": item_id}
    if kind == "edge":
        return {"edge_id": item_id}
    return {"group_id": item_id}


@dataclass(frozen=True)
class Problem:
    code: str  # stable, e.g. "E_EDGE_DANGLING"; tests and the UI key on it
    message: str
    pointer: str  # JSON pointer into the spec, e.g. "/edges/3/target"
    node_id: str | None = None
    edge_id: str | None = None
    group_id: str | None = None
    hint: str | None = None
    severity: Literal["error", "warning"] = "error"

    # The API always sends every field (``to_dict``): its OpenAPI schema says so, defaults included.
    __pydantic_config__ = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = self.node_id or self.edge_id or self.group_id
        text = f"{self.code} at {self.pointer or '/'}"
        if where:
            text += f" ({where})"
        text += f": {self.message}"
        if self.hint:
            text += f" Hint: {self.hint}"
        return text


class SpecError(ValueError):
    """Raised when a spec cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems) or "invalid workflow spec")


def did_you_mean(value: str, choices: Iterable[str], *, sentence: bool = False) -> str | None:
    """``did you mean 'x'?`` for the closest choice. ``sentence`` starts it with a capital letter;
    never ``.capitalize()`` the result, which lower-cases the suggested id ('LoadRows' -> 'loadrows')."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    if not matches:
        return None
    return f"{'Did' if sentence else 'did'} you mean {matches[0]!r}?"


def pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
