"""Programme pages, exports, targets and pledges: who sees what, bad input, the k rule."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from bioproof.consortium.models import User
from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.programme import actions
from bioproof.programme.models import Pledge, PledgeEvidence, TargetSet

PASSWORD = "Correct-horse-9"


@pytest.fixture
def client():
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def office(db):
    return User.objects.create_superuser("office", "office@example.org", PASSWORD)


@pytest.fixture
def member(people, orgs):
    orgs["demand"].is_consortium_member = True
    orgs["demand"].save()
    return people["demand"]


def test_public_dashboard_hides_single_organization_figures(client, published) -> None:
    page = client.get("/programme/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-key="evaluations"' in html
    assert "fewer than 3 organizations" in html
    assert "<svg" in html


def test_members_and_office_pages_are_gated(client, people, member, office, published) -> None:
    assert client.get("/programme/members/").status_code == 403
    client.force_login(people["a_staff"])  # supplier, not a consortium member
    assert client.get("/programme/members/").status_code == 403
    client.force_login(member)
    assert client.get("/programme/members/").status_code == 200
    assert client.get("/programme/office/").status_code == 403
    assert client.get("/programme/office/records/evaluations/").status_code == 403
    client.force_login(office)
    page = client.get("/programme/office/")
    assert page.status_code == 200
    assert "/programme/office/records/evaluations/" in page.content.decode()
    drill = client.get("/programme/office/records/evaluations/")
    assert published.code in drill.content.decode()


def test_bad_filters_are_named_not_a_500(client, published) -> None:
    page = client.get("/programme/?year_from=abc&category=nope&center=x")
    assert page.status_code == 200
    assert "Enter a whole number" in page.content.decode()
    swapped = client.get("/programme/?year_from=2030&year_to=2020")
    assert "The first year is after the last year" in swapped.content.decode()
    assert client.get("/programme/export/secret.xlsx").status_code == 404


def test_exports_follow_the_audience(client, office, published) -> None:
    public = client.get("/programme/export/public.xlsx")
    assert public.status_code == 200
    book = load_workbook(io.BytesIO(public.content))
    assert "About" in book.sheetnames
    headline = book["Headline"]
    values = {row[0].value: row[1].value for row in headline.iter_rows(min_row=2)}
    assert "not shown" in str(values["Evaluations"])
    assert client.get("/programme/export/office.csv").status_code == 403
    client.force_login(office)
    csv_text = client.get("/programme/export/office.csv").content.decode("utf-8-sig")
    assert "Evaluations" in csv_text


def test_api_gives_the_callers_audience(client, office, published) -> None:
    body = client.get("/api/programme/indicators").json()
    assert body["audience"] == "public" and body["k"] == 3
    head = {h["key"]: h for h in body["headline"]}
    assert head["evaluations"]["suppressed"] is True and head["evaluations"]["value"] is None
    client.force_login(office)
    body = client.get("/api/programme/indicators").json()
    assert body["audience"] == "office"
    assert {h["key"]: h for h in body["headline"]}["evaluations"]["value"] == 1
    bad = client.get("/api/programme/indicators?category=nope")
    assert bad.status_code == 400 and "nope" in bad.json()["detail"]


def test_targets_are_versioned_with_a_reason(client, office, member) -> None:
    item = {
        "code": "media",
        "name_ko": "배지",
        "name_en": "Media",
        "category": "media",
        "volume_unit": "L",
        "target_share_pct": 15,
    }
    first = actions.publish_targets(by=office, reason="launch", items=[item], targets=[])
    second = actions.publish_targets(
        by=office,
        reason="raised to 20 %",
        items=[{**item, "target_share_pct": 20}],
        targets=[{"indicator": "investment_krw", "year": 2030, "value": 17.7e12}],
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current and second.version == 2
    assert first.core_items.get().target_share_pct == 15  # the old version is kept
    with pytest.raises(PolicyDenied):
        actions.publish_targets(by=member, reason="x", items=[item], targets=[])
    with pytest.raises(DomainError, match="listed twice"):
        actions.publish_targets(by=office, reason="x", items=[item, item], targets=[])
    with pytest.raises(DomainError, match="from 0 to 100"):
        actions.publish_targets(
            by=office, reason="x", items=[{**item, "target_share_pct": 150}], targets=[]
        )
    with pytest.raises(DomainError, match="required"):
        actions.publish_targets(by=office, reason=" ", items=[item], targets=[])
    assert TargetSet.objects.count() == 2
    client.force_login(member)
    assert client.post("/programme/targets/", {}).status_code == 403
    page = client.get("/programme/targets/")
    assert "raised to 20 %" in page.content.decode()


def test_targets_form_publishes_a_version(client, office) -> None:
    client.force_login(office)
    data = {
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-code": "resin",
        "items-0-name_ko": "레진",
        "items-0-name_en": "Resins",
        "items-0-category": "media",
        "items-0-volume_unit": "L",
        "items-0-target_share_pct": "10",
        "items-0-target_year": "2030",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-indicator": "localisation_pct",
        "targets-0-year": "2030",
        "targets-0-value": "20",
        "reason": "first",
    }
    response = client.post("/programme/targets/", data)
    assert response.status_code == 302
    assert TargetSet.objects.get().core_items.get().code == "resin"


def test_pledges_are_confidential_and_audited(client, member, make_user, orgs, office) -> None:
    other = make_user("other", "supplier_a", "staff")
    orgs["supplier_a"].is_consortium_member = True
    orgs["supplier_a"].save()
    client.force_login(member)
    response = client.post(
        "/programme/pledges/",
        {
            "organization": orgs["demand"].pk,
            "kind": "pledge",
            "amount_krw": "500000000000",
            "year": "2027",
            "site": "Osong",
            "category": "facility",
            "evidence": SimpleUploadedFile("board.pdf", b"%PDF-1.4 minutes"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge = Pledge.objects.get()
    evidence = PledgeEvidence.objects.get()
    assert evidence.pledge == pledge and len(evidence.sha256) == 64
    assert client.get(f"/programme/evidence/{evidence.pk}/").status_code == 200
    client.force_login(other)
    assert pledge.code not in client.get("/programme/pledges/").content.decode()
    assert client.get(f"/programme/evidence/{evidence.pk}/").status_code == 404
    with pytest.raises(PolicyDenied):
        actions.record_pledge(
            by=other,
            organization=orgs["demand"],
            kind="pledge",
            amount_krw=1,
            year=2027,
            site="x",
            category="other",
        )
    with pytest.raises(DomainError, match="pledge this execution fulfils"):
        actions.record_pledge(
            by=member,
            organization=orgs["demand"],
            kind="execution",
            amount_krw=1,
            year=2025,
            site="x",
            category="other",
        )
    with pytest.raises(DomainError, match="whole won"):
        actions.record_pledge(
            by=member,
            organization=orgs["demand"],
            kind="pledge",
            amount_krw="1.5",
            year=2027,
            site="x",
            category="other",
        )
    actions.withdraw_pledge(by=office, pledge=pledge, reason="recorded twice")
    pledge.refresh_from_db()
    assert pledge.withdrawn_at is not None
    with pytest.raises(DomainError, match="already withdrawn"):
        actions.withdraw_pledge(by=office, pledge=pledge, reason="again")
