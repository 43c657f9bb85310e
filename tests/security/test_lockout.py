"""Login and signing passwords are throttled: lock-out after repeated failures, audited."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from bioproof.consortium import actions as consortium
from bioproof.consortium.actions import issue_api_token
from bioproof.consortium.models import User
from bioproof.core.errors import DomainError
from bioproof.core.models import AuditEvent
from bioproof.core.signatures import flush_signing_failures, signing_locked_until
from bioproof.evaluations import actions as evaluations

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_login_locks_after_the_limit_even_with_the_right_password(people, settings) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.BIOPROOF_LOGIN_FAILURE_LIMIT):
        r = _login(client, "a_staff", "wrong-password-123")
        assert r.status_code in (200, 429)
    r = _login(client, "a_staff", PASSWORD)
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    assert b"locked" in r.content
    event = AuditEvent.objects.filter(action="login.locked_out").last()
    assert event is not None and event.after["username"] == "a_staff"
    assert event.object_id == str(people["a_staff"].pk)
    # another account from another address is not affected
    assert _login(Client(REMOTE_ADDR="10.0.0.9"), "a_admin", PASSWORD).status_code == 302


def test_login_locks_an_address_that_tries_many_accounts(people, settings) -> None:
    """Password spraying: one wrong password for each of many names, from one address."""
    client = Client(REMOTE_ADDR="10.0.0.7")
    names = ["a_admin", "a_staff", "b_admin", "evaluator", "reviewer", "approver"]
    for name in names[: settings.BIOPROOF_LOGIN_FAILURE_LIMIT]:
        _login(client, name, "wrong-password-123")
    assert _login(client, "demand", PASSWORD).status_code == 429
    assert _login(Client(REMOTE_ADDR="10.0.0.8"), "demand", PASSWORD).status_code == 302


def test_login_below_the_limit_still_works_and_resets(people, settings) -> None:
    client = Client()
    for _ in range(settings.BIOPROOF_LOGIN_FAILURE_LIMIT - 1):
        assert _login(client, "a_staff", "wrong-password-123").status_code == 200
    assert _login(client, "a_staff", PASSWORD).status_code == 302
    assert not AuditEvent.objects.filter(action="login.locked_out").exists()


def test_signing_locks_after_the_limit_and_is_audited(people, requested, settings) -> None:
    """The review's finding: 25 wrong signing passwords, then the right one signed."""
    limit = settings.BIOPROOF_SIGNING_FAILURE_LIMIT
    evaluations.accept(by=people["evaluator"], evaluation=requested)
    approver = people["approver"]
    messages = []
    for _ in range(limit):
        with pytest.raises(DomainError) as exc:
            evaluations.sign_protocol(by=approver, evaluation=requested, password="wrong-pass-1")
        messages.append(exc.value.message)
        flush_signing_failures()  # the request's end does this for pages and the API
    assert "attempts left" in messages[0]
    assert "locked" in messages[-1]
    assert signing_locked_until(approver) is not None
    with pytest.raises(DomainError, match="Signing is locked"):
        evaluations.sign_protocol(by=approver, evaluation=requested, password=PASSWORD)
    requested.refresh_from_db()
    assert requested.protocol_id is None
    failed = AuditEvent.objects.filter(action="signature.password_failed", actor=approver)
    assert failed.count() == limit
    locked = AuditEvent.objects.get(action="signature.locked_out", actor=approver)
    assert locked.after["failures"] == limit
    # other signers are not affected
    assert signing_locked_until(people["reviewer"]) is None


def test_signing_lockout_through_the_api(people, requested, settings) -> None:
    limit = settings.BIOPROOF_SIGNING_FAILURE_LIMIT
    evaluations.accept(by=people["evaluator"], evaluation=requested)
    _, raw = issue_api_token(by=people["approver"], name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    url = f"/api/evaluations/{requested.code}/protocol/sign"
    for _ in range(limit):
        r = api.post(url, {"password": "wrong-pass-1"}, content_type="application/json")
        assert r.status_code == 400 and r.json()["field"] == "password"
    r = api.post(url, {"password": PASSWORD}, content_type="application/json")
    assert r.status_code == 400
    assert "Signing is locked" in r.json()["detail"]
    assert AuditEvent.objects.filter(action="signature.locked_out").count() == 1


def test_a_signature_resets_the_count(people, requested, settings) -> None:
    evaluations.accept(by=people["evaluator"], evaluation=requested)
    approver = people["approver"]
    for _ in range(settings.BIOPROOF_SIGNING_FAILURE_LIMIT - 1):
        with pytest.raises(DomainError):
            evaluations.sign_protocol(by=approver, evaluation=requested, password="nope-nope-1")
        flush_signing_failures()
    evaluations.sign_protocol(by=approver, evaluation=requested, password=PASSWORD)
    assert signing_locked_until(approver) is None


def test_create_user_applies_the_password_validators(orgs) -> None:
    for weak in ("1", "short-pw", "123456789012345", "password1234"):
        with pytest.raises(DomainError) as exc:
            consortium.create_user(
                by=None, username="weak", password=weak, organization=orgs["center"], roles=[]
            )
        assert exc.value.field == "password"
    assert not User.objects.filter(username="weak").exists()


def test_manager_and_createsuperuser_apply_the_validators(db, monkeypatch) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        User.objects.create_user("weak", password="1")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "1")
    with pytest.raises((CommandError, ValidationError)):
        call_command("createsuperuser", "--noinput", username="root", email="r@example.org")
    assert not User.objects.filter(username__in=["weak", "root"]).exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-enough-passphrase")
    call_command("createsuperuser", "--noinput", username="root", email="r@example.org")
    assert User.objects.get(username="root").check_password("a-long-enough-passphrase")


def test_minimum_length_is_twelve(settings) -> None:
    lengths = [
        v.get("OPTIONS", {}).get("min_length")
        for v in settings.AUTH_PASSWORD_VALIDATORS
        if v["NAME"].endswith("MinimumLengthValidator")
    ]
    assert lengths == [12]
