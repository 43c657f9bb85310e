"""Product documents: versions per kind, supplier-only upload, visible like the product."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.demand import actions
from bioproof.demand.models import ProductDocument

pytestmark = pytest.mark.django_db


def test_upload_adds_versions_per_kind(people, product_a) -> None:
    v1 = actions.upload_product_document(
        by=people["a_staff"], product=product_a, kind="coa", filename="coa.pdf", data=b"%PDF-1 a"
    )
    v2 = actions.upload_product_document(
        by=people["a_staff"],
        product=product_a,
        kind="coa",
        filename="coa-2.pdf",
        data=b"%PDF-1 b",
        title="Lot 42",
    )
    sheet = actions.upload_product_document(
        by=people["a_admin"], product=product_a, kind="datasheet", filename="ds.pdf", data=b"x"
    )
    v1.refresh_from_db()
    assert (v1.version, v2.version, sheet.version) == (1, 2, 1)
    assert not v1.is_current and v2.is_current and sheet.is_current
    assert v2.sha256 == hashlib.sha256(b"%PDF-1 b").hexdigest() and v2.size == 8
    with v2.file.open("rb") as stored:
        assert stored.read() == b"%PDF-1 b"
    event = AuditEvent.objects.filter(action="product_document.uploaded").last()
    assert event.after["kind"] == "datasheet" and event.after["version"] == 1
    assert AuditEvent.objects.filter(action="product_document.uploaded").count() == 3


def test_upload_policy_and_bad_input(people, product_a) -> None:
    for who in ("b_admin", "demand", "evaluator"):
        with pytest.raises(PolicyDenied):
            actions.upload_product_document(
                by=people[who], product=product_a, kind="coa", filename="c.pdf", data=b"x"
            )
    for kind, filename, data, field in [
        ("poem", "c.pdf", b"x", "kind"),
        ("coa", "c.pdf", b"", "file"),
        ("coa", " ", b"x", "file"),
    ]:
        with pytest.raises(DomainError) as info:
            actions.upload_product_document(
                by=people["a_staff"], product=product_a, kind=kind, filename=filename, data=data
            )
        assert info.value.field == field
    assert not ProductDocument.objects.exists()


def test_documents_visible_like_the_product(people, product_a) -> None:
    doc = actions.upload_product_document(
        by=people["a_staff"], product=product_a, kind="coa", filename="coa.pdf", data=b"pdf"
    )
    url = f"/needs/products/{product_a.code}/documents/"
    anonymous = Client()
    assert anonymous.get(url).status_code == 404  # draft product
    assert anonymous.get(f"{url}{doc.pk}/").status_code == 404
    assert not ProductDocument.objects.visible_to(people["b_admin"]).exists()
    supplier = Client()
    supplier.force_login(people["a_staff"])
    assert "coa.pdf" in supplier.get(url).content.decode()
    from bioproof.catalog import actions as catalog

    catalog.list_product(by=people["a_staff"], product=product_a)
    page = anonymous.get(url)
    assert page.status_code == 200 and "coa.pdf" in page.content.decode()
    assert b"".join(anonymous.get(f"{url}{doc.pk}/").streaming_content) == b"pdf"
    assert anonymous.post(url, {"kind": "coa"}).status_code == 403
    api = anonymous.get(f"/api/product-documents/{product_a.code}").json()
    assert api[0]["sha256"] == doc.sha256


def test_upload_through_the_page_and_api(people, product_a) -> None:
    from bioproof.consortium.actions import issue_api_token

    url = f"/needs/products/{product_a.code}/documents/"
    client = Client()
    client.force_login(people["a_staff"])
    r = client.post(url, {"kind": "coa", "title": "", "file": SimpleUploadedFile("c.pdf", b"1")})
    assert r.status_code == 302
    bad = client.post(url, {"kind": "poem", "file": SimpleUploadedFile("c.pdf", b"1")})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    _, raw = issue_api_token(by=people["a_staff"], name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post(
        f"/api/product-documents/{product_a.code}",
        {"kind": "coa", "file": SimpleUploadedFile("c2.pdf", b"2")},
    )
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 2
    r = api.post(
        f"/api/product-documents/{product_a.code}",
        {"kind": "poem", "file": SimpleUploadedFile("c2.pdf", b"2")},
    )
    assert r.status_code == 400 and r.json()["field"] == "kind"
