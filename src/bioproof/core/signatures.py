"""Electronic signatures in the manner of 21 CFR Part 11 and EU GMP Annex 11.

A signature binds a user, a meaning (authored, reviewed, approved, released), a time and the
SHA-256 of the signed content. Signing asks for the password again (§11.200(a)(1)(i): each
signing during a session uses at least one component, here the password).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.core import audit
from bioproof.core.errors import DomainError
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.core.models import Signature


def reauthenticate(user: Any, password: str) -> None:
    """Raise a DomainError unless ``password`` is the user's current password."""
    if not password or not user.check_password(password):
        raise DomainError(
            _("Password is not correct; the signature was not applied."), field="password"
        )


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
    if meaning not in Signature.Meaning.values:
        raise DomainError(_("Unknown signature meaning: %(m)s") % {"m": meaning}, field="meaning")
    lock(obj)
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
