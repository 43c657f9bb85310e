"""The public verification of a certificate of analysis: status only, to the code holder."""

from __future__ import annotations

import re
from typing import Any

from bioproof.production.models import Certificate

_CODE = re.compile(r"^[0-9A-F]{16}$")


def public_status(verification_code: str) -> dict[str, Any] | None:
    """The CoA's code, batch, product, issue date and the batch's disposition — or None.

    Only the secret verification code printed on the CoA opens this (not the CoA or batch code),
    and nothing of the sequence, results or customer is shown."""
    code = (verification_code or "").strip().upper()
    if not _CODE.match(code):
        return None
    coa = Certificate.objects.select_related("batch").filter(verification_code=code).first()
    if coa is None:
        return None
    return {
        "code": coa.code,
        "batch": coa.batch.code,
        "product": coa.content.get("product", ""),
        "issued": coa.generated_at,
        "status": coa.batch.status,
        "status_display": coa.batch.get_status_display(),
        "sha256": coa.sha256,
    }
