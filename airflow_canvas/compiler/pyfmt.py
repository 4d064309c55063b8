"""A tiny expression model and printer for generated source.

User data only ever becomes source through :func:`py_str` / :class:`Lit` (literals). Everything
else that is written as code is checked where it is built, whatever produced it: a :class:`Code`
fragment is a dotted name (optionally subscripted by a string literal), a :class:`Call`'s function
is a dotted name and its keyword names are identifiers (:func:`checked_name`), so a key of a spec's
dict can never become source even if validation were skipped: :class:`UnsafeCode` is raised. The printer
writes what ``ruff format`` would keep: an expression goes on one line when it fits, otherwise its
brackets are exploded one item per line with a trailing ("magic") comma, recursively.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from airflow_canvas.spec.literal import check_key, check_literal, check_number
from airflow_canvas.spec.models import is_identifier

LINE_LENGTH = 88  # ruff/black default: generated files are formatted for any project's settings
INDENT = "    "

_SIMPLE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def py_str(text: str) -> str:
    """A string literal as ruff prints it: double quotes unless that needs more escapes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    if text.isprintable() and "\\" not in text and quote not in text:
        return quote + text + quote
    out = []
    for ch in text:
        if ch == quote:
            out.append("\\" + ch)
        elif ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])  # \x07, \u200b, \U000e0001 ...
    return quote + "".join(out) + quote


class UnsafeCode(ValueError):
    """Text was about to be written into generated source as a name, but is not one. Raised by the
    printer's own checks, so nothing unchecked is ever written (validation reports such specs with
    a pointer first; reaching this means a spec skipped validation or a compiler bug)."""


def checked_name(text: object) -> str:
    """``text`` if it may be written as a Python name (a keyword argument, a variable, an imported
    name): the one rule of :func:`airflow_canvas.spec.models.is_identifier`."""
    if not is_identifier(text):
        raise UnsafeCode(f"{text!r} is not a Python identifier; it cannot be written as a name")
    return text


def checked_path(text: object) -> str:
    """``text`` if it is one name or names joined by dots (``DAG``, ``BashOperator.partial``)."""
    if not isinstance(text, str) or not all(is_identifier(part) for part in text.split(".")):
        raise UnsafeCode(f"{text!r} is not a dotted Python name; it cannot be written as code")
    return text


_SUBSCRIPT_RE = re.compile(r"([A-Za-z0-9_.]+)\[(.+)\]", re.DOTALL)


def _check_code(text: object) -> None:
    """A code fragment is ``None``, a dotted name, or a dotted name subscripted by a string
    literal exactly as :func:`py_str` writes it (``task.output["key"]``)."""
    if text == "None":
        return
    found = _SUBSCRIPT_RE.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        checked_path(text)
        return
    checked_path(found.group(1))
    literal = found.group(2)
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        value = None
    if not isinstance(value, str) or py_str(value) != literal:
        raise UnsafeCode(f"{text!r} is not a name subscripted by a string literal")


def py_number(value: int | float) -> str:
    check_number(value)
    return repr(value).replace("e+", "e")  # ruff writes 1e16, not 1e+16


@dataclass(frozen=True)
class Code:
    """A source fragment: ``None``, a dotted name, or one subscripted by a string literal (checked)."""

    text: str

    def __post_init__(self) -> None:
        _check_code(self.text)


@dataclass(frozen=True)
class Lit:
    """Plain JSON-like data written as a literal."""

    value: Any


@dataclass(frozen=True)
class Call:
    """``func(*args, **kwargs)``: the function is a dotted name, every keyword an identifier,
    none twice (checked here, so no construction path can write anything else)."""

    func: str
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()

    def __post_init__(self) -> None:
        checked_path(self.func)
        seen: set[str] = set()
        for name, _ in self.kwargs:
            if checked_name(name) in seen:
                raise UnsafeCode(f"keyword argument {name!r} would be written twice in a call to {self.func}")
            seen.add(name)


@dataclass(frozen=True)
class ListOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class DictOf:
    items: tuple[tuple[Expr, Expr], ...]


Expr = Code | Lit | Call | ListOf | DictOf


def checked_expr(value: object) -> Expr:
    """``value`` if it is an expression of this model: raw data (a dict, a string) found where
    an expression belongs is refused, not guessed at."""
    if not isinstance(value, (Code, Lit, Call, ListOf, DictOf)):
        raise UnsafeCode(f"{value!r} is not an expression of the printer; it cannot be written as code")
    return value


def call(func: str, *args: Expr, **kwargs: Expr | None) -> Call:
    """A call; keyword arguments that are None are left out."""
    return Call(func, tuple(args), tuple((k, v) for k, v in kwargs.items() if v is not None))


def lit_expr(value: Any) -> Expr:
    """Lift data into the expression model so nested containers can be exploded."""
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            check_key(key)
            items.append((Lit(key), lit_expr(item)))
        return DictOf(tuple(items))
    if isinstance(value, (list, tuple)):
        return ListOf(tuple(lit_expr(v) for v in value))
    return Lit(value)


def _atom(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return py_number(value)
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, (dict, list, tuple)):
        return flat(lit_expr(value))
    check_literal(value)  # raises: no other type can be a literal
    raise AssertionError(value)


def _call_items(expr: Call) -> list[tuple[str, Expr]]:
    """A call's arguments as (item prefix, item): positional ones, then ``name=`` ones."""
    return [("", a) for a in expr.args] + [(f"{k}=", v) for k, v in expr.kwargs]


def _parts(expr: Expr) -> tuple[str, list[tuple[str, Expr]], str] | None:
    """(opening, [(item prefix, item)], closing) for bracketed expressions with items."""
    if isinstance(expr, Call) and (expr.args or expr.kwargs):
        return f"{expr.func}(", _call_items(expr), ")"
    if isinstance(expr, ListOf) and expr.items:
        return "[", [("", i) for i in expr.items], "]"
    if isinstance(expr, DictOf) and expr.items:
        return "{", [(flat(k) + ": ", v) for k, v in expr.items], "}"
    if isinstance(expr, Lit) and isinstance(expr.value, (dict, list, tuple)) and expr.value:
        return _parts(lit_expr(expr.value))
    return None


def flat(expr: Expr) -> str:
    if isinstance(expr, Code):
        return expr.text
    if isinstance(expr, Lit):
        return _atom(expr.value)
    if isinstance(expr, Call):
        args = [flat(a) for a in expr.args] + [f"{k}={flat(v)}" for k, v in expr.kwargs]
        return f"{expr.func}({', '.join(args)})"
    if isinstance(expr, ListOf):
        return "[" + ", ".join(flat(i) for i in expr.items) + "]"
    if isinstance(expr, DictOf):
        return "{" + ", ".join(f"{flat(k)}: {flat(v)}" for k, v in expr.items) + "}"
    raise TypeError(f"not an expression: {expr!r}")


def width(text: str) -> int:
    """Columns a line takes as ruff measures it: wide East Asian characters count two,
    combining marks none."""
    if text.isascii():
        return len(text)
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def render(expr: Expr, *, indent: str = "", prefix: str = "", suffix: str = "") -> list[str]:
    """Lines for ``prefix + expr + suffix`` at ``indent``."""
    one_line = f"{indent}{prefix}{flat(expr)}{suffix}"
    parts = _parts(expr)
    if width(one_line) <= LINE_LENGTH or parts is None:
        return [one_line]
    opening, items, closing = parts
    lines = [f"{indent}{prefix}{opening}"]
    inner = indent + INDENT
    for item_prefix, item in items:
        lines.extend(render(item, indent=inner, prefix=item_prefix, suffix=","))
    lines.append(f"{indent}{closing}{suffix}")
    return lines


def render_call_block(expr: Call, *, indent: str, prefix: str = "", suffix: str = "") -> list[str]:
    """A call always exploded one argument per line (how operator and DAG calls read best)."""
    if not (expr.args or expr.kwargs):
        return [f"{indent}{prefix}{flat(expr)}{suffix}"]
    lines = [f"{indent}{prefix}{expr.func}("]
    for item_prefix, item in _call_items(expr):
        lines.extend(render(item, indent=indent + INDENT, prefix=item_prefix, suffix=","))
    lines.append(f"{indent}){suffix}")
    return lines
