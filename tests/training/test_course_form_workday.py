"""A training provider's staff create and version a course through the web form (the training
actions do the writing); the course list filters, sorts and exports."""

from __future__ import annotations

from typing import Any

import pytest

from bioproof.core.models import AuditEvent
from bioproof.training.models import Course

pytestmark = pytest.mark.django_db


def _post(**over: Any) -> dict[str, Any]:
    data = {
        "code": "dsp-110",
        "title_ko": "하류공정 크로마토그래피",
        "title_en": "Downstream chromatography",
        "description_ko": "단백질 A 포획 실습",
        "description_en": "Protein A capture, hands-on",
        "level": "intermediate",
        "fee_krw": "250000",
        "capacity": "12",
        "min_attendance_pct": "80",
        "min_score": "70",
        "prerequisite_qualifications": "uo.cell-culture",
        "checklist": "Column packing\nHETP test",
        "certificate_validity_months": "24",
        "cancellation_days": "7",
        "modules-TOTAL_FORMS": "3",
        "modules-INITIAL_FORMS": "0",
        "modules-0-title": "Chromatography theory",
        "modules-0-kind": "theory",
        "modules-0-hours": "4",
        "modules-1-title": "AKTA practice",
        "modules-1-kind": "practical",
        "modules-1-hours": "8",
        "modules-2-title": "",
        "modules-2-kind": "theory",
        "grants-TOTAL_FORMS": "2",
        "grants-INITIAL_FORMS": "0",
        "grants-0-key": "chromatography.akta",
        "grants-0-name_ko": "AKTA 운전",
        "grants-0-name_en": "AKTA operation",
        "grants-0-validity_months": "24",
        "grants-1-key": "",
    }
    data.update(over)
    return data


def test_provider_staff_create_and_version_a_course(client: Any, provider: Any, tp: Any) -> None:
    client.force_login(tp["coordinator"])
    assert 'name="modules-0-title"' in client.get("/training/courses/new/").content.decode()
    r = client.post("/training/courses/new/", _post(provider=provider.pk))
    assert r.status_code == 302, r.context["form"].errors
    course = Course.objects.get(code="DSP-110")
    v1 = course.current
    assert v1.title_en == "Downstream chromatography" and v1.fee_krw == 250000
    assert [m["kind"] for m in v1.modules] == ["theory", "practical"]
    assert v1.grants[0]["key"] == "chromatography.akta" and v1.grants[0]["validity_months"] == 24
    assert v1.prerequisites == [{"qualification": "uo.cell-culture"}]
    assert v1.checklist == ["Column packing", "HETP test"]
    assert AuditEvent.objects.filter(action="training.course_created").exists()
    # a module of the wrong size is refused on the form, nothing written
    bad = client.post(
        "/training/courses/new/",
        _post(code="DSP-111", provider=provider.pk, **{"modules-0-hours": "0"}),
    )
    assert bad.status_code == 200 and not Course.objects.filter(code="DSP-111").exists()
    no_modules = client.post(
        "/training/courses/new/",
        _post(
            code="DSP-112", provider=provider.pk, **{"modules-0-title": "", "modules-1-title": ""}
        ),
    )
    assert no_modules.status_code == 200 and not Course.objects.filter(code="DSP-112").exists()
    assert "과정에는 모듈이 하나 이상 있어야 합니다." in str(
        no_modules.context["form"].non_field_errors()
    )
    # a new version with a reason; the form starts from the current version
    page = client.get(f"/training/courses/{course.code}/revise/").content.decode()
    assert "Downstream chromatography" in page and "AKTA practice" in page
    r = client.post(
        f"/training/courses/{course.code}/revise/",
        _post(fee_krw="300000", reason="New fee for 2027"),
    )
    assert r.status_code == 302, (
        r.context["form"].errors,
        r.context["modules"].errors,
        r.context["grants"].errors,
    )
    course.refresh_from_db()
    assert course.current_version == 2 and course.current.fee_krw == 300000
    assert course.current.change_reason == "New fee for 2027"


def test_only_provider_staff_create_courses(client: Any, provider: Any, tp: Any) -> None:
    client.force_login(tp["trainee_a"])
    assert client.get("/training/courses/new/").status_code == 403
    assert client.post("/training/courses/new/", _post(provider=provider.pk)).status_code == 403
    assert not Course.objects.exists()


def test_course_list_filters_and_exports(client: Any, course: Any) -> None:
    page = client.get("/training/?level=intermediate").content.decode()
    assert "USP-201" in page
    assert "USP-201" not in client.get("/training/?level=advanced").content.decode()
    csv = client.get("/training/?export=csv")
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv") and "USP-201" in body
    api = client.get("/api/training/courses?level=advanced").json()
    assert api["count"] == 0
