"""Electronic signatures in the manner of 21 CFR Part 11 and EU GMP Annex 11.

A signature binds a user, a meaning (authored, reviewed, approved, released), a time and the
SHA-256 of the signed content. Signing asks for the password again (§11.200(a)(1)(i): each
signing during a session uses at least one component, here the password).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.core import audit
from bioproof.core.errors import DomainError
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.core.models import AuditEvent, Signature

FAILED_ACTION = "signature.password_failed"
LOCKED_ACTION = "signature.locked_out"

# Wrong signing passwords of this request or task, written once the action's transaction has
# rolled back (the failure must outlive the refusal it causes); see flush_signing_failures().
_pending: ContextVar[tuple[int, ...]] = ContextVar("bioproof_signing_failures", default=())
# (stored hash, SHA-256 of the password) pairs verified inside remembered_passwords()
_verified: ContextVar[set[tuple[str, str]] | None] = ContextVar(
    "bioproof_verified_passwords", default=None
)


@contextlib.contextmanager
def remembered_passwords() -> Iterator[None]:
    """Within the block, a password already verified against the very same stored hash (salt
    included) is not run through the password hasher again: the result cannot differ. The demo
    loader signs a dozen times with accounts sharing one hash (one PBKDF2 instead of one per
    signature); the memo lives in the block's context only and is dropped at its end."""
    token = _verified.set(set())
    try:
        yield
    finally:
        _verified.reset(token)


def remember_verified(encoded: str, password: str) -> None:
    """Inside :func:`remembered_passwords`: note that ``encoded`` is the hash of ``password``
    (the caller just made it with ``make_password``), so no signature re-runs the hasher."""
    memo = _verified.get()
    if memo is not None:
        memo.add((encoded, hashlib.sha256(password.encode()).hexdigest()))


def _password_matches(user: Any, password: str) -> bool:
    memo = _verified.get()
    if memo is None:
        return bool(user.check_password(password))
    key = (user.password or "", hashlib.sha256(password.encode()).hexdigest())
    if key in memo:
        return True
    if user.check_password(password):
        memo.add(key)
        return True
    return False


def _limit() -> int:
    return max(1, int(settings.BIOPROOF_SIGNING_FAILURE_LIMIT))


def _cooloff() -> dt.timedelta:
    return dt.timedelta(minutes=max(1, int(settings.BIOPROOF_LOCKOUT_MINUTES)))


def recent_signing_failures(user: Any) -> list[dt.datetime]:
    """Times of ``user``'s wrong signing passwords within the cool-off, since their last signature.

    Counted from the audit trail, so every worker process sees the same count.
    """
    since = timezone.now() - _cooloff()
    last_signed = (
        AuditEvent.objects.filter(actor=user, action="signature.applied", at__gte=since)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    return list(
        AuditEvent.objects.filter(actor=user, action=FAILED_ACTION, at__gte=last_signed or since)
        .order_by("seq")
        .values_list("at", flat=True)
    )


def signing_locked_until(user: Any) -> dt.datetime | None:
    """When ``user`` may sign again after too many wrong passwords; None when they may now."""
    failures = recent_signing_failures(user)
    if len(failures) < _limit():
        return None
    return failures[-1] + _cooloff()


def _record_failures(user_pks: tuple[int, ...]) -> None:
    from django.contrib.auth import get_user_model

    for pk in user_pks:
        user = get_user_model().objects.filter(pk=pk).first()
        if user is None:
            continue
        org = getattr(user, "primary_organization", None)
        count = len(recent_signing_failures(user)) + 1
        audit.record(
            actor=user,
            action=FAILED_ACTION,
            obj=user,
            organization=org,
            after={"failures": count, "limit": _limit()},
        )
        if count == _limit():
            audit.record(
                actor=user,
                action=LOCKED_ACTION,
                obj=user,
                organization=org,
                after={
                    "failures": count,
                    "until": timezone.now() + _cooloff(),
                    "minutes": int(_cooloff().total_seconds() // 60),
                },
            )


def flush_signing_failures() -> None:
    """Write the wrong signing passwords noted so far to the audit trail (each with its count,
    and the lock-out when the limit is reached). Called at the end of every request; a task or
    test that calls signing actions directly calls it after the refusal."""
    pending = _pending.get()
    if not pending:
        return
    _pending.set(())
    with transaction.atomic():
        _record_failures(pending)


def discard_signing_failures() -> None:
    """Forget failures noted but not written (a new request starts clean)."""
    _pending.set(())


def reauthenticate(user: Any, password: str) -> None:
    """Raise a DomainError unless ``password`` is the user's current password.

    Throttled per user: after ``BIOPROOF_SIGNING_FAILURE_LIMIT`` wrong passwords within
    ``BIOPROOF_LOCKOUT_MINUTES`` (and since the last signature), signing is refused until the
    cool-off has passed, whatever password is given. Each wrong password and the lock-out are
    audited. A user whose password was reset by an administrator cannot sign until they have
    chosen a new one: the administrator knew the temporary password and could otherwise sign as
    them.
    """
    if getattr(user, "must_change_password", False) or (
        getattr(user, "pk", None) is not None
        and get_user_model()._default_manager.filter(pk=user.pk, must_change_password=True).exists()
    ):
        raise DomainError(
            _(
                "Your password was reset by an administrator: choose a new password before "
                "signing; the signature was not applied."
            ),
            field="password",
        )
    until = signing_locked_until(user)
    if until is not None:
        raise DomainError(
            _(
                "Signing is locked after %(n)d wrong passwords; try again after %(time)s "
                "or ask the platform administrator."
            )
            % {"n": _limit(), "time": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")},
            field="password",
        )
    if password and _password_matches(user, password):
        return
    left = _limit() - len(recent_signing_failures(user)) - 1 - len(_pending.get())
    _pending.set((*_pending.get(), user.pk))
    if not transaction.get_connection().in_atomic_block:
        flush_signing_failures()
    if left <= 0:
        message = _(
            "Password is not correct; the signature was not applied. Signing is now locked "
            "for %(minutes)d minutes."
        ) % {"minutes": int(_cooloff().total_seconds() // 60)}
    else:
        message = _(
            "Password is not correct; the signature was not applied (%(left)d attempts left "
            "before signing is locked)."
        ) % {"left": left}
    raise DomainError(message, field="password")


@transaction.atomic
def apply_signature(
    *,
    by: Any,
    password: str,
    obj: models.Model,
    code: str,
    version: int,
    meaning: str,
    content_hash: str,
    organization: Any,
    comment: str = "",
) -> Signature:
    """Re-authenticate ``by`` and record a signature over ``content_hash``; audited.

    The signed record's row is locked (callers lock it before computing ``content_hash``); a
    second signature of the same meaning is refused with a ConflictError (409)."""
    reauthenticate(by, password)
    return record_signature(
        by=by,
        obj=obj,
        code=code,
        version=version,
        meaning=meaning,
        content_hash=content_hash,
        organization=organization,
        comment=comment,
    )


@transaction.atomic
def record_signature(
    *,
    by: Any,
    obj: models.Model,
    code: str,
    version: int,
    meaning: str,
    content_hash: str,
    organization: Any,
    comment: str = "",
) -> Signature:
    """Record a signature whose signer the calling action has just re-authenticated.

    Only for a series of signings in one action after one :func:`reauthenticate` (§11.200(a)(1)(i):
    a series of signings during one continuous session); every other caller uses
    :func:`apply_signature`.
    """
    if meaning not in Signature.Meaning.values:
        raise DomainError(_("Unknown signature meaning: %(m)s") % {"m": meaning}, field="meaning")
    # Lock the row without refreshing the caller's instance (it may hold unsaved changes).
    lock(type(obj)._default_manager.filter(pk=obj.pk))
    with unique_or_conflict(
        _("%(code)s has been signed as %(m)s already.") % {"code": code, "m": meaning}
    ):
        signature = Signature.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            object_code=code,
            object_version=version,
            meaning=meaning,
            signer=by,
            signer_name=by.get_full_name() or by.username,
            organization=organization,
            signed_at=timezone.now(),
            content_hash=content_hash,
            comment=comment,
        )
    audit.record(
        actor=by,
        action="signature.applied",
        obj=obj,
        organization=organization,
        after={
            "meaning": meaning,
            "code": code,
            "version": version,
            "content_hash": content_hash,
            "signature_id": signature.pk,
        },
        reason=comment,
    )
    return signature


def signatures_for(obj: models.Model) -> models.QuerySet[Signature]:
    return Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("signer", "organization")
