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
            "spec__format": "liquid",
            "spec__chemically_defined": "yes",
        },
    )
    assert response.status_code == 302
    product = Product.objects.get(name_ko="새 배지")
    assert product.specs == {"format": "liquid", "chemically_defined": "yes"}


def test_web_form_shows_spec_error_on_the_form(client, people, media_category) -> None:
    client.force_login(people["a_staff"])
    response = client.post(
        "/products/new/",
        {"category": media_category.pk, "name_ko": "배지", "spec__format": "gas"},
    )
    assert response.status_code == 200
    assert "spec__format" in response.content.decode()  # the error stands on the choice field
    assert "errorlist" in response.content.decode()
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
    assert bad.status_code == 400 and "'nope'" in bad.json()["detail"]
    bad_spec = client.post(
        "/api/products",
        {"category": "filters", "name_en": "X", "specs": {"pore_size": "small"}},
        content_type="application/json",
    )
    assert bad_spec.status_code == 400 and "pore_size" in bad_spec.json()["detail"]


def test_spec_form_is_generated_from_the_category(client, people) -> None:
    from django.utils import translation

    from bioproof.catalog.forms import ProductForm

    resins = Category.objects.get(code="resins")
    with translation.override("en"):
        form = ProductForm(category=resins)
        fields = {f.name: f for f in form.spec_fields()}
        assert fields["spec__particle_size"].label == "Mean particle size (µm)"
        assert fields["spec__particle_size"].help_text == "평균 입자 크기"
        assert [v for v, _ in fields["spec__mode"].field.choices][1:] == [
            "affinity",
            "ion-exchange",
            "mixed-mode",
            "HIC",
            "SEC",
        ]
    with translation.override("ko"):
        form = ProductForm(category=resins)
        assert form["spec__particle_size"].label == "평균 입자 크기 (µm)"
    client.force_login(people["a_staff"])
    page = client.get("/products/new/?category=resins").content.decode()
    assert 'name="spec__particle_size"' in page and 'name="spec__mode"' in page
    bad = client.post(
        "/products/new/",
        {"category": resins.pk, "name_en": "R", "spec__particle_size": "-3"},
    )
    assert bad.status_code == 200 and not Product.objects.exists()
    ok = client.post(
        "/products/new/",
        {
            "category": resins.pk,
            "name_en": "Resin R",
            "spec__particle_size": "85",
            "spec__mode": "affinity",
        },
    )
    assert ok.status_code == 302
    assert Product.objects.get().specs == {"particle_size": 85.0, "mode": "affinity"}


def test_edit_and_unlist_are_audited_and_guarded(client, people, product_a) -> None:
    client.force_login(people["a_staff"])
    r = client.post(
        f"/products/{product_a.code}/edit/",
        {"name_ko": "알파 배지 v2", "name_en": "Alpha v2", "spec__format": "liquid"},
    )
    assert r.status_code == 302
    product_a.refresh_from_db()
    assert product_a.name_ko == "알파 배지 v2" and product_a.specs == {"format": "liquid"}
    event = AuditEvent.objects.get(action="product.updated")
    assert event.before["specs"] == {"format": "powder"} and event.after["specs"] == {
        "format": "liquid"
    }
    with pytest.raises(InvalidTransition):
        actions.unlist_product(by=people["a_staff"], product=product_a, reason="x")
    actions.list_product(by=people["a_staff"], product=product_a)
    client.post(f"/products/{product_a.code}/unlist/", {"reason": "discontinued"})
    product_a.refresh_from_db()
    assert product_a.status == Product.Status.DRAFT
    assert AuditEvent.objects.get(action="product.unlisted").reason == "discontinued"
    # a competitor may not edit
    client.force_login(people["b_admin"])
    assert client.get(f"/products/{product_a.code}/edit/").status_code in (403, 404)
    with pytest.raises(PolicyDenied):
        actions.update_product(by=people["b_admin"], product=product_a, name_ko="x", name_en="x")
