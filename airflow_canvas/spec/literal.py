"""What data can be written into a DAG file as a Python literal: JSON-like values (None, booleans,
finite numbers, strings, lists, and dicts keyed by strings).

One rule, two users: the compiler's printer (``compiler/pyfmt.py``) raises these errors as it
writes, and validation asks beforehand (notifier parameters) to report them with a pointer.
"""

from __future__ import annotations

import math
from typing import Any


def check_key(key: object) -> None:
    """ValueError unless ``key`` can be a key of a dict literal (a string)."""
    if not isinstance(key, str):
        raise ValueError(f"dict key {key!r} is not a string")


def check_number(value: int | float) -> None:
    """ValueError for NaN and the infinities, which no literal can hold."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} cannot be written into a DAG file")


def check_literal(value: Any) -> None:
    """ValueError naming the first part of ``value`` that cannot be written as a literal."""
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, (int, float)):
        check_number(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_key(key)
            check_literal(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_literal(item)
    else:
        raise ValueError(f"a {type(value).__name__} cannot be written into a DAG file")
