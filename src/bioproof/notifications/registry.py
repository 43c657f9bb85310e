"""Which audit events notify whom.

An app maps an audit action to a rule in its ``notify.py``::

    notify.rule(
        "evaluation.requested",
        Evaluation,
        recipients=lambda event, ev: notify.members(ev.center_id, Role.STAFF, Role.EVALUATOR),
        message=_("%(actor)s requested the evaluation %(object)s"),
        url=lambda ev: reverse("evaluation_detail", args=[ev.code]),
    )

When the event is appended (same transaction), :func:`on_audit_event` creates one
:class:`~bioproof.notifications.models.Notification` per recipient. Recipients come from the rule,
and then only those who can see the object through its app's policy (``Model.objects.visible_to``)
keep it: never the actor, never someone the object is hidden from. Whoever asked for immediate
e-mail gets it through the job queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    action: str
    model: type[models.Model]
    recipients: Callable[[Any, Any], Iterable[Any]]
    message: str | Promise
    url: Callable[[Any], str]
    # the object whose visibility decides (e.g. a report's evaluation); default: the object
    subject: Callable[[Any], models.Model] | None = None


_rules: dict[str, Rule] = {}


def rule(
    action: str,
    model: type[models.Model],
    *,
    recipients: Callable[[Any, Any], Iterable[Any]],
    message: str | Promise,
    url: Callable[[Any], str],
    subject: Callable[[Any], models.Model] | None = None,
) -> Rule:
    entry = Rule(action, model, recipients, message, url, subject)
    _rules[action] = entry
    return entry


def rules() -> dict[str, Rule]:
    return dict(_rules)


def unregister(action: str) -> None:
    _rules.pop(action, None)


def members(organization_id: int | None, *roles: str) -> models.QuerySet[Any]:
    """Active users holding any of ``roles`` in the organization (org admins hold every role)."""
    from bioproof.consortium.models import Membership, User

    if organization_id is None:
        return User.objects.none()
    wanted = {*roles, Membership.Role.ORG_ADMIN}
    return User.objects.filter(
        is_active=True,
        memberships__organization_id=organization_id,
        memberships__role__in=wanted,
    ).distinct()


def can_see(user: Any, subject: models.Model) -> bool:
    """The app's policy decides: ``visible_to(user)`` must hold the subject."""
    manager = type(subject)._default_manager
    if not hasattr(manager.get_queryset(), "visible_to"):
        return False  # a model without a policy notifies no one
    return manager.get_queryset().visible_to(user).filter(pk=subject.pk).exists()


def recipients_for(event: Any, entry: Rule, obj: Any) -> list[Any]:
    subject = entry.subject(obj) if entry.subject else obj
    seen: set[int] = set()
    out = []
    for user in entry.recipients(event, obj):
        if user is None or user.pk in seen or user.pk == event.actor_id or not user.is_active:
            continue
        seen.add(user.pk)
        if can_see(user, subject):
            out.append(user)
    return out


def on_audit_event(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """post_save of AuditEvent: notify the rule's recipients, in the event's transaction."""
    if kwargs.get("raw") or not created:
        return
    entry = _rules.get(instance.action)
    if entry is None or not instance.object_id:
        return
    obj = entry.model._base_manager.filter(pk=instance.object_id).first()
    if obj is None:
        return
    notify(instance, entry, obj)


def notify(event: Any, entry: Rule, obj: Any) -> list[Any]:
    from bioproof.core import jobs
    from bioproof.notifications.models import Notification, Preference

    people = recipients_for(event, entry, obj)
    if not people:
        return []
    actor_name = ""
    if event.actor_id:
        actor = event.actor
        actor_name = (actor.get_full_name() or actor.username)[:200]
    url = entry.url(obj)[:300]
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                event=event,
                action=event.action,
                actor_name=actor_name,
                object_repr=event.object_repr,
                url=url,
            )
            for user in people
        ]
    )
    prefs = dict(Preference.objects.filter(user__in=people).values_list("user_id", "email"))
    immediate = [
        n.pk
        for n, user in zip(created, people, strict=True)
        if user.email
        and prefs.get(user.pk, Preference.Email.IMMEDIATE) == Preference.Email.IMMEDIATE
    ]
    if immediate:
        jobs.enqueue("notifications.email", by=None, notification_ids=immediate)
    return created


def text(notification: Any) -> str:
    """The notification's sentence in the active language."""
    entry = _rules.get(notification.action)
    values = {
        "actor": notification.actor_name or "BioProof",
        "object": notification.object_repr,
    }
    if entry is None:
        return f"{notification.action}: {notification.object_repr}"
    return str(entry.message) % values


def text_in(notification: Any, language: str) -> str:
    with translation.override(language):
        return text(notification)
