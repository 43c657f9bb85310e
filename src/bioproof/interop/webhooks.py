"""Webhooks: an organization subscribes an HTTPS endpoint to event types; each audit event of
such a type about a record the subscription may see becomes a delivery, sent through the job
queue, signed with HMAC-SHA256, retried with exponential backoff, every attempt logged.

Signature (receivers check it): header ``X-BioProof-Signature: t=<unix time>,v1=<hex>`` where
``hex = HMAC-SHA256(secret, "<t>.<raw body>")``; a receiver refuses a ``t`` more than 5 minutes
from its clock (replay) and compares in constant time (:func:`verify_signature`).

Who sees what: the subscription sees an event only if the person who made it (an org admin of
the subscribing organization, still active and still a member) may see the event's record under
its app's policy — the same ``visible_to`` as the pages; a published track record is public.
The payload names the event and the record (type, id, code, public link), never its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min between the six attempts
TIMEOUT_SECONDS = 10
TOLERANCE_SECONDS = 300

#: event type → what it means (the audit action of the same name)
EVENT_TYPES: dict[str, Any] = {
    "evaluation.requested": _("an evaluation was requested"),
    "evaluation.accepted": _("an evaluation was accepted by the center"),
    "evaluation.analysed": _("an evaluation's KPIs and verdicts were computed"),
    "evaluation.signed_approved": _("an evaluation was approved (e-signed)"),
    "evaluation.published": _("a track record was published"),
    "evaluation.withdrawn": _("a track record was withdrawn"),
    "run_data.uploaded": _("run data was uploaded"),
    "report.generated": _("an evaluation report was issued"),
    "instrument_file.imported": _("instrument files were imported into a run"),
    "need.posted": _("a demand need was posted"),
    "proposal.submitted": _("a proposal answered a need"),
    "training.certificate_issued": _("a training certificate was issued"),
}
PUBLIC_WHEN_PUBLISHED = frozenset({"evaluation.published", "evaluation.withdrawn"})

#: the record whose visibility decides, for objects without a policy of their own
SUBJECT: dict[str, Callable[[Any], Any]] = {
    "evaluations.rundatafile": lambda o: o.run.evaluation,
    "evaluations.run": lambda o: o.evaluation,
    "evaluations.report": lambda o: o.evaluation,
}


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, body: bytes, header: str, *, now: float | None = None) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


def subject_of(event: Any) -> Any | None:
    if not event.object_type or not event.object_id:
        return None
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return None
    obj = model._base_manager.filter(pk=event.object_id).first()
    if obj is None:
        return None
    to_subject = SUBJECT.get(event.object_type)
    return to_subject(obj) if to_subject else obj


def may_see(subscription: Any, event: Any, subject: Any) -> bool:
    viewer = subscription.created_by
    if not viewer.is_active or not viewer.is_member_of(subscription.organization_id):
        return False
    if event.action in PUBLIC_WHEN_PUBLISHED:
        from bioproof.evaluations.models import TrackRecord

        if TrackRecord.objects.filter(evaluation_id=subject.pk).exists():
            return True
    queryset = type(subject)._default_manager.get_queryset()
    if not hasattr(queryset, "visible_to"):
        return False  # a record without a policy is delivered to no one
    return queryset.visible_to(viewer).filter(pk=subject.pk).exists()


def payload(event: Any, subject: Any) -> dict[str, Any]:
    code = getattr(subject, "code", "") or ""
    return {
        "type": event.action,
        "occurred_at": event.at.astimezone(dt.UTC).isoformat(),
        "event": {"seq": event.seq, "hash": event.hash},
        "object": {
            "type": subject._meta.label_lower,
            "id": subject.pk,
            "code": code,
            "repr": event.object_repr if subject._meta.label_lower == event.object_type else "",
        },
        "api": f"{settings.BIOPROOF_SITE_URL}/api/v1/",
    }


def on_audit_event(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """post_save of AuditEvent: one delivery per subscription that may see the record."""
    if kwargs.get("raw") or not created or instance.action not in EVENT_TYPES:
        return
    from bioproof.interop.models import WebhookDelivery, WebhookSubscription

    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(is_active=True).select_related("created_by")
        if instance.action in (s.event_types or [])
    ]
    if not subscriptions:
        return
    subject = subject_of(instance)
    if subject is None:
        return
    body = payload(instance, subject)
    made = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=s,
                event=instance,
                event_type=instance.action,
                payload=body,
                next_attempt_at=timezone.now(),
            )
            for s in subscriptions
            if may_see(s, instance, subject)
        ]
    )
    ids = [d.pk for d in made]
    if ids:
        transaction.on_commit(lambda: schedule(ids), robust=True)


def schedule(ids: list[int], *, after: dt.datetime | None = None) -> None:
    """Queue one delivery job per delivery (deferred to ``after`` where the backend can)."""
    from bioproof.core import jobs

    for pk in ids:
        if after is None:
            jobs.enqueue("interop.webhook_deliver", by=None, key=f"webhook-{pk}", delivery_id=pk)
        else:
            _enqueue_later(pk, after)


def _enqueue_later(pk: int, when: dt.datetime) -> None:
    from bioproof.jobs.models import JobRun
    from bioproof.jobs.tasks import run_job

    try:
        backend_defers = run_job.get_backend().supports_defer
    except Exception:  # an unusual backend: the sweeper (bioproof webhooks deliver) retries
        backend_defers = False
    if not backend_defers:
        return  # left pending with next_attempt_at; `bioproof webhooks deliver` picks it up
    run = JobRun.objects.create(
        kind="interop.webhook_deliver", arguments={"delivery_id": pk}, key=f"webhook-{pk}"
    )
    result = run_job.using(run_after=when).enqueue(str(run.pk), str(run.token))
    JobRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])


# --- sending ------------------------------------------------------------------------------------


class DestinationRefused(Exception):
    pass


def check_destination(url: str) -> None:
    """HTTPS to a public address only (no requests into the platform's own network)."""
    parts = urlsplit(url)
    allow_http = getattr(settings, "BIOPROOF_WEBHOOK_ALLOW_HTTP", False)
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise DestinationRefused("only https:// endpoints are accepted")
    if not parts.hostname:
        raise DestinationRefused("the URL has no host")
    if getattr(settings, "BIOPROOF_WEBHOOK_ALLOW_PRIVATE", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DestinationRefused(f"the host does not resolve ({exc})") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DestinationRefused(f"the host resolves to a non-public address ({address})")


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and answer the status code (the transport; tests replace it)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


TRANSPORT: Callable[[str, bytes, dict[str, str]], int] = http_post


def deliver(delivery_id: int) -> str:
    """One attempt of one delivery; schedules the next attempt (exponential backoff) or gives up
    after :data:`MAX_ATTEMPTS`. Answers the delivery's status."""
    from bioproof.interop.models import WebhookDelivery

    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return delivery.status if delivery else "missing"
        sub = delivery.subscription
        body = json.dumps(
            {"id": delivery.pk, **delivery.payload}, sort_keys=True, separators=(",", ":")
        ).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "BioProof-Webhooks/1",
            "X-BioProof-Event": delivery.event_type,
            "X-BioProof-Delivery": str(delivery.pk),
            "X-BioProof-Signature": sign(sub.secret, body, timestamp),
        }
        status: int | None = None
        error = ""
        started = time.monotonic()
        if not sub.is_active:
            error = "subscription deactivated"
        else:
            try:
                check_destination(sub.url)
                status = TRANSPORT(sub.url, body, headers)
                if not 200 <= status < 300:
                    error = f"HTTP {status}"
            except DestinationRefused as exc:
                error = f"refused: {exc}"
            except Exception as exc:  # network errors of every kind are a failed attempt
                error = f"{type(exc).__name__}: {exc}"[:300]
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_status_code = status
        delivery.last_error = error[:300]
        delivery.log = [
            *delivery.log[-19:],
            {
                "attempt": delivery.attempts,
                "at": now.isoformat(),
                "status": status,
                "error": error[:300],
                "ms": round((time.monotonic() - started) * 1000),
            },
        ]
        later = None
        if not error:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS or not sub.is_active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            later = now + dt.timedelta(seconds=BACKOFF_SECONDS * 2 ** (delivery.attempts - 1))
            delivery.next_attempt_at = later
        delivery.save()
    if later is not None:
        transaction.on_commit(lambda: schedule([delivery.pk], after=later), robust=True)
    return delivery.status


def deliver_due(limit: int = 500) -> int:
    """Attempt every pending delivery whose time has come (the sweeper)."""
    from bioproof.interop.models import WebhookDelivery

    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        deliver(pk)
    return len(ids)
