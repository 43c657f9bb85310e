from __future__ import annotations

import pytest

from bioproof.catalog import actions
from bioproof.catalog.models import Category, Product
from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_category_tree_covers_materials_parts_equipment() -> None:
    roots = set(Category.objects.filter(parent__isnull=True).values_list("code", flat=True))
    assert roots == {"materials", "parts", "equipment"}
    for code in ("media", "resins", "single-use-bags", "filters", "sensors", "bioreactors"):
        assert Category.objects.filter(code=code, parent__isnull=False).exists()


def test_register_validates_specs_and_audits(people, orgs) -> None:
    resins = Category.objects.get(code="resins")
    product = actions.register_product(
        by=people["a_staff"],
        supplier=orgs["supplier_a"],
        category=resins,
        name_ko="레진",
        name_en="",
        specs={"particle_size": "85", "mode": "affinity"},
    )
    assert product.code.startswith("PR-") and product.status == Product.Status.DRAFT
    assert product.specs == {"particle_size": 85.0, "mode": "affinity"}
    assert product.name_en == "레진"
    event = AuditEvent.objects.get(action="product.registered")
    assert event.after["code"] == product.code and event.actor == people["a_staff"]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ({"particle_size": "abc"}, "'abc' is not a number"),
        ({"particle_size": -3}, "non-negative"),
        ({"mode": "magic"}, "not one of"),
        ({"colour": "red"}, "not defined"),
    ],
)
def test_bad_specs_are_refused_and_nothing_written(people, orgs, specs, message) -> None:
    resins = Category.objects.get(code="resins")
    with pytest.raises(DomainError, match=message):
        actions.register_product(
            by=people["a_staff"],
            supplier=orgs["supplier_a"],
            category=resins,
            name_ko="레진",
            name_en="Resin",
            specs=specs,
        )
    assert not Product.objects.exists()
    assert not AuditEvent.objects.filter(action="product.registered").exists()


def test_competitor_cannot_register_for_another_supplier(people, orgs, media_category) -> None:
    with pytest.raises(PolicyDenied):
        actions.register_product(
            by=people["b_admin"],
            supplier=orgs["supplier_a"],
            category=media_category,
            name_ko="x",
            name_en="x",
        )


def test_list_product_once(people, product_a) -> None:
    actions.list_product(by=people["a_admin"], product=product_a)
    assert product_a.status == Product.Status.LISTED
    with pytest.raises(InvalidTransition):
        actions.list_product(by=people["a_admin"], product=product_a)


def test_visibility(people, product_a) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert Product.objects.visible_to(people["a_staff"]).filter(pk=product_a.pk).exists()
    assert not Product.objects.visible_to(people["b_admin"]).filter(pk=product_a.pk).exists()
    assert not Product.objects.visible_to(AnonymousUser()).filter(pk=product_a.pk).exists()
    actions.list_product(by=people["a_admin"], product=product_a)
    assert Product.objects.visible_to(people["b_admin"]).filter(pk=product_a.pk).exists()
    assert Product.objects.visible_to(AnonymousUser()).filter(pk=product_a.pk).exists()


def test_register_via_web_form(client, people, media_category) -> None:
    client.force_login(people["a_staff"])
    response = client.post(
        "/products/new/",
        {
            "category": media_category.pk,
            "name_ko": "새 배지",
            "name_en": "New medium",
            "specs": "format = liquid\nchemically_defined = yes",
        },
    )
    assert response.status_code == 302
    product = Product.objects.get(name_ko="새 배지")
    assert product.specs == {"format": "liquid", "chemically_defined": "yes"}


def test_web_form_shows_spec_error_on_the_form(client, people, media_category) -> None:
    client.force_login(people["a_staff"])
    response = client.post(
        "/products/new/",
        {"category": media_category.pk, "name_ko": "배지", "specs": "format = gas"},
    )
    assert response.status_code == 200
    assert "not one of" in response.content.decode() or "중 하나가" in response.content.decode()
    assert not Product.objects.exists()


def test_api_register_and_bad_category(client, people) -> None:
    client.force_login(people["a_staff"])
    ok = client.post(
        "/api/products",
        {"category": "filters", "name_en": "Filter X", "specs": {"pore_size": 0.2}},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["specs"] == {"pore_size": 0.2}
    bad = client.post(
        "/api/products", {"category": "nope", "name_en": "X"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "unknown category" in bad.json()["detail"]
    bad_spec = client.post(
        "/api/products",
        {"category": "filters", "name_en": "X", "specs": {"pore_size": "small"}},
        content_type="application/json",
    )
    assert bad_spec.status_code == 400 and "pore_size" in bad_spec.json()["detail"]
