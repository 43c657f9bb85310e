"""The public verification of a certificate: what anyone holding its code may see."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bioproof.training.models import Certificate


def public_record(code: str) -> dict[str, Any] | None:
    """The certificate's public facts, or None when no certificate has this code.

    The holder's name appears in full only with the holder's consent (else masked); the status
    is valid, expired or revoked (with the reason) today in Asia/Seoul.
    """
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    cert = (
        Certificate.objects.select_related("course_version__course", "provider__organization")
        .defer("credential_jwt", "credential_id")
        .filter(code=code)
        .first()
    )
    if cert is None:
        return None
    version = cert.course_version
    quals = {q["key"]: q for q in version.grants}
    unlocks = [
        {**q, "validity_months": quals.get(q["key"], {}).get("validity_months")}
        for q in cert.qualifications.order_by("key").values(
            "key", "name_ko", "name_en", "expires_on", "status"
        )
    ]
    return {
        "code": cert.code,
        "holder": cert.public_holder_name,
        "course": version.course.code,
        "course_version": version.version,
        "title_ko": version.title_ko,
        "title_en": version.title_en,
        "provider": cert.provider.organization.name,
        "issued_on": cert.issued_on,
        "expires_on": cert.expires_on,
        "status": cert.state_on(timezone.localdate()),
        "revoked_reason": cert.revoked_reason,
        "revoked_at": cert.revoked_at,
        "unlocks": unlocks,
    }
