"""The API's limit/offset pagination, bounded so an out-of-range value is a 422, never a 500.

Without bounds an offset past the database's integer range (``offset=10**30``) reaches the SQL
``OFFSET`` and the database refuses it.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as _NinjaLimitOffsetPagination

P = ParamSpec("P")
R = TypeVar("R")
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000


class LimitOffsetPagination(_NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"at most {MAX_LIMIT} items")
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def typed(fn: Callable[P, R]) -> Callable[P, R]:
    """Resolve ``fn``'s string annotations in its own module, for ``@paginate`` to see them.

    ``@paginate`` wraps the view, and django-ninja resolves the wrapper's annotations in the
    wrapper's module, where names such as ``Need`` do not exist. Put ``@typed`` under it.
    """
    fn.__annotations__ = typing.get_type_hints(fn)
    return fn
