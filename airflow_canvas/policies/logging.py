"""What a node writes to its task log about its payloads, and at which level it logs.

``log_payloads`` modes: ``redacted`` logs inputs/outputs after Airflow's secrets masker has
replaced registered secrets (connection passwords, masked variables) and values under sensitive
keys (password, api_key, token, ...); ``sizes`` logs only the shape and byte sizes; ``off`` logs
nothing. The masker also filters the whole task log, so redaction here is a second line of defence
that additionally hides sensitive-named keys the masker has never seen as secrets."""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

PayloadMode = Literal["redacted", "sizes", "off"]
PAYLOAD_MODES: tuple[str, ...] = ("redacted", "sizes", "off")
DEFAULT_MODE: PayloadMode = "sizes"  # sizes leak nothing and still help debugging
MAX_LOGGED_CHARS = 4000  # task logs are for people: a huge payload is summarised, not dumped
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

_FALLBACK_SENSITIVE = ("password", "passwd", "secret", "token", "api_key", "apikey", "authorization")


def _redact(value: Any) -> Any:
    try:
        from airflow.sdk._shared.secrets_masker import redact
    except ImportError:  # pragma: no cover - older SDK layout
        try:
            from airflow.sdk.execution_time import secrets_masker
        except ImportError:
            return _fallback_redact(value)
        return secrets_masker.redact(value)
    return redact(value)


def _fallback_redact(value: Any, key: str | None = None) -> Any:
    if key and any(word in key.lower() for word in _FALLBACK_SENSITIVE):
        return "***"
    if isinstance(value, dict):
        return {k: _fallback_redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_fallback_redact(v) for v in value]
    return value


def payload_bytes(value: Any) -> int:
    """Size of the payload as JSON (what XCom stores), in bytes."""
    try:
        return len(json.dumps(value, default=str, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        return len(str(value).encode("utf-8"))


def describe_sizes(value: Any) -> str:
    """Shape and sizes only: no value, no key of a nested value, leaves the payload."""
    total = payload_bytes(value)
    if isinstance(value, dict):
        parts = ", ".join(f"{key}: {payload_bytes(item)} B" for key, item in value.items())
        return f"object with {len(value)} field(s), {total} B ({parts})"
    if isinstance(value, (list, tuple)):
        return f"list of {len(value)} item(s), {total} B"
    return f"{type(value).__name__}, {total} B"


def payload_log_line(direction: str, value: Any, mode: str | None) -> str | None:
    """The text to log for one payload (``direction`` is "inputs" or "output"), None for "off"."""
    mode = mode or DEFAULT_MODE
    if mode not in PAYLOAD_MODES:
        raise ValueError(f"log_payloads must be one of {PAYLOAD_MODES}, not {mode!r}")
    if mode == "off":
        return None
    if mode == "sizes":
        return f"{direction}: {describe_sizes(value)}"
    text = json.dumps(_redact(value), default=str, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_LOGGED_CHARS:
        text = text[:MAX_LOGGED_CHARS] + f"... ({len(text) - MAX_LOGGED_CHARS} more characters)"
    return f"{direction} (redacted): {text}"


def log_payload(logger: Any, direction: str, value: Any, mode: str | None) -> None:
    line = payload_log_line(direction, value, mode)
    if line is not None:
        logger.info(line)


def level_number(level: str) -> int:
    if level.upper() not in LOG_LEVELS:
        raise ValueError(f"log_level must be one of {LOG_LEVELS}, not {level!r}")
    number: int = logging.getLevelName(level.upper())  # a known name maps to its number
    return number


def apply_log_level(operator: Any, level: str | None) -> None:
    """Make ``operator.log`` (and stdlib loggers under ``airflow_canvas``) filter at ``level`` for
    this task only: every task runs in its own process, so nothing leaks to other tasks."""
    if not level:
        return
    number = level_number(level)
    logging.getLogger("airflow_canvas").setLevel(number)
    try:
        import structlog
    except ImportError:  # pragma: no cover - structlog ships with Airflow 3
        return
    cls = type(operator)
    # The same name Airflow's DAG node gives its logger ("airflow.task.operators.<module>.<class>").
    name = getattr(operator, "_logger_name", None) or f"{cls.__module__}.{cls.__qualname__}"
    parent = getattr(operator, "_log_config_logger_name", None)
    if parent:
        name = f"{parent}.{name}"
    # Airflow's structlog filter honours a per-logger "__level_override" in the bound context;
    # the DAG node caches its logger in `_cached_logger` (`_log` in older releases).
    logger = structlog.get_logger(name, __level_override=number)
    for attribute in ("_cached_logger", "_log"):
        if hasattr(operator, attribute):
            object.__setattr__(operator, attribute, logger)
