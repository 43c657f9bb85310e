"""A signed-in page asks who the person is in which organization three ways (their
organizations, their roles per organization, their first organization): one query answers all."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bioproof.consortium.models import User

pytestmark = pytest.mark.django_db


def test_one_query_for_organizations_roles_and_the_first(people: Any, orgs: Any, grant) -> None:
    grant(people["evaluator"], "center2", "reviewer")  # a second organization, joined later
    user = User.objects.get(pk=people["evaluator"].pk)
    with CaptureQueriesContext(connection) as queries:
        assert user.organization_ids == {orgs["center"].pk, orgs["center2"].pk}
        assert user.roles_by_org == {
            orgs["center"].pk: {"staff", "evaluator"},
            orgs["center2"].pk: {"reviewer"},
        }
        assert user.primary_organization == orgs["center"]  # the oldest membership
        assert user.has_role(orgs["center2"], "reviewer")
    assert len(queries.captured_queries) == 1
    nobody = User.objects.create_user("nobody", password="x-Long-enough-2026")
    assert nobody.primary_organization is None and nobody.roles_by_org == {}
