"""Transcripts and programme statistics of training.

:func:`quarterly` is the function the programme dashboard reuses: per course and calendar quarter
(of the session's first day), how many were **enrolled** (a confirmed seat, not cancelled),
**attended** (at least one day present or late) and **passed** (the current, signed result is a
pass), by organization type of the trainee's organization on the enrollment:

| organization kind (consortium)          | type            |
|-----------------------------------------|-----------------|
| supplier (domestic 소부장 makers)        | ``sme``         |
| demand company (biopharma, CDMO)        | ``large``       |
| university / institute                  | ``university``  |
| demonstration center                    | ``center``      |
| agency, association, none               | ``other``       |

The consortium records no company size, so supplier = SME and demand company = large company is
the programme's own classification, not a measured one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

ORG_TYPES = {
    "supplier": "sme",
    "demand": "large",
    "university": "university",
    "center": "center",
}
TYPES = ("sme", "large", "university", "center", "other")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarterly(*, year: int | None = None, course: str | None = None) -> list[dict[str, Any]]:
    """Rows ``{course, quarter, type, enrolled, attended, passed}`` sorted by course, quarter,
    type; only combinations with at least one enrollment appear."""
    from bioproof.training.models import Assessment, Attendance, Enrollment

    qs = Enrollment.objects.filter(status="confirmed")
    if year:
        qs = qs.filter(session__starts_on__year=year)
    if course:
        qs = qs.filter(session__course_version__course__code=course)
    qs = qs.annotate(
        attended=Exists(
            Attendance.objects.filter(enrollment=OuterRef("pk"), status__in=["present", "late"])
        ),
        passed=Exists(
            Assessment.objects.filter(
                enrollment=OuterRef("pk"), is_current=True, status="final", passed=True
            )
        ),
    ).values_list(
        "session__course_version__course__code",
        "session__starts_on",
        "organization__kind",
        "attended",
        "passed",
    )
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for code, starts, kind, attended, passed in qs.iterator(chunk_size=2000):
        row = counts[(code, quarter_of(starts), ORG_TYPES.get(kind or "", "other"))]
        row[0] += 1
        row[1] += int(bool(attended))
        row[2] += int(bool(passed))
    return [
        {
            "course": k[0],
            "quarter": k[1],
            "type": k[2],
            "enrolled": v[0],
            "attended": v[1],
            "passed": v[2],
        }
        for k, v in sorted(
            counts.items(), key=lambda kv: (kv[0][0], kv[0][1], TYPES.index(kv[0][2]))
        )
    ]


def transcript(person: Any, at: dt.date | None = None) -> dict[str, Any]:
    """A person's training record: every enrollment (with its current result and certificate)
    and every qualification with its state on ``at`` (default today)."""
    from bioproof.training.models import Enrollment, Qualification
    from bioproof.training.qualifications import not_lapsed

    day = at or timezone.localdate()
    rows = []
    enrollments = (
        Enrollment.objects.filter(trainee=person)
        .select_related("session__course_version__course", "organization")
        .prefetch_related("assessments", "certificates")
        .order_by("session__starts_on", "id")
    )
    for e in enrollments:
        v = e.session.course_version
        result = next(
            (a for a in e.assessments.all() if a.is_current and a.status == "final"), None
        )
        cert = max(e.certificates.all(), key=lambda c: c.pk, default=None)
        rows.append(
            {
                "course": v.course.code,
                "course_version": v.version,
                "title_ko": v.title_ko,
                "title_en": v.title_en,
                "session": e.session.code,
                "starts_on": e.session.starts_on.isoformat(),
                "ends_on": e.session.ends_on.isoformat(),
                "status": e.status,
                "organization": e.organization.code if e.organization_id else None,
                "result": (
                    {
                        "version": result.version,
                        "attendance_pct": result.attendance_pct,
                        "theory_score": result.theory_score,
                        "passed": result.passed,
                        "signed_at": result.signed_at.isoformat() if result.signed_at else None,
                    }
                    if result
                    else None
                ),
                "certificate": (
                    {
                        "code": cert.code,
                        "state": cert.state_on(day),
                        "issued_on": cert.issued_on.isoformat(),
                        "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
                    }
                    if cert
                    else None
                ),
            }
        )
    quals = []
    for q in Qualification.objects.filter(person=person).order_by("key", "granted_on"):
        if q.status == "revoked":
            state = "revoked"
        elif q.expires_on and q.expires_on < day:
            state = "expired"
        elif not not_lapsed(q, day):
            state = "lapsed"
        else:
            state = "valid"
        quals.append(
            {
                "key": q.key,
                "name_ko": q.name_ko,
                "name_en": q.name_en,
                "source": "certificate" if q.certificate_id else "supervised_use",
                "granted_on": q.granted_on.isoformat(),
                "expires_on": q.expires_on.isoformat() if q.expires_on else None,
                "last_used_on": q.last_used_on.isoformat() if q.last_used_on else None,
                "state": state,
            }
        )
    return {
        "name": person.get_full_name() or person.username,
        "username": person.username,
        "as_of": day.isoformat(),
        "courses": rows,
        "qualifications": quals,
    }
