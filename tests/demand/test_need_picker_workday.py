"""A need's acceptance criteria from the KPI picker: converted to the KPI's unit, a wrong kind
of unit refused on the form, no duplicate criteria with the text lines."""

from __future__ import annotations

from typing import Any

import pytest

from bioproof.catalog.models import Category
from bioproof.demand.models import Need

pytestmark = pytest.mark.django_db


def _data(**rows: Any) -> dict[str, Any]:
    data = {
        "title": "Domestic CHO medium",
        "category": Category.objects.get(code="media").pk,
        "incumbent": "Imported medium",
        "visibility": "consortium",
        "criteria": "",
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "0",
    }
    data.update(rows)
    return data


def test_need_criteria_from_the_picker(client: Any, people: Any) -> None:
    client.force_login(people["demand"])
    page = client.get("/needs/new/").content.decode()
    assert 'name="criteria-0-kpi"' in page and "×10⁶ cells/mL" in page
    bad = client.post(
        "/needs/new/",
        _data(
            **{
                "criteria-0-kpi": "peak_vcd",
                "criteria-0-comparison": "minimum",
                "criteria-0-value": "5",
                "criteria-0-unit": "g/L",
            }
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 200 and not Need.objects.exists()
    assert "different kind of quantity" in bad.content.decode()
    ok = client.post(
        "/needs/new/",
        _data(
            **{
                "criteria-0-kpi": "peak_vcd",
                "criteria-0-comparison": "minimum",
                "criteria-0-value": "5000000",
                "criteria-0-unit": "cells/mL",
                "criteria-1-kpi": "final_titer",
                "criteria-1-comparison": "non_inferiority",
                "criteria-1-value": "10",
                "criteria-1-unit": "%",
            }
        ),
    )
    assert ok.status_code == 302
    need = Need.objects.get()
    by_kpi = {c["kpi"]: c for c in need.criteria}
    assert by_kpi["peak_vcd"]["value"] == pytest.approx(5.0)
    assert by_kpi["peak_vcd"]["unit"] == "1e6 cells/mL"
    assert by_kpi["final_titer"]["value"] == pytest.approx(0.10)
    assert by_kpi["final_titer"]["relative"] is True


def test_picker_and_text_do_not_duplicate(client: Any, people: Any) -> None:
    client.force_login(people["demand"])
    r = client.post(
        "/needs/new/",
        _data(
            criteria="final_titer non_inferiority 10 %",
            **{
                "criteria-0-kpi": "final_titer",
                "criteria-0-comparison": "non_inferiority",
                "criteria-0-value": "10",
            },
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200 and not Need.objects.exists()
    assert "already has a non_inferiority criterion" in r.content.decode()
