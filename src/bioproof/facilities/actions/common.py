"""Validation helpers shared by the facilities actions."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bioproof.consortium.models import Organization
from bioproof.core.errors import ConflictError, DomainError
from bioproof.facilities.models import CustomerType


def text(value: Any, field: str, *, required: bool = False, max_length: int = 200) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > max_length:
        raise DomainError(_("At most %(n)d characters, please.") % {"n": max_length}, field=field)
    return value


def number(value: Any, field: str, *, low: float, high: float, integer: bool = False) -> Any:
    try:
        n = float(str(value).strip().replace(",", ""))
    except (TypeError, ValueError):
        raise DomainError(_("'%(v)s' is not a number.") % {"v": value}, field=field) from None
    if not math.isfinite(n) or not (low <= n <= high):
        raise DomainError(
            _("%(v)s is out of range: give a number from %(low)s to %(high)s.")
            % {"v": value, "low": low, "high": high},
            field=field,
        )
    if integer:
        if n != int(n):
            raise DomainError(_("'%(v)s' is not a whole number.") % {"v": value}, field=field)
        return int(n)
    return n


def when(value: Any, field: str) -> dt.datetime:
    """An aware datetime from a datetime or an ISO text (naive means Asia/Seoul)."""
    if isinstance(value, dt.datetime):
        result = value
    else:
        result = parse_datetime(str(value or "").strip().replace(" ", "T"))
        if result is None:
            raise DomainError(
                _("'%(v)s' is not a date and time (use YYYY-MM-DD HH:MM).") % {"v": value},
                field=field,
            )
    if timezone.is_naive(result):
        result = timezone.make_aware(result, timezone.get_default_timezone())
    return result


def date_or_none(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(
            _("'%(v)s' is not a date (use YYYY-MM-DD).") % {"v": value}, field=field
        ) from None


def local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def customer_type_for(organization: Organization | None) -> str:
    """The rate an organization pays unless a quote names another: consortium members the member
    rate; universities, agencies and associations the academic rate; demand companies
    (biopharma manufacturers, CDMOs) the large-company rate; suppliers and others the SME rate."""
    if organization is None:
        return CustomerType.SME
    if organization.is_consortium_member:
        return CustomerType.MEMBER
    if organization.kind in ("university", "agency", "association"):
        return CustomerType.ACADEMIC
    if organization.kind == "demand":
        return CustomerType.LARGE
    return CustomerType.SME


@contextmanager
def no_double_booking(message: str) -> Iterator[None]:
    """The database's last word: PostgreSQL's exclusion constraint (SQLSTATE 23P01) refusing an
    overlapping booking becomes a 409 with ``message``, never a 500."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        cause = exc.__cause__
        state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if state in ("23P01", "40P01", "40001") or "booking_no_overlap" in str(exc):
            raise ConflictError(message) from exc
        raise
