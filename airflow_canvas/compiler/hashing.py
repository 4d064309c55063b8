"""The spec hash named in a generated file's header: what the DAG was compiled from.

Canvas layout (node positions, sizes, colours, collapsed flags) and the store's version number do
not change the DAG, so they are left out: moving a box does not make a deployment look stale."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic.main import IncEx
from pydantic_core import PydanticSerializationError

from airflow_canvas.spec.compat import tool_exclude
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem, SpecError, pointer

_REPLACEMENT_CHARACTER = "\ufffd".encode()
_LAYOUT_ONLY: dict[str, IncEx | bool] = {
    "nodes": {"__all__": {"ui"}},
    # A group's pinned chain reference is library metadata: the DAG is what its members compile to.
    "groups": {"__all__": {"collapsed", "chain"}},
    "version": True,
}
_WITHOUT_BUDGET: dict[str, IncEx | bool] = {**_LAYOUT_ONLY, "settings": {"cost_budget_usd"}}


def canonical_json(wf: Workflow) -> bytes:
    """Fields in model order (pydantic's serializer, in Rust: fast for 5000-node specs); dicts
    the user wrote (parameters, schemas) keep the order they were written in, as in the source.
    Text UTF-8 cannot hold (a lone surrogate, which JSON's \\ud800 escape can carry) is a SpecError
    naming where it is, not a crash."""
    # An unset cost budget leaves the hash as it was before the setting existed (no deployment looks
    # stale after an upgrade); a set one adds the budget task, so it counts.
    exclude = _LAYOUT_ONLY if wf.settings.cost_budget_usd is not None else _WITHOUT_BUDGET
    if wf.tools:
        exclude = {**exclude, "tools": {i: tool_exclude(tool) for i, tool in enumerate(wf.tools)}}
    try:
        text = wf.model_dump_json(exclude=exclude).encode("utf-8")
    except (PydanticSerializationError, UnicodeEncodeError):  # a lone surrogate in a value
        check_encodable(wf)
        raise
    if _REPLACEMENT_CHARACTER in text:  # pydantic writes one in a dict key as U+FFFD: look closer
        check_encodable(wf)
    return text


def check_encodable(wf: Workflow) -> None:
    """Raise SpecError (E_TEXT_ENCODING, with a pointer) when a string or dict key of ``wf`` is not
    valid text: a lone surrogate, which JSON's ``\\ud800`` escape can carry. Such text cannot be
    written to a file, and pydantic's JSON turns it into U+FFFD in keys (two specs, one hash) but
    fails on it in values."""
    data = wf.model_dump()
    try:
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")  # C speed; walk only on failure
    except UnicodeEncodeError:
        where = _unencodable(data, ())
        raise SpecError(
            [
                Problem(
                    "E_TEXT_ENCODING",
                    "This text holds a lone UTF-16 surrogate (half of an emoji or symbol), which cannot be "
                    "stored or written into a DAG file.",
                    pointer(*where) if where is not None else "",
                    hint="Delete the broken character and type it again.",
                )
            ]
        ) from None


def _unencodable(value: Any, at: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """The path of the first string (or dict key) that is not valid UTF-8 text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return at
        return None
    items: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, (list, tuple)):
        items = list(enumerate(value))
    for key, item in items:
        if _unencodable(key, at) is not None:
            return (*at, key)
        found = _unencodable(item, (*at, key))
        if found is not None:
            return found
    return None


def spec_hash(wf: Workflow) -> str:
    return hashlib.sha256(canonical_json(wf)).hexdigest()
