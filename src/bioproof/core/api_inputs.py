"""Checks of API inputs that a schema cannot express, answered as 400 with a clear message."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError

FILENAME_MAX_LENGTH = 200  # the models' filename columns


def upload_filename(name: str | None, *, field: str = "file", default: str = "upload") -> str:
    """The uploaded file's name, refused when longer than the column that stores it."""
    name = name or default
    if len(name) > FILENAME_MAX_LENGTH:
        raise DomainError(
            _("The file name is %(n)d characters long; at most %(max)d are allowed.")
            % {"n": len(name), "max": FILENAME_MAX_LENGTH},
            field=field,
        )
    return name
