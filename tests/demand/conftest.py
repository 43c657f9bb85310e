"""Fixtures of the demand side: more organizations for the visibility matrix, listed products
with specs, needs of each visibility."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category, Product
from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.demand import actions
from bioproof.demand.models import Need

from ..conftest import PASSWORD

__all__ = ["PASSWORD"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The fixtures create many users; PBKDF2's deliberate slowness is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def more_orgs(orgs: dict[str, Organization]) -> dict[str, Organization]:
    K = Organization.Kind
    spec = {
        "demand2": ("둘째수요", "Second Demand", K.DEMAND, False),
        "member_uni": ("회원대학", "Member University", K.UNIVERSITY, True),
        "outsider": ("비회원협회", "Outsider Association", K.ASSOCIATION, False),
    }
    return {
        key: consortium.create_organization(
            by=None,
            code=key.replace("_", "-"),
            name_ko=ko,
            name_en=en,
            kind=kind,
            is_consortium_member=member,
        )
        for key, (ko, en, kind, member) in spec.items()
    }


@pytest.fixture
def more_people(
    more_orgs: dict[str, Organization], make_user: Callable[..., User], people: dict[str, User]
) -> dict[str, User]:
    def make(username: str, org: str, *roles: str) -> User:
        return consortium.create_user(
            by=None,
            username=username,
            password=PASSWORD,
            organization=more_orgs[org],
            roles=list(roles),
        )

    return {
        **people,
        "demand2": make("demand2", "demand2", "staff"),
        "member": make("member", "member_uni", "staff"),
        "outsider": make("outsider", "outsider", "staff"),
        "demand_viewer": make_user("demand_viewer", "demand", "viewer"),
    }


@pytest.fixture
def listed_a(people: dict[str, User], product_a: Product) -> Product:
    return catalog.list_product(by=people["a_staff"], product=product_a)


@pytest.fixture
def make_product(people: dict[str, User], orgs: dict[str, Organization]) -> Callable[..., Product]:
    def make(
        name_ko: str,
        name_en: str,
        category: str = "media",
        specs: dict[str, Any] | None = None,
        supplier: str = "supplier_a",
        listed: bool = True,
    ) -> Product:
        by = people["a_staff"] if supplier == "supplier_a" else people["b_admin"]
        return catalog.register_product(
            by=by,
            supplier=orgs[supplier],
            category=Category.objects.get(code=category),
            name_ko=name_ko,
            name_en=name_en,
            specs=specs or {},
            listed=listed,
        )

    return make


@pytest.fixture
def make_need(people: dict[str, User], orgs: dict[str, Organization]) -> Callable[..., Need]:
    def make(visibility: str = "consortium", **kw: Any) -> Need:
        fields: dict[str, Any] = {
            "title": "Domestic CHO medium",
            "category": Category.objects.get(code="media"),
            "incumbent": "Imported CD CHO medium",
            "organism": "CHO-K1",
            "scale": "200 L",
            "mode": "fed_batch",
            "required_specs": [{"key": "format", "comparison": "equals", "value": "powder"}],
            "criteria": [
                {"kpi": "final_titer", "comparison": "equivalence", "value": 0.1, "relative": True},
                {"kpi": "peak_vcd", "comparison": "minimum", "value": 10, "relative": False},
            ],
            "yearly_volume": 5000,
            "volume_unit": "L",
        }
        fields.update(kw)
        by = fields.pop("by", people["demand"])
        organization = fields.pop("organization", orgs["demand"])
        return actions.post_need(by=by, organization=organization, visibility=visibility, **fields)

    return make


@pytest.fixture
def need(make_need: Callable[..., Need]) -> Need:
    return make_need("consortium")
