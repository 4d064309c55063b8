"""Request bodies: the base model every route's body derives from, and the checks on a JSON body's
data that pydantic cannot make (how deep it nests, NaN/Infinity, strings that are not Unicode).

Airflow's own REST API refuses unknown fields in request bodies (``StrictBaseModel`` in
``airflow.api_fastapi.core_api.base``: ``extra="forbid"``); the canvas's bodies do the same, so a
misspelt field (``base_versoin``) is an error instead of silently taking its default. Free-form data
*inside* a body (a spec's node parameters, run conf, template params) is typed ``dict[str, Any]`` and
keeps arbitrary keys: only the body's own fields are closed.

The data checks run on the raw body before any route sees it (see ``body_limit``), because the
problems they catch otherwise surface deep inside the server as 500s: a body nested hundreds of
levels deep overflows the recursion of JSON decoding, pydantic, jsonschema or the Python parser that
import-checks a generated DAG; a lone surrogate (``"\\ud800"``) decodes to a str that cannot be
encoded as UTF-8 when it is stored or sent back; ``NaN``/``Infinity`` (and overflowing numbers like
``1e999``) are not JSON at all and would be stored as null."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from math import isfinite
from typing import Any

from pydantic import BaseModel, ConfigDict

from airflow_canvas.spec.problems import Problem, pointer

# Containers nested in a request body (the body's own object is level 1). A spec sits at level 2, so
# a node's parameters may nest about 95 levels and a JSON Schema about 47 object levels. Measured:
# jsonschema's check of a schema 100 object levels deep (200 JSON levels) overflows the recursion
# limit, and CPython refuses a generated DAG whose literal nests 200 brackets ("too many nested
# parentheses"), so 100 keeps every later stage well clear of both.
MAX_JSON_DEPTH = 100
MAX_PROBLEMS = 20  # enough to fix a body; a hostile one does not get a megabyte of problems back


class RequestBody(BaseModel):
    """Base of every request body: unknown fields are refused (422, ``extra_forbidden``), as
    Airflow's ``StrictBaseModel`` does for its own API."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class BodyRefusal:
    """Why a JSON body is refused before it reaches a route: the status and the API's error body."""

    status: int
    detail: str
    problems: list[Problem]

    def to_dict(self) -> dict[str, Any]:
        return {"detail": self.detail, "problems": [p.to_dict() for p in self.problems]}


def is_json_content_type(content_type: str | None) -> bool:
    """Whether FastAPI will decode the body as JSON (``application/json`` or ``application/*+json``)."""
    if not content_type:
        return False  # FastAPI's strict_content_type: a body without a type is not parsed as JSON
    media = content_type.split(";", 1)[0].strip().lower()
    maintype, _, subtype = media.partition("/")
    return maintype == "application" and (subtype == "json" or subtype.endswith("+json"))


def _dotted(path: tuple[str | int, ...], keep: int = 12) -> str:
    """``spec.nodes.1.parameters.x``; a path deeper than ``keep`` is shortened in the middle (the
    problem's JSON pointer keeps all of it)."""
    parts = [str(p) for p in path]
    if len(parts) > keep:
        parts = [*parts[: keep - 2], f"...({len(parts) - keep + 2} more)...", *parts[-2:]]
    return ".".join(parts) or "body"


def _node_id(root: Any, path: tuple[str | int, ...]) -> str | None:
    """The id of the innermost spec node the path runs through (``...nodes/3/...``), so the
    canvas can highlight it."""
    found: str | None = None
    value = root
    for i, part in enumerate(path):
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return found
        if i > 0 and path[i - 1] == "nodes" and isinstance(part, int) and isinstance(value, dict):
            node_id = value.get("id")
            found = node_id if isinstance(node_id, str) and _is_text(node_id) else found
    return found


def _is_text(text: str) -> bool:
    """True unless ``text`` holds a lone surrogate (``"\\ud800"`` in JSON): such a str is not
    Unicode text and raises UnicodeEncodeError wherever it is encoded (DB, response, file)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_TOO_DEEP = "nested deeper than {} levels; flatten this value (e.g. store it as a JSON string)"
_SURROGATE = "holds a lone surrogate (an escape like \\ud800 without its pair); it is not Unicode text"
_NOT_FINITE = "{} is not a JSON number (NaN, Infinity or out of range); use null, a finite number or a string"


def _json_name(number: float) -> str:
    return "NaN" if number != number else ("Infinity" if number > 0 else "-Infinity")


def _scalar_defect(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str):
        return None if _is_text(value) else ("E_JSON_BAD_STRING", _SURROGATE)
    if isinstance(value, float) and not isfinite(value):
        return ("E_JSON_NOT_FINITE", _NOT_FINITE.format(_json_name(value)))
    return None


def _walk(value: Any, max_depth: int) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    """(code, message, path) for each defect, in document order. Iterative, so a deep value cannot
    overflow it; only containers go on the stack (a 2 MB list of numbers is one tight loop)."""
    if not isinstance(value, dict | list):
        defect = _scalar_defect(value)
        if defect:
            yield (*defect, ())
        return
    stack: list[tuple[dict[str, Any] | list[Any], tuple[str | int, ...], int]] = [(value, (), 1)]
    while stack:
        item, path, depth = stack.pop()
        if depth > max_depth:
            yield ("E_JSON_TOO_DEEP", _TOO_DEEP.format(max_depth), path)
            continue
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        children = []
        for key, child in pairs:
            if type(key) is str and not key.isascii() and not _is_text(key):
                yield ("E_JSON_BAD_STRING", f"the key {key!r} {_SURROGATE}", path)
            kind = type(child)  # json.loads makes exact types: no subclasses to care about
            if kind is dict or kind is list:
                children.append((child, (*path, key), depth + 1))
            elif kind is float:
                if not isfinite(child):
                    yield ("E_JSON_NOT_FINITE", _NOT_FINITE.format(_json_name(child)), (*path, key))
            elif kind is str and not child.isascii() and not _is_text(child):
                yield ("E_JSON_BAD_STRING", _SURROGATE, (*path, key))
        stack.extend(reversed(children))


def value_problems(value: Any, *, max_depth: int = MAX_JSON_DEPTH) -> list[Problem]:
    """Problems of decoded JSON data, each naming its field (dotted) and JSON pointer."""
    problems = []
    for code, message, path in _walk(value, max_depth):
        problems.append(
            Problem(
                code=code,
                message=f"{_dotted(path)}: {message}.",
                pointer=pointer(*path),
                node_id=_node_id(value, path),
            )
        )
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def check_json_body(raw: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> BodyRefusal | None:
    """A refusal for a JSON body whose data no route could use, or None to let it through.

    Malformed JSON is left to FastAPI (its 400 names the position); only well-formed JSON with
    unusable data is refused here, with 422 like every other invalid body."""
    try:
        data = json.loads(raw)  # NaN, Infinity and 1e999 decode to floats: the walk names their fields
    except RecursionError:
        # The C decoder recurses per level: a body this deep never reaches the walk below.
        return BodyRefusal(
            422,
            f"The request body is nested deeper than {max_depth} levels.",
            [
                Problem(
                    code="E_JSON_TOO_DEEP",
                    message=f"body: nested deeper than {max_depth} levels.",
                    pointer="",
                )
            ],
        )
    except UnicodeDecodeError as exc:
        return BodyRefusal(
            400,
            f"The request body is not UTF-8 text: {exc.reason} at byte {exc.start}.",
            [Problem(code="E_JSON_NOT_UTF8", message=f"body: {exc.reason} at byte {exc.start}.", pointer="")],
        )
    except json.JSONDecodeError:  # malformed JSON: FastAPI's 400 names the position
        return None
    except ValueError:  # well-formed, but Python refuses integers of over 4300 digits (a DoS guard)
        message = "an integer has more than 4300 digits; send such a number as a string"
        return BodyRefusal(
            422,
            f"The request body cannot be read: {message}.",
            [Problem(code="E_JSON_BAD_NUMBER", message=f"body: {message}.", pointer="")],
        )
    problems = value_problems(data, max_depth=max_depth)
    if not problems:
        return None
    return BodyRefusal(422, "The request body holds data that cannot be used; nothing was stored.", problems)
