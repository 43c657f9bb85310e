"""``GET /api/search``: the search box over the API (anonymous or authenticated)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from bioproof.consortium.auth import api_user
from bioproof.search.query import search

router = Router(auth=None)


def viewer(request: HttpRequest) -> Any:
    """The session user, or the user of a valid ``Authorization: Bearer`` token (one resolver)."""
    return api_user(request)


class SearchParams(Schema):
    q: str = ""
    category: str = Field("", description="category code; its sub-categories are included")
    center: str = Field("", description="center organization code (track records)")
    verdict: str = Field("", description="'pass' or 'fail' (track records, products)")
    supplier: str = Field("", description="supplier organization code")
    kind: str = Field("", description="product, track_record or need")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


class HitOut(Schema):
    kind: str
    code: str
    title_ko: str
    title_en: str
    subtitle_ko: str
    subtitle_en: str
    verdict: str | None
    status: str
    url: str
    score: float


class SearchOut(Schema):
    count: int
    limit: int
    offset: int
    tokens: list[str]
    matched_all_tokens: bool
    items: list[HitOut]


@router.get("", response=SearchOut)
def search_endpoint(request: HttpRequest, params: Query[SearchParams]) -> Any:
    """Products, public track records and needs visible to you, best match first.

    Korean and English: the query is split into morphemes (kiwipiepy) and matched against names,
    categories, suppliers, specifications and a bilingual synonym table (배지 ↔ medium …).
    """
    return search(viewer(request), **params.dict()).to_dict()
