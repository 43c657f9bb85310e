"""Process-development projects: request → quote (rate table, VAT 10 %) → signed acceptance →
work packages, bookings, deliverables → completion and invoice; confidential between the company
and the center over the role × organization matrix."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.signatures import signatures_for
from bioproof.facilities import actions
from bioproof.facilities.models import (
    Booking,
    Deliverable,
    Invoice,
    Project,
    Quote,
    QuoteLine,
    WorkPackage,
)

from .conftest import PASSWORD, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(fp: dict, orgs: dict) -> Project:
    return actions.request_project(
        by=fp["a_staff"],
        company=orgs["supplier_a"],
        center=orgs["center"],
        title="Fed-batch scale-up 5 → 50 L",
        organism="CHO-K1 (IgG1)",
        process_steps="seed train, 50 L fed-batch, harvest",
        scale="50 L",
        timeline="Q1 2027",
        confidentiality="Cell line and titers confidential",
    )


LINES = [
    {
        "kind": "equipment",
        "equipment": "ACC-SUB-50",
        "quantity": 100,
        "unit": "h",
        "assisted": True,
    },
    {
        "kind": "staff",
        "description": "Process engineer",
        "quantity": 40,
        "unit": "h",
        "unit_price_krw": 55000,
    },
    {
        "kind": "consumable",
        "description": "50 L SUB bag",
        "quantity": 1,
        "unit": "ea",
        "unit_price_krw": 3300000,
    },
    {
        "kind": "analytics",
        "description": "Titer by Protein A HPLC",
        "quantity": 12,
        "unit": "sample",
        "unit_price_krw": 45000,
    },
]


def test_quote_totals_from_rate_table(project: Project, sub50: Any, fp: dict) -> None:
    q = actions.draft_quote(
        by=fp["evaluator"], project=project, lines=LINES, funding_line="test_service"
    )
    assert q.customer_type == "sme"  # supplier A is not a consortium member
    lines = list(q.lines.order_by("position"))
    # SME: 60,000/h + 20,000/h assisted surcharge
    assert lines[0].unit_price_krw == 80000 and lines[0].amount_krw == 8_000_000
    assert [x.amount_krw for x in lines[1:]] == [2_200_000, 3_300_000, 540_000]
    assert q.subtotal_krw == 14_040_000
    assert q.vat_krw == 1_404_000 and q.total_krw == 15_444_000
    with pytest.raises(DomainError, match="no rate for Large company"):
        actions.draft_quote(
            by=fp["evaluator"],
            project=project,
            lines=LINES,
            funding_line="self_use",
            customer_type="large",
        )
    with pytest.raises(PolicyDenied):
        actions.draft_quote(by=fp["a_staff"], project=project, lines=LINES, funding_line="self_use")


def test_request_to_invoice(project: Project, sub50: Any, fp: dict) -> None:
    q = actions.draft_quote(
        by=fp["evaluator"], project=project, lines=LINES[:2], funding_line="test_service"
    )
    with pytest.raises(InvalidTransition):
        actions.accept_quote(by=fp["a_approver"], quote=q, password=PASSWORD)
    actions.send_quote(by=fp["evaluator"], quote=q)
    with pytest.raises(PolicyDenied):  # staff, not an approver
        actions.accept_quote(by=fp["a_staff"], quote=q, password=PASSWORD)
    with pytest.raises(DomainError, match="Password is not correct"):
        actions.accept_quote(by=fp["a_approver"], quote=q, password="wrong")
    actions.accept_quote(by=fp["a_approver"], quote=q, password=PASSWORD)
    q.refresh_from_db()
    project.refresh_from_db()
    assert q.status == "accepted" and project.status == "accepted"
    sig = signatures_for(q).get()
    assert sig.meaning == "approved" and sig.content_hash == q.content_hash
    wp1 = actions.add_work_package(
        by=fp["evaluator"],
        project=project,
        title="Seed train",
        equipment_class="bioreactor.single-use",
        duration_hours=24,
        release_at=at(1, 0),
        due_at=at(5, 0),
    )
    wp2 = actions.add_work_package(
        by=fp["evaluator"],
        project=project,
        title="50 L run",
        equipment_class="bioreactor.single-use",
        duration_hours=72,
        release_at=at(1, 0),
        due_at=at(10, 0),
        predecessors=[wp1],
    )
    assert list(wp2.predecessors.all()) == [wp1]
    b = actions.book(
        by=fp["evaluator"],
        equipment=sub50,
        starts_at=at(2, 9),
        ends_at=at(2, 13),
        mode="assisted",
        staff=fp["operator"],
        user=fp["a_staff"],
        organization=project.company,
        project=project,
        work_package=wp2,
        funding_line="test_service",
    )
    actions.check_in(by=fp["operator"], booking=b, at=at(2, 9))
    with pytest.raises(InvalidTransition, match="open bookings"):
        actions.complete_project(by=fp["evaluator"], project=project, summary="done")
    actions.complete(by=fp["operator"], booking=b, at=at(2, 12, 30))  # 3.5 h used
    d = actions.add_deliverable(
        by=fp["evaluator"],
        project=project,
        title="Run report",
        filename="report.pdf",
        data=b"%PDF-1.4 test",
    )
    assert len(d.sha256) == 64
    inv = actions.complete_project(by=fp["evaluator"], project=project, summary="Scale-up done")
    assert inv.code.startswith("INV-")
    # equipment charged by use: 3.5 h × 80,000; staff 40 h × 55,000
    assert inv.lines[0]["quantity"] == "3.50" and inv.lines[0]["amount_krw"] == 280_000
    assert inv.subtotal_krw == 280_000 + 2_200_000
    assert inv.vat_krw == 248_000 and inv.total_krw == 2_728_000
    project.refresh_from_db()
    assert project.status == "invoiced"


def test_confidential_between_company_and_center(
    project: Project, sub50: Any, fp: dict, make_user: Any
) -> None:
    q = actions.draft_quote(
        by=fp["evaluator"], project=project, lines=LINES[:1], funding_line="self_use"
    )
    actions.send_quote(by=fp["evaluator"], quote=q)
    actions.accept_quote(by=fp["a_approver"], quote=q, password=PASSWORD)
    actions.add_deliverable(
        by=fp["evaluator"], project=project, title="r", filename="r.txt", data=b"x"
    )
    roles = ["org_admin", "staff", "evaluator", "reviewer", "approver", "viewer"]
    sees = {"supplier_a", "center"}
    for n, (org, role) in enumerate(
        itertools.product(["supplier_a", "supplier_b", "center", "center2", "demand"], roles)
    ):
        user = make_user(f"m{n}", org, role)
        expected = org in sees
        for model in (Project, Quote, QuoteLine, Deliverable):
            assert model.objects.visible_to(user).exists() is expected, (org, role, model)
        assert Project.objects.visible_to(user).filter(pk=project.pk).exists() is expected
    from django.contrib.auth.models import AnonymousUser

    assert not Project.objects.visible_to(AnonymousUser()).exists()
    assert not Invoice.objects.visible_to(AnonymousUser()).exists()
    assert WorkPackage.objects.visible_to(fp["b_user"]).count() == 0


def test_booking_details_only_for_parties(sub50: Any, fp: dict) -> None:
    b = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    assert Booking.objects.visible_to(fp["a_admin"]).filter(pk=b.pk).exists()
    assert Booking.objects.visible_to(fp["evaluator"]).filter(pk=b.pk).exists()
    assert not Booking.objects.visible_to(fp["b_user"]).filter(pk=b.pk).exists()
    assert not Booking.objects.visible_to(fp["other_center"]).filter(pk=b.pk).exists()
