"""Errors of the interop app (domain errors: a message naming the problem, a 4xx status)."""

from __future__ import annotations

from bioproof.core.errors import DomainError


class NotFound(DomainError):
    """Nothing the user may see has this code (HTTP 404; says nothing more to a stranger)."""

    status_code = 404


class InstrumentFileError(DomainError):
    """An instrument export cannot be converted or imported: names the instrument and problem."""

    status_code = 422
