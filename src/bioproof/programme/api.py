"""API of the programme dashboard: the same indicators as the pages, for the caller's audience
(public: aggregates with the k rule; members: more breakdowns; programme office: everything)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from bioproof.catalog.models import Category
from bioproof.consortium.models import Organization
from bioproof.core.errors import DomainError
from bioproof.programme import indicators, policy
from bioproof.programme.views import _descendants, build
from bioproof.search.api import viewer

router = Router()


class IndicatorParams(Schema):
    year_from: int | None = Field(None, ge=2000, le=2100)
    year_to: int | None = Field(None, ge=2000, le=2100)
    center: str = Field("", description="center organization code", max_length=40)
    category: str = Field("", description="category code; sub-categories included", max_length=40)


class FigureOut(Schema):
    value: float | None = Field(description="null: no data, or hidden by the k rule")
    suppressed: bool = Field(description="hidden: fewer than k organizations behind it")


class HeadlineOut(FigureOut):
    key: str
    title: str
    unit: str


class PointOut(FigureOut):
    label: str


class SeriesOut(Schema):
    key: str
    title: str
    unit: str
    points: list[PointOut]
    targets: dict[str, float]


class TableOut(Schema):
    key: str
    title: str
    unit: str
    rows: list[PointOut]


class DefinitionOut(Schema):
    key: str
    title: str
    unit: str
    formula: str
    sources: str


class IndicatorsOut(Schema):
    audience: str
    k: int
    computed_at: str
    headline: list[HeadlineOut]
    series: list[SeriesOut]
    tables: list[TableOut]
    definitions: list[DefinitionOut]


def _filters(params: IndicatorParams) -> indicators.Filters:
    center = category = None
    if params.year_from and params.year_to and params.year_from > params.year_to:
        raise DomainError(_("year_from is after year_to."), field="year_from")
    if params.center:
        center = Organization.objects.filter(
            code=params.center, kind=Organization.Kind.CENTER
        ).first()
        if center is None:
            raise DomainError(
                _("Unknown center '%(c)s'.") % {"c": params.center[:40]}, field="center"
            )
    if params.category:
        category = Category.objects.filter(code=params.category).first()
        if category is None:
            raise DomainError(
                _("Unknown category '%(c)s'.") % {"c": params.category[:40]}, field="category"
            )
    return indicators.Filters(
        year_from=params.year_from,
        year_to=params.year_to,
        center=center.pk if center else None,
        categories=_descendants(category) if category else None,
    )


def _fig(fig: indicators.Figure) -> dict[str, Any]:
    return {"value": fig.value, "suppressed": fig.suppressed}


@router.get("/indicators", response=IndicatorsOut, auth=None)
def programme_indicators(request: HttpRequest, params: Query[IndicatorParams]) -> dict[str, Any]:
    """Every indicator for the caller's audience, filtered by period, center and category."""
    user = viewer(request)
    level = policy.audience(user)
    ctx = build(user, level, _filters(params))
    return {
        "audience": level,
        "k": ctx["k"],
        "computed_at": ctx["snapshot"].computed_at.isoformat(),
        "headline": [
            {"key": h["key"], "title": str(h["title"]), "unit": h["unit"], **_fig(h["figure"])}
            for h in ctx["headline"]
        ],
        "series": [
            {
                "key": c["key"],
                "title": str(c["title"]),
                "unit": c["unit"],
                "points": [{"label": year, **_fig(fig)} for year, fig in c["figures"]],
                "targets": c["targets"],
            }
            for c in ctx["charts"]
        ],
        "tables": [
            {
                "key": t["key"],
                "title": str(t["title"]),
                "unit": t["unit"],
                "rows": [{"label": str(r["label"]), **_fig(r["figure"])} for r in t["rows"]],
            }
            for t in ctx["tables"]
        ],
        "definitions": [
            {
                "key": d.key,
                "title": str(d.title),
                "unit": d.unit,
                "formula": str(d.formula),
                "sources": d.sources,
            }
            for d in ctx["definitions"]
        ],
    }
