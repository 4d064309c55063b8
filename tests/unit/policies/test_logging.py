"""Payload logging modes and the per-node log level."""

from __future__ import annotations

import pytest

from airflow_canvas.policies.logging import (
    MAX_LOGGED_CHARS,
    apply_log_level,
    describe_sizes,
    level_number,
    payload_bytes,
    payload_log_line,
)


def test_redacted_mode_hides_sensitive_keys_and_registered_secrets() -> None:
    from airflow.sdk._shared.secrets_masker import _secrets_masker

    _secrets_masker().add_mask("s3cr3t-value-xyz")
    line = payload_log_line(
        "inputs", {"api_key": "abcdef123", "note": "uses s3cr3t-value-xyz", "n": 1}, "redacted"
    )
    assert line is not None and line.startswith("inputs (redacted): ")
    assert "abcdef123" not in line and "s3cr3t-value-xyz" not in line
    assert '"n": 1' in line


def test_sizes_mode_shows_no_values() -> None:
    line = payload_log_line("output", {"password": "hunter22", "rows": [1, 2, 3]}, "sizes")
    assert line == "output: object with 2 field(s), 43 B (password: 10 B, rows: 9 B)"
    assert "hunter22" not in line
    assert describe_sizes([1, 2]) == "list of 2 item(s), 6 B"


def test_off_mode_logs_nothing_and_bad_mode_is_named() -> None:
    assert payload_log_line("inputs", {"a": 1}, "off") is None
    with pytest.raises(ValueError, match="log_payloads must be one of"):
        payload_log_line("inputs", {}, "everything")


def test_large_payloads_are_truncated() -> None:
    line = payload_log_line("inputs", {"text": "x" * (MAX_LOGGED_CHARS * 2)}, "redacted")
    assert line is not None and len(line) < MAX_LOGGED_CHARS + 100 and "more characters" in line


def test_payload_bytes_is_utf8_json_size() -> None:
    assert payload_bytes({"a": "é"}) == len('{"a": "é"}'.encode())


def test_log_level_override_filters_the_operators_logger(capsys) -> None:
    from airflow.sdk import BaseOperator
    from airflow.sdk._shared.logging.structlog import configure_logging

    configure_logging(log_level="INFO")
    op = BaseOperator(task_id="t")
    op.log.debug("before: hidden")
    apply_log_level(op, "DEBUG")
    op.log.debug("after: shown")
    apply_log_level(op, "ERROR")
    op.log.warning("error level: hidden")
    out = capsys.readouterr()
    text = out.out + out.err
    assert "after: shown" in text
    assert "before: hidden" not in text and "error level: hidden" not in text
    with pytest.raises(ValueError):
        level_number("LOUD")
