"""The notifier catalogue: which Airflow notifier classes a workflow can use, and how the spec's
generic notification fields (connection, recipients, subject, message) map onto each class's own
keyword arguments.

Known notifiers are described statically so that the compiler, which must not import Airflow
providers, can emit them; any other installed ``BaseNotifier`` subclass is described by
introspecting its ``__init__`` signature."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import asdict, dataclass, field
from typing import Any

from airflow_canvas.catalogue.schema import docstring_summary, parameter_type_schema
from airflow_canvas.spec.models import Notification, is_dotted_path, is_identifier
from airflow_canvas.spec.problems import did_you_mean

# Parameter names that play a generic role, in order of preference, for introspected notifiers.
_TO_NAMES = ("to", "recipients", "channel", "channels", "emails", "email")
_SUBJECT_NAMES = ("subject", "title", "summary")
_MESSAGE_NAMES = ("html_content", "message", "text", "body", "content", "data")
# Arguments every notifier accepts that a spec must not set (Airflow passes them itself).
_RESERVED = {"self", "context", "args", "kwargs"}


class NotifierError(ValueError):
    """A notification that cannot be turned into a notifier call; ``field`` names the spec field."""

    def __init__(self, message: str, field: str = "notifier", hint: str | None = None):
        self.field = field
        self.hint = hint
        super().__init__(message)


@dataclass(frozen=True)
class NotifierSpec:
    """How one notifier class is called. ``*_param`` name the class's keyword for each role."""

    key: str  # the short name used in specs, e.g. "smtp"; the import path for introspected ones
    class_path: str
    label: str
    conn_param: str | None = None
    to_param: str | None = None
    to_is_list: bool = True
    subject_param: str | None = None
    message_param: str | None = None
    description: str = ""

    @property
    def module(self) -> str:
        return self.class_path.rpartition(".")[0]

    @property
    def class_name(self) -> str:
        return self.class_path.rpartition(".")[2]


KNOWN_NOTIFIERS: dict[str, NotifierSpec] = {
    spec.key: spec
    for spec in (
        NotifierSpec(
            key="smtp",
            class_path="airflow.providers.smtp.notifications.smtp.SmtpNotifier",
            label="Email (SMTP)",
            conn_param="smtp_conn_id",
            to_param="to",
            subject_param="subject",
            message_param="html_content",
            description="Sends an email through an SMTP connection (apache-airflow-providers-smtp).",
        ),
        NotifierSpec(
            key="slack",
            class_path="airflow.providers.slack.notifications.slack.SlackNotifier",
            label="Slack (API)",
            conn_param="slack_conn_id",
            to_param="channel",
            to_is_list=False,
            message_param="text",
            description="Posts to a Slack channel (apache-airflow-providers-slack).",
        ),
        NotifierSpec(
            key="slack_webhook",
            class_path="airflow.providers.slack.notifications.slack_webhook.SlackWebhookNotifier",
            label="Slack (incoming webhook)",
            conn_param="slack_webhook_conn_id",
            message_param="text",
            description="Posts through a Slack incoming webhook (apache-airflow-providers-slack).",
        ),
        NotifierSpec(
            key="http",
            class_path="airflow.providers.http.notifications.HttpNotifier",
            label="HTTP request",
            conn_param="http_conn_id",
            message_param="data",
            description="Sends an HTTP request through an HTTP connection (apache-airflow-providers-http).",
        ),
    )
}
_BY_CLASS_PATH = {spec.class_path: spec for spec in KNOWN_NOTIFIERS.values()}


def _import_class(class_path: str) -> type:
    module_name, _, class_name = class_path.rpartition(".")
    module = importlib.import_module(module_name)
    try:
        found: type = getattr(module, class_name)  # whatever the import path names; callers check it
    except AttributeError:
        raise ImportError(f"{module_name} has no {class_name}") from None
    return found


def _init_parameters(cls: type[Any]) -> list[inspect.Parameter]:
    try:
        params = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p for p in params if p.name not in _RESERVED and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _first(names: tuple[str, ...], available: set[str]) -> str | None:
    return next((n for n in names if n in available), None)


def introspect_notifier(class_path: str) -> NotifierSpec:
    """Describe an installed notifier class that is not in the known table."""
    if class_path in _BY_CLASS_PATH:
        return _BY_CLASS_PATH[class_path]
    try:
        cls = _import_class(class_path)
    except ImportError as exc:
        raise NotifierError(
            f"Notifier class {class_path!r} cannot be imported ({exc}).",
            hint="Install the provider that ships it, or pick one from the notifier catalogue.",
        ) from None
    if not _is_notifier(cls):
        raise NotifierError(f"{class_path!r} is not an Airflow notifier (a BaseNotifier subclass).")
    params = _init_parameters(cls)
    names = {p.name for p in params}
    conn = next((p.name for p in params if p.name.endswith("conn_id")), None)
    to = _first(_TO_NAMES, names)
    to_annotation = str(next((p.annotation for p in params if p.name == to), ""))
    return NotifierSpec(
        key=class_path,
        class_path=class_path,
        label=cls.__name__,
        conn_param=conn,
        to_param=to,
        to_is_list="Iterable" in to_annotation or "list" in to_annotation,
        subject_param=_first(_SUBJECT_NAMES, names),
        message_param=_first(_MESSAGE_NAMES, names),
        description=docstring_summary(inspect.getdoc(cls)),
    )


def _base_notifier() -> type[Any]:
    try:
        from airflow.sdk import BaseNotifier
    except ImportError:  # pragma: no cover - Airflow < 3
        from airflow.notifications.basenotifier import BaseNotifier as LegacyBaseNotifier

        legacy: type[Any] = LegacyBaseNotifier  # Any: the module is absent from Airflow 3
        return legacy
    return BaseNotifier


def _is_notifier(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, _base_notifier())


def resolve_notifier(name: str) -> NotifierSpec:
    """A spec's ``notifier`` value -> how to call it. Short names never import anything."""
    if name in KNOWN_NOTIFIERS:
        return KNOWN_NOTIFIERS[name]
    if name in _BY_CLASS_PATH:
        return _BY_CLASS_PATH[name]
    if is_dotted_path(name):  # the spec's one rule for names written into code
        if not _import_allowed(name):
            raise NotifierError(
                f"{name!r} is not a notifier of an installed Airflow provider.",
                hint="Pick one from the notifier catalogue, or list its module in "
                "[airflow_canvas] notifier_modules (comma-separated prefixes).",
            )
        return introspect_notifier(name)
    raise NotifierError(
        f"Unknown notifier {name!r}.",
        hint=did_you_mean(name, KNOWN_NOTIFIERS)
        or f"Use one of {sorted(KNOWN_NOTIFIERS)} or the import path of an installed notifier class.",
    )


def _extra_modules() -> list[str]:
    try:
        from airflow.configuration import conf
    except ImportError:  # pragma: no cover - Airflow is a dependency
        return []
    value = conf.get("airflow_canvas", "notifier_modules", fallback="") or ""
    return [prefix.strip() for prefix in value.split(",") if prefix.strip()]


def _import_allowed(class_path: str) -> bool:
    """A spec names the class, and validating the spec imports it: only modules of installed
    providers (or ones an admin allowed) may be imported that way, never any module at all."""
    if class_path.startswith("airflow.providers.") or class_path in _installed_class_paths():
        return True
    return any(class_path == p or class_path.startswith(p.rstrip(".") + ".") for p in _extra_modules())


def notifier_kwargs(notification: Notification, spec: NotifierSpec) -> dict[str, Any]:
    """The keyword arguments of the notifier call: generic fields mapped to the class's own names,
    then ``parameters`` (which may not repeat a mapped name)."""
    kwargs: dict[str, Any] = {}

    def put(param: str | None, value: Any, field_name: str) -> None:
        if param is None:
            raise NotifierError(
                f"Notifier {spec.key!r} has no argument for {field_name!r}.",
                field=field_name,
                hint=f"Leave {field_name!r} empty, or pass the notifier's own argument in 'parameters'.",
            )
        kwargs[param] = value

    if notification.connection_id:
        put(spec.conn_param, notification.connection_id, "connection_id")
    if notification.to:
        if spec.to_is_list:
            put(spec.to_param, list(notification.to), "to")
        elif len(notification.to) == 1:
            put(spec.to_param, notification.to[0], "to")
        else:
            raise NotifierError(f"Notifier {spec.key!r} takes a single recipient in 'to'.", field="to")
    if notification.subject:
        put(spec.subject_param, notification.subject, "subject")
    if notification.message:
        put(spec.message_param, notification.message, "message")
    for key, value in sorted(notification.parameters.items()):
        if key in kwargs:
            raise NotifierError(
                f"Parameter {key!r} repeats a value already set by a notification field.",
                field=f"parameters/{key}",
            )
        if not is_identifier(key) or key in _RESERVED:  # a keyword argument in the generated file
            raise NotifierError(f"{key!r} is not a valid notifier argument name.", field=f"parameters/{key}")
        kwargs[key] = value
    if spec.key == "smtp" and not notification.to and "to" not in kwargs:
        raise NotifierError("An SMTP notification needs at least one recipient in 'to'.", field="to")
    return kwargs


# ---- the catalogue the canvas shows --------------------------------------------------------------


@dataclass
class CatalogueEntry:
    key: str
    class_path: str
    label: str
    description: str
    roles: dict[str, str | None]
    template_fields: list[str]
    parameters_schema: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parameters_schema(cls: type, spec: NotifierSpec) -> dict[str, Any]:
    mapped = {spec.conn_param, spec.to_param, spec.subject_param, spec.message_param}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in _init_parameters(cls):
        if param.name in mapped:
            continue  # set through the generic notification fields
        prop = parameter_type_schema(param)
        if param.default is not inspect.Parameter.empty:
            if isinstance(param.default, (str, int, float, bool)) or param.default is None:
                prop["default"] = param.default
        else:
            required.append(param.name)
        properties[param.name] = prop
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _installed_class_paths() -> list[str]:
    paths = set(_BY_CLASS_PATH)
    try:
        from airflow.providers_manager import ProvidersManager

        # Annotated list[NotificationInfo] in Airflow, but it holds the class paths (strings).
        paths.update(ProvidersManager().notification)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - a broken provider must not hide the others
        pass
    return sorted(paths)


def notifier_catalogue() -> list[CatalogueEntry]:
    """Every notifier class importable here, known ones first by their short name."""
    entries: list[CatalogueEntry] = []
    for class_path in _installed_class_paths():
        try:
            cls = _import_class(class_path)
        except Exception:  # noqa: BLE001 - not installed, or its provider is broken
            continue
        if not _is_notifier(cls):
            continue
        try:
            spec = introspect_notifier(class_path)  # the known table first
        except NotifierError:
            continue
        entries.append(
            CatalogueEntry(
                key=spec.key,
                class_path=class_path,
                label=spec.label,
                description=spec.description or docstring_summary(inspect.getdoc(cls)),
                roles={
                    "connection_id": spec.conn_param,
                    "to": spec.to_param,
                    "subject": spec.subject_param,
                    "message": spec.message_param,
                },
                template_fields=list(getattr(cls, "template_fields", ())),
                parameters_schema=_parameters_schema(cls, spec),
            )
        )
    entries.sort(key=lambda e: (e.key not in KNOWN_NOTIFIERS, e.key))
    return entries
