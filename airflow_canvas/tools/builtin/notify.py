"""send_notification: send a message through an Airflow notifier ("smtp" = SmtpNotifier with an
SMTP connection, or the import path of any installed BaseNotifier subclass)."""

from __future__ import annotations

import importlib
from typing import Any

INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "notifier": {"type": "string", "default": "smtp", "description": "'smtp' or a notifier class path."},
        "conn_id": {"type": ["string", "null"], "default": None},
        "to": {"type": "array", "items": {"type": "string"}, "default": []},
        "subject": {"type": "string", "default": ""},
        "message": {"type": "string", "default": ""},
        "options": {"type": "object", "default": {}, "description": "Extra notifier keyword arguments."},
    },
    "additionalProperties": False,
}
OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {"sent": {"type": "boolean"}, "notifier": {"type": "string"}},
    "required": ["sent", "notifier"],
}


def _notifier(
    name: str, conn_id: str | None, to: list[str], subject: str, message: str, options: dict[str, Any]
) -> Any:
    if name == "smtp":
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        kwargs: dict[str, Any] = {"smtp_conn_id": conn_id} if conn_id else {}
        return SmtpNotifier(to=to, subject=subject, html_content=message, **kwargs, **options)
    module_name, _, cls_name = name.rpartition(".")
    if not module_name:
        raise ValueError(f"notifier must be 'smtp' or an import path like 'pkg.module.Class', not {name!r}")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(**{"to": to, "subject": subject, "message": message, **options})


def run(
    notifier: str = "smtp",
    conn_id: str | None = None,
    to: list[str] | None = None,
    subject: str = "",
    message: str = "",
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    instance = _notifier(notifier, conn_id, list(to or []), subject, message, dict(options or {}))
    # Notifiers render their templated fields against a task context; a tool call has none, so an
    # empty context makes them send the text as given.
    instance.notify({})
    return {"sent": True, "notifier": notifier}
