"""Policy checks the validator runs: notifications that cannot become notifier calls, deadline
alerts outside the workflow level, and notifications that can never fire."""

from __future__ import annotations

from airflow_canvas.policies.notifiers import NotifierError, notifier_kwargs, resolve_notifier
from airflow_canvas.spec.literal import check_literal
from airflow_canvas.spec.models import Notification, Workflow
from airflow_canvas.spec.problems import OwnerIds, Problem, owned_by, pointer
from airflow_canvas.validation.context import ValidationContext


def check_notifications(ctx: ValidationContext) -> None:
    """Entry in ``validation.engine.CHECKS``."""
    ctx.problems.extend(notification_problems(ctx.wf))


def notification_problems(wf: Workflow) -> list[Problem]:
    """Every notification that cannot be emitted, with a pointer to the offending field."""
    problems: list[Problem] = []
    owners: list[tuple[tuple[str | int, ...], list[Notification], OwnerIds]] = [
        (("notifications",), wf.notifications, {}),
        *(
            (("groups", i, "notifications"), g.notifications, owned_by("group", g.id))
            for i, g in enumerate(wf.groups)
        ),
        *(
            (("nodes", i, "notifications"), n.notifications, owned_by("node", n.id))
            for i, n in enumerate(wf.nodes)
        ),
    ]
    for base, notifications, owner in owners:
        for index, notification in enumerate(notifications):
            where = (*base, index)
            problems.extend(_check_one(notification, where, owner, workflow_level=not owner))
    return problems


def _check_one(
    notification: Notification, where: tuple[str | int, ...], owner: OwnerIds, *, workflow_level: bool
) -> list[Problem]:
    problems: list[Problem] = []
    try:
        spec = resolve_notifier(notification.notifier)
        kwargs = notifier_kwargs(notification, spec)
        check_literal(kwargs)  # the notifier call's arguments are written as literals
    except NotifierError as exc:
        return [
            Problem(
                code="E_NOTIFIER",
                message=str(exc),
                pointer=pointer(*where, *exc.field.split("/")),
                hint=exc.hint,
                **owner,
            )
        ]
    except ValueError as exc:
        return [Problem(code="E_NOTIFIER", message=str(exc), pointer=pointer(*where, "parameters"), **owner)]
    if "deadline_miss" in notification.on:
        if not workflow_level:
            problems.append(
                Problem(
                    code="E_DEADLINE_SCOPE",
                    message="Deadline alerts apply to a whole workflow run in Airflow 3, not to a node or group.",
                    pointer=pointer(*where, "on"),
                    hint="Move this notification to the workflow's notifications, or use a node timeout.",
                    **owner,
                )
            )
        if notification.deadline_seconds is None:
            problems.append(
                Problem(
                    code="E_DEADLINE_MISSING",
                    message="A deadline_miss notification needs deadline_seconds.",
                    pointer=pointer(*where, "deadline_seconds"),
                    **owner,
                )
            )
    if not notification.on:
        problems.append(
            Problem(
                code="W_NOTIFY_NEVER",
                message="This notification has no events in 'on' and will never be sent.",
                pointer=pointer(*where, "on"),
                severity="warning",
                **owner,
            )
        )
    return problems
