"""Helpers shared by the production actions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from bioproof.core import audit
from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.policy import is_authenticated


def require_user(by: Any) -> None:
    if not is_authenticated(by):
        raise PolicyDenied(_("Sign in first."))


def text(value: Any, field: str, *, required: bool = False, max_length: int = 200) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > max_length:
        raise DomainError(_("At most %(n)d characters, please.") % {"n": max_length}, field=field)
    return value


def number(value: Any, field: str, *, low: float, high: float) -> float:
    try:
        x = float(str(value).strip().replace(",", ""))
    except (TypeError, ValueError):
        raise DomainError(_("'%(v)s' is not a number.") % {"v": value}, field=field) from None
    if not math.isfinite(x) or not (low <= x <= high):
        raise DomainError(
            _("%(v)s is out of range: give a number from %(low)g to %(high)g.")
            % {"v": value, "low": low, "high": high},
            field=field,
        )
    return x


def content_hash(data: Mapping[str, Any]) -> str:
    return audit.sha256_hex(audit.canonical_json(data))


def transition(
    obj: Any, table: Mapping[str, tuple[frozenset[str], str | None]], action: str
) -> str:
    """The state ``obj`` moves to by ``action`` per ``table``; InvalidTransition (409) otherwise.
    ``None`` as target means the action does not change the state."""
    allowed, target = table[action]
    if obj.status not in allowed:
        raise InvalidTransition(
            _("%(what)s %(obj)s is %(state)s; '%(action)s' is not possible now.")
            % {
                "what": obj._meta.verbose_name,
                "obj": obj,
                "state": obj.get_status_display(),
                "action": action.replace("_", " "),
            }
        )
    return target or obj.status


def next_steps(obj: Any, table: Mapping[str, tuple[frozenset[str], str | None]]) -> list[str]:
    """Actions the state machine allows from ``obj``'s state (for pages)."""
    return [a for a, (allowed, _t) in table.items() if obj.status in allowed]


def record(
    by: Any,
    action: str,
    obj: Any,
    org: Any,
    *,
    after: Mapping[str, Any] | None = None,
    before: Mapping[str, Any] | None = None,
    reason: str = "",
) -> None:
    audit.record(
        actor=by,
        action=action,
        obj=obj,
        organization=org,
        before=before,
        after=after,
        reason=reason,
    )
