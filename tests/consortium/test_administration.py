"""Administration is audited: roles, password resets, deactivation, organization and category
edits and token revocation each write exactly one audit event with before/after and reason;
the Django admin writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category
from bioproof.consortium import actions
from bioproof.consortium.models import ApiToken, Membership, Organization, User
from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.core.signatures import reauthenticate
from bioproof.core.verification import ROW_ACTIONS
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-fresh-Passphrase-42"


@pytest.fixture
def office(db: Any) -> User:
    return User.objects.create_superuser("office", "office@example.org", PASSWORD)


def _one_event(since: int, action: str) -> AuditEvent:
    """The one action event since ``since`` (row events of the verification registry aside)."""
    events = list(AuditEvent.objects.filter(seq__gt=since).exclude(action__in=ROW_ACTIONS))
    assert [e.action for e in events] == [action]
    return events[0]


def _last_seq() -> int:
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


# ------------------------------------------------------------------------------ actions


def test_grant_and_revoke_role_audited(people: dict[str, User], orgs: dict[str, Any]) -> None:
    seq = _last_seq()
    actions.grant_role(
        by=people["a_admin"],
        user=people["a_staff"],
        organization=orgs["supplier_a"],
        role="approver",
        reason="QA lead left",
    )
    event = _one_event(seq, "membership.role_granted")
    assert event.before == {"organization": "supplier-a", "roles": ["staff"]}
    assert event.after == {"organization": "supplier-a", "roles": ["approver", "staff"]}
    assert event.reason == "QA lead left"
    assert event.actor_username == "a_admin"

    seq = _last_seq()
    actions.revoke_role(
        by=people["a_admin"],
        user=people["a_staff"],
        organization=orgs["supplier_a"],
        role="approver",
        reason="back from leave",
    )
    event = _one_event(seq, "membership.role_revoked")
    assert event.before["roles"] == ["approver", "staff"]
    assert event.after["roles"] == ["staff"]


def test_roles_need_a_reason(people: dict[str, User], orgs: dict[str, Any]) -> None:
    seq = _last_seq()
    with pytest.raises(DomainError, match="reason"):
        actions.grant_role(
            by=people["a_admin"],
            user=people["a_staff"],
            organization=orgs["supplier_a"],
            role="approver",
            reason="  ",
        )
    assert _last_seq() == seq
    assert not Membership.objects.filter(user=people["a_staff"], role="approver").exists()


def test_non_admin_cannot_change_roles(people: dict[str, User], orgs: dict[str, Any]) -> None:
    with pytest.raises(PolicyDenied):
        actions.grant_role(
            by=people["a_staff"],
            user=people["a_staff"],
            organization=orgs["supplier_a"],
            role="org_admin",
            reason="promote myself",
        )
    assert people["a_staff"].memberships.filter(role="org_admin").count() == 0


def test_org_admin_cannot_grant_roles_in_another_organization(
    people: dict[str, User], orgs: dict[str, Any]
) -> None:
    with pytest.raises(PolicyDenied):
        actions.grant_role(
            by=people["a_admin"],
            user=people["reviewer"],
            organization=orgs["center"],
            role="approver",
            reason="help out",
        )
    with pytest.raises(PolicyDenied):
        # nor pull a person of another organization into their own
        actions.grant_role(
            by=people["a_admin"],
            user=people["reviewer"],
            organization=orgs["supplier_a"],
            role="org_admin",
            reason="help out",
        )
    assert not Membership.objects.filter(user=people["reviewer"], role="approver").exists()
    assert not people["reviewer"].memberships.filter(organization=orgs["supplier_a"]).exists()


def test_last_org_admin_is_kept(people: dict[str, User], orgs: dict[str, Any]) -> None:
    with pytest.raises(DomainError, match="last admin"):
        actions.revoke_role(
            by=people["a_admin"],
            user=people["a_admin"],
            organization=orgs["supplier_a"],
            role="org_admin",
            reason="leaving",
        )


def test_password_reset_blocks_signing_until_changed(people: dict[str, User], office: User) -> None:
    reviewer = people["reviewer"]
    seq = _last_seq()
    actions.reset_password(by=office, user=reviewer, new_password="Temp-Pass-2026!", reason="lost")
    event = _one_event(seq, "user.password_reset")
    assert event.before == {"must_change_password": False}
    assert event.after == {"must_change_password": True}
    assert "Temp-Pass" not in str(event.after) + event.reason

    reviewer = User.objects.get(pk=reviewer.pk)
    assert reviewer.must_change_password
    with pytest.raises(DomainError, match="reset by an administrator"):
        reauthenticate(reviewer, "Temp-Pass-2026!")

    seq = _last_seq()
    actions.change_own_password(
        by=reviewer, old_password="Temp-Pass-2026!", new_password=NEW_PASSWORD
    )
    event = _one_event(seq, "user.password_changed")
    assert event.before == {"must_change_password": True}
    assert event.after == {"must_change_password": False}
    reviewer = User.objects.get(pk=reviewer.pk)
    reauthenticate(reviewer, NEW_PASSWORD)  # signs again


def test_reset_user_cannot_sign_an_evaluation(
    people: dict[str, User], office: User, requested: Any
) -> None:
    """The evaluation's own signing path refuses too (through core.signatures)."""
    from bioproof.core.signatures import apply_signature

    actions.reset_password(
        by=office, user=people["evaluator"], new_password="Temp-Pass-2026!", reason="lost"
    )
    evaluator = User.objects.get(pk=people["evaluator"].pk)
    seq = _last_seq()
    with pytest.raises(DomainError, match="choose a new password"):
        apply_signature(
            by=evaluator,
            password="Temp-Pass-2026!",
            obj=requested,
            code=requested.code,
            version=1,
            meaning="authored",
            content_hash="0" * 64,
            organization=requested.center,
        )
    assert _last_seq() == seq


def test_org_admin_resets_only_own_members(people: dict[str, User]) -> None:
    with pytest.raises(PolicyDenied):
        actions.reset_password(
            by=people["a_admin"], user=people["reviewer"], new_password=NEW_PASSWORD, reason="x"
        )
    actions.reset_password(
        by=people["a_admin"], user=people["a_staff"], new_password=NEW_PASSWORD, reason="x"
    )
    assert User.objects.get(pk=people["a_staff"].pk).must_change_password


def test_reset_rejects_weak_password(people: dict[str, User], office: User) -> None:
    seq = _last_seq()
    with pytest.raises(DomainError) as exc:
        actions.reset_password(by=office, user=people["a_staff"], new_password="123", reason="x")
    assert exc.value.field == "new_password"
    assert _last_seq() == seq


def test_deactivation_audited(people: dict[str, User], office: User) -> None:
    seq = _last_seq()
    actions.set_user_active(by=office, user=people["demand"], active=False, reason="left")
    event = _one_event(seq, "user.deactivated")
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})
    assert not User.objects.get(pk=people["demand"].pk).is_active
    with pytest.raises(DomainError, match="already deactivated"):
        actions.set_user_active(by=office, user=people["demand"], active=False, reason="again")


def test_organization_edit_audited(orgs: dict[str, Organization], office: User) -> None:
    seq = _last_seq()
    actions.update_organization(
        by=office,
        organization=orgs["demand"],
        reason="renamed after merger",
        name_en="Demand Bio Holdings",
        is_consortium_member=True,
    )
    event = _one_event(seq, "organization.updated")
    assert event.before == {"name_en": "Demand Bio", "is_consortium_member": False}
    assert event.after == {"name_en": "Demand Bio Holdings", "is_consortium_member": True}
    assert event.reason == "renamed after merger"


def test_organization_edit_only_by_office(
    orgs: dict[str, Organization], people: dict[str, User]
) -> None:
    with pytest.raises(PolicyDenied):
        actions.update_organization(
            by=people["a_admin"], organization=orgs["supplier_a"], reason="x", name_en="Mine"
        )


def test_category_edit_audited(office: User, people: dict[str, User]) -> None:
    media = Category.objects.get(code="media")
    seq = _last_seq()
    catalog.update_category(
        by=office, category=media, reason="glossary", name_ko=media.name_ko, name_en="Media"
    )
    event = _one_event(seq, "category.updated")
    assert event.before == {"name_en": "Cell culture media"}
    assert event.after == {"name_en": "Media"}
    with pytest.raises(PolicyDenied):
        catalog.update_category(
            by=people["a_admin"], category=media, reason="x", name_ko="x", name_en="y"
        )


def test_token_revocation_audited(people: dict[str, User]) -> None:
    token, _raw = actions.issue_api_token(by=people["a_staff"], name="lims")
    with pytest.raises(PolicyDenied):
        actions.revoke_api_token(by=people["b_admin"], token=token, reason="not mine")
    seq = _last_seq()
    actions.revoke_api_token(by=people["a_admin"], token=token, reason="laptop stolen")
    event = _one_event(seq, "api_token.revoked")
    assert event.before["revoked_at"] is None
    assert event.after["revoked_at"]
    assert event.reason == "laptop stolen"
    assert actions.user_for_token(_raw) is None


# ------------------------------------------------------------------------------ the admin


def _regulated_admins() -> list[Any]:
    apps = {"consortium", "catalog", "demand", "evaluations", "core", "search"}
    return [ma for model, ma in admin.site._registry.items() if model._meta.app_label in apps]


def test_every_regulated_admin_is_read_only(office: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = office
    admins = _regulated_admins()
    assert len(admins) >= 12
    for model_admin in admins:
        name = model_admin.model.__name__
        assert not model_admin.has_add_permission(request), name
        assert not model_admin.has_change_permission(request), name
        assert not model_admin.has_delete_permission(request), name
        assert model_admin.get_actions(request) == {}, name
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), name
            assert not inline.has_change_permission(request), name
            assert not inline.has_delete_permission(request), name
    assert not any(m._meta.label == "auth.Group" for m in admin.site._registry)


def test_admin_change_post_leaves_row_unchanged(
    people: dict[str, User], orgs: dict[str, Organization], office: User
) -> None:
    client = Client()
    client.force_login(office)
    reviewer = people["reviewer"]
    seq = _last_seq()
    response = client.post(
        reverse("admin:consortium_user_change", args=[reviewer.pk]),
        {
            "username": reviewer.username,
            "is_superuser": "on",
            "is_staff": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-organization": orgs["center"].pk,
            "memberships-0-role": "approver",
        },
    )
    assert response.status_code == 403
    response = client.post(
        reverse("admin:auth_user_password_change", args=[reviewer.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("admin:consortium_organization_change", args=[orgs["center"].pk]),
        {"code": "center", "name_ko": "x", "name_en": "x", "kind": "center"},
    )
    assert response.status_code == 403
    media = Category.objects.get(code="media")
    client.post(
        reverse("admin:catalog_category_change", args=[media.pk]),
        {"code": "media", "name_ko": "x", "name_en": "x"},
    )
    token, _raw = actions.issue_api_token(by=reviewer, name="t")
    seq = _last_seq()
    client.post(reverse("admin:consortium_apitoken_delete", args=[token.pk]), {"post": "yes"})
    client.post(
        reverse("admin:consortium_apitoken_changelist"),
        {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"},
    )
    reviewer.refresh_from_db()
    assert not reviewer.is_superuser and reviewer.check_password(PASSWORD)
    assert not reviewer.memberships.filter(role="approver").exists()
    assert Organization.objects.get(code="center").name_en == "Animal Cell Center"
    assert Category.objects.get(code="media").name_en == "Cell culture media"
    assert ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).exists()
    assert _last_seq() == seq
    # the read-only page still opens and links to the audited page
    page = client.get(reverse("admin:consortium_organization_change", args=[orgs["center"].pk]))
    assert page.status_code == 200
    assert reverse("organization_members", args=["center"]) in page.content.decode()


# ------------------------------------------------------------------------------ pages


def test_login_forces_password_change(people: dict[str, User], office: User) -> None:
    actions.reset_password(
        by=office, user=people["reviewer"], new_password="Temp-Pass-2026!", reason="x"
    )
    client = Client()
    response = client.post(
        reverse("login"), {"username": "reviewer", "password": "Temp-Pass-2026!"}
    )
    assert response.status_code == 302  # the temporary password logs in …
    response = client.get(reverse("evaluation_list"))  # … and every page asks for a new one
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert client.get("/api/evaluations").status_code == 403
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Temp-Pass-2026!",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("evaluation_list")).status_code == 200  # session kept


def test_members_page_grants_and_refuses(people: dict[str, User], orgs: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["a_admin"])
    page = client.get(reverse("organization_members", args=["supplier-a"]))
    assert page.status_code == 200 and "a_staff" in page.content.decode()
    seq = _last_seq()
    client.post(
        reverse("member_grant_role", args=["supplier-a"]),
        {"user": "a_staff", "role": "approver", "reason": "new QA"},
    )
    _one_event(seq, "membership.role_granted")
    # another organization's page is refused, and so is a grant posted to it
    assert client.get(reverse("organization_members", args=["center"])).status_code == 403
    seq = _last_seq()
    response = client.post(
        reverse("member_grant_role", args=["center"]),
        {"user": "reviewer", "role": "approver", "reason": "x"},
        follow=True,
    )
    assert _last_seq() == seq
    # the page speaks Korean by default; the refusal is shown, translated
    refusal = "구성원의 역할은 해당 기관 관리자 또는 사업단만 변경할 수 있습니다."
    assert refusal in response.content.decode()
    # a grant without a reason names the field
    response = client.post(
        reverse("member_grant_role", args=["supplier-a"]),
        {"user": "a_staff", "role": "viewer", "reason": ""},
        follow=True,
    )
    assert _last_seq() == seq
    assert 'class="error"' in response.content.decode()


def test_office_pages(office: User, orgs: dict[str, Any], people: dict[str, User]) -> None:
    client = Client()
    client.force_login(office)
    assert client.get(reverse("office")).status_code == 200
    seq = _last_seq()
    response = client.post(
        reverse("organization_edit", args=["demand"]),
        {"name_ko": "수요바이오", "name_en": "Demand Bio Co", "kind": "demand", "reason": "typo"},
    )
    assert response.status_code == 302
    _one_event(seq, "organization.updated")
    response = client.post(
        reverse("category_edit", args=["media"]),
        {"name_ko": "배지", "name_en": "Cell culture media", "reason": ""},
    )
    assert response.status_code == 200 and Category.objects.get(code="media").name_ko != "배지"
    other = Client()
    other.force_login(people["a_admin"])
    assert other.get(reverse("office")).status_code == 403
    assert other.get(reverse("category_edit", args=["media"])).status_code == 403


def test_office_manages_people_without_organization(office: User) -> None:
    other = User.objects.create_superuser("office2", "o2@example.org", PASSWORD)
    client = Client()
    client.force_login(office)
    page = client.get(reverse("office")).content.decode()
    assert 'data-user="office2"' in page
    seq = _last_seq()
    response = client.post(
        reverse("office_set_active", args=["office2"]), {"active": "0", "reason": "left"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("office")
    _one_event(seq, "user.deactivated")
    other.refresh_from_db()
    assert not other.is_active


def test_admin_read_only_pages_open(people: dict[str, User], office: User) -> None:
    token, _raw = actions.issue_api_token(by=people["a_staff"], name="lims")
    client = Client()
    client.force_login(office)
    media = Category.objects.get(code="media")
    for url in (
        reverse("admin:consortium_user_change", args=[people["a_staff"].pk]),
        reverse("admin:consortium_user_changelist"),
        reverse("admin:consortium_apitoken_change", args=[token.pk]),
        reverse("admin:catalog_category_change", args=[media.pk]),
        reverse("admin:core_auditevent_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'name="_save"' not in response.content.decode(), url
    page = client.get(reverse("admin:consortium_user_change", args=[people["a_staff"].pk]))
    assert reverse("organization_members", args=["supplier-a"]) in page.content.decode()
    assert (
        token.key_hash
        not in client.get(
            reverse("admin:consortium_apitoken_change", args=[token.pk])
        ).content.decode()
    )
    assert client.get(reverse("admin:consortium_user_add")).status_code == 403
