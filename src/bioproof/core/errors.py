"""Domain errors: each carries a message a user can act on.

The web shows it on the form, the API answers 4xx with it, the CLI exits non-zero with it.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be carried out as asked (bad input or wrong state)."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field

    def __str__(self) -> str:
        return self.message


class PolicyDenied(DomainError):
    """The user may not do this to this record."""

    status_code = 403


class InvalidTransition(DomainError):
    """The record's workflow does not allow this step from its current state."""

    status_code = 409


class ConflictError(DomainError):
    """Another request changed or created the same record first (HTTP 409); try again."""

    status_code = 409


class FileTooLarge(DomainError):
    """An upload is larger than the configured limit (HTTP 413)."""

    status_code = 413


class FileStoreError(DomainError):
    """The file store could not keep a file (full disk, unreachable bucket); nothing was saved."""

    status_code = 503
