"""/verify/ says whether a report is public, superseded, withdrawn or not public, and names
nothing of a never-published report to anyone but its parties (review finding, issue 11.7)."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from bioproof.evaluations import actions

pytestmark = pytest.mark.django_db


def _verify(code: str, client: Client | None = None, pdf: bytes | None = None) -> str:
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    if pdf is None:
        return client.get("/verify/", {"code": code}).content.decode()
    upload = io.BytesIO(pdf)
    upload.name = "report.pdf"
    return client.post("/verify/", {"code": code, "pdf": upload}).content.decode()


def test_never_published_report_names_nothing(approved, people) -> None:
    report = actions.generate_report(by=people["evaluator"], evaluation=approved, language="en")
    page = _verify(report.verification_code)
    assert 'data-state="not_public"' in page and "is not public" in page
    for secret in ("Alpha CHO Medium", "알파 CHO 배지", approved.code, "Animal Cell Center"):
        assert secret not in page, secret
    assert report.sha256 not in page
    assert "is identical" in _verify(report.verification_code, pdf=report.file.read())
    assert "differs" in _verify(report.verification_code, pdf=b"%PDF-1.7 forged")
    party = Client(HTTP_ACCEPT_LANGUAGE="en")
    party.force_login(people["a_staff"])
    assert approved.code in _verify(report.verification_code, party)  # its parties see facts


def test_published_report_is_public(published) -> None:
    report = published.track_records.get().report
    page = _verify(report.verification_code)
    assert 'data-state="public"' in page and published.code in page and report.sha256 in page


def test_withdrawn_report_says_so_with_the_reason(published, people) -> None:
    report = published.track_records.get().report
    actions.withdraw(by=people["a_admin"], evaluation=published, reason="Raw data mislabelled")
    page = _verify(report.verification_code)
    assert 'data-state="withdrawn"' in page
    assert "Withdrawn" in page and "Raw data mislabelled" in page


def test_superseded_report_points_to_the_current_code(published, people) -> None:
    old = published.track_records.get().report
    actions.withdraw(by=people["a_admin"], evaluation=published, reason="correct it")
    published.refresh_from_db()
    new = actions.start_correction(by=people["approver"], evaluation=published, reason="typo")
    page = _verify(old.verification_code)
    assert 'data-state="superseded"' in page and "current version is not public" in page
    new = actions.analyse(by=people["evaluator"], evaluation=new)
    for who, meaning in (
        ("evaluator", "authored"),
        ("reviewer", "reviewed"),
        ("approver", "approved"),
    ):
        actions.sign(by=people[who], evaluation=new, meaning=meaning, password="s3cret-test-pass")
    report = actions.generate_report(by=people["evaluator"], evaluation=new, language="en")
    actions.publish(by=people["a_admin"], evaluation=new, consent=True)
    page = _verify(old.verification_code)
    assert 'data-state="superseded"' in page and report.verification_code in page
    assert "version 2" in page
