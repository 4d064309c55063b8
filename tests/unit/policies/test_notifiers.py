"""The notifier catalogue and the mapping of notification fields onto notifier arguments."""

from __future__ import annotations

import pytest

from airflow_canvas.policies.notifiers import (
    KNOWN_NOTIFIERS,
    NotifierError,
    introspect_notifier,
    notifier_catalogue,
    notifier_kwargs,
    resolve_notifier,
)
from airflow_canvas.spec.models import Notification


def test_smtp_fields_map_to_smtp_notifier_arguments() -> None:
    n = Notification(
        on=["failure"],
        connection_id="smtp_ops",
        to=["ops@example.com"],
        subject="{{ ti.task_id }} failed",
        message="Run {{ run_id }}",
        parameters={"from_email": "canvas@example.com"},
    )
    spec = resolve_notifier("smtp")
    assert spec.class_path == "airflow.providers.smtp.notifications.smtp.SmtpNotifier"
    assert notifier_kwargs(n, spec) == {
        "smtp_conn_id": "smtp_ops",
        "to": ["ops@example.com"],
        "subject": "{{ ti.task_id }} failed",
        "html_content": "Run {{ run_id }}",
        "from_email": "canvas@example.com",
    }


def test_smtp_without_recipient_is_an_error_naming_the_field() -> None:
    with pytest.raises(NotifierError) as err:
        notifier_kwargs(Notification(message="x"), resolve_notifier("smtp"))
    assert err.value.field == "to"


def test_parameter_repeating_a_mapped_field_is_rejected() -> None:
    n = Notification(to=["a@example.com"], parameters={"to": "b@example.com"})
    with pytest.raises(NotifierError) as err:
        notifier_kwargs(n, resolve_notifier("smtp"))
    assert err.value.field == "parameters/to"


def test_single_recipient_notifier_rejects_two_recipients() -> None:
    slack = KNOWN_NOTIFIERS["slack"]
    assert notifier_kwargs(Notification(notifier="slack", to=["#ops"]), slack) == {"channel": "#ops"}
    with pytest.raises(NotifierError, match="single recipient"):
        notifier_kwargs(Notification(notifier="slack", to=["#a", "#b"]), slack)


def test_field_the_notifier_lacks_is_reported() -> None:
    with pytest.raises(NotifierError) as err:
        notifier_kwargs(Notification(notifier="http", subject="hi"), resolve_notifier("http"))
    assert err.value.field == "subject"


def test_unknown_short_name_suggests_the_close_one() -> None:
    with pytest.raises(NotifierError) as err:
        resolve_notifier("smpt")
    assert err.value.hint == "did you mean 'smtp'?"


def test_import_path_that_is_not_a_notifier_is_rejected() -> None:
    with pytest.raises(NotifierError, match="not an Airflow notifier"):
        resolve_notifier("airflow.providers.smtp.hooks.smtp.SmtpHook")
    with pytest.raises(NotifierError, match="cannot be imported"):
        resolve_notifier("airflow.providers.nope.notifications.Nope")


def test_only_provider_or_allowed_modules_are_imported(monkeypatch) -> None:
    with pytest.raises(NotifierError, match="not a notifier of an installed Airflow provider"):
        resolve_notifier("antigravity.Fly")  # never imported: importing it would open a browser
    monkeypatch.setenv("AIRFLOW__AIRFLOW_CANVAS__NOTIFIER_MODULES", "my_company.notify, other")
    with pytest.raises(NotifierError, match="cannot be imported"):
        resolve_notifier("my_company.notify.PagerNotifier")


def test_introspection_finds_roles_of_an_unlisted_notifier(tmp_path, monkeypatch) -> None:
    (tmp_path / "my_notifiers.py").write_text(
        "from airflow.sdk import BaseNotifier\n"
        "class PagerNotifier(BaseNotifier):\n"
        "    '''Pages someone\n"
        "    on call.\n"
        "    :param pager_conn_id: the pager connection\n"
        "    '''\n"
        "    template_fields = ('text',)\n"
        "    def __init__(self, *, pager_conn_id: str = 'p', recipients: list[str] | None = None,\n"
        "                 title: str = '', text: str = '', urgent: bool = False, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "    def notify(self, context):\n"
        "        pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = introspect_notifier("my_notifiers.PagerNotifier")
    assert (spec.conn_param, spec.to_param, spec.to_is_list, spec.subject_param, spec.message_param) == (
        "pager_conn_id",
        "recipients",
        True,
        "title",
        "text",
    )
    # The summary is the docstring's first paragraph, stopping at :param lines.
    assert spec.description == "Pages someone on call."


def test_catalogue_lists_installed_notifiers_with_schemas() -> None:
    entries = {e.key: e for e in notifier_catalogue()}
    assert "smtp" in entries and "http" in entries
    assert "slack" not in entries  # the slack provider is not installed here
    smtp = entries["smtp"]
    assert smtp.roles["message"] == "html_content"
    assert "html_content" in smtp.template_fields
    props = smtp.parameters_schema["properties"]
    assert "from_email" in props and "html_content" not in props  # mapped roles are not repeated
    assert props["mime_subtype"] == {"type": "string", "default": "mixed"}
    # Types come from catalogue.schema, as for operators: the `str` inside `dict[str, Any]` is not a
    # string type, and list items are kept.
    assert props["custom_headers"] == {"type": ["object", "null"], "default": None}
    assert props["files"]["anyOf"][0] == {"type": "array", "items": {"type": "string"}}
    assert smtp.to_dict()["class_path"].endswith("SmtpNotifier")
