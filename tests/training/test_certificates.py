from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from bioproof.core import checkpoints
from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.training import actions, credentials, documents
from bioproof.training.models import Certificate, Qualification

pytestmark = pytest.mark.django_db


@pytest.fixture
def cert(passed: Any) -> Certificate:
    return Certificate.objects.get(enrollment=passed)


def test_public_verification_page(cert: Certificate) -> None:
    page = Client().get(f"/training/verify/{cert.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-status="valid"' in html
    assert "Jiwoo Kim" in html  # consented at enrollment
    assert "bioreactor.single-use" in html and "uo.cell-culture" in html
    assert cert.expires_on.isoformat() in html
    missing = Client().get("/training/verify/CT-2026-9999/")
    assert missing.status_code == 404 and "CT-2026-9999" in missing.content.decode()


def test_name_is_masked_without_consent(today_session: Any, tp: dict) -> None:
    from .conftest import pass_trainee

    e = pass_trainee(today_session, tp["trainee_b"], tp["instructor"], publish_name=False)
    cert = Certificate.objects.get(enrollment=e)
    html = Client().get(f"/training/verify/{cert.code}/").content.decode()
    assert "Trainee_B" not in html and "T**" in html


def test_revocation_is_audited_and_shown(cert: Certificate, tp: dict) -> None:
    with pytest.raises(PolicyDenied):
        actions.revoke_certificate(by=tp["trainee_a"], certificate=cert, reason="x")
    with pytest.raises(DomainError, match="required"):
        actions.revoke_certificate(by=tp["coordinator"], certificate=cert, reason="  ")
    actions.revoke_certificate(by=tp["coordinator"], certificate=cert, reason="exam misconduct")
    event = AuditEvent.objects.get(action="training.certificate_revoked")
    assert event.reason == "exam misconduct" and event.actor == tp["coordinator"]
    assert not Qualification.objects.filter(certificate=cert, status="active").exists()
    html = Client().get(f"/training/verify/{cert.code}/").content.decode()
    assert 'data-status="revoked"' in html and "exam misconduct" in html
    with pytest.raises(InvalidTransition):
        actions.revoke_certificate(by=tp["coordinator"], certificate=cert, reason="again")


def test_expired_status(cert: Certificate) -> None:
    assert cert.state_on(cert.expires_on) == "valid"
    assert cert.state_on(cert.expires_on + dt.timedelta(days=1)) == "expired"


def test_pdf_is_bilingual_with_a_qr_code(cert: Certificate, tp: dict) -> None:
    from tests.reports.pdfcheck import assert_fonts_embedded, text_of

    pdf = documents.certificate_pdf(cert, f"http://testserver/training/verify/{cert.code}/")
    assert pdf.startswith(b"%PDF") and b"NanumGothic" in pdf
    c = Client()
    c.force_login(tp["trainee_a"])
    with override_settings(BIOPROOF_PUBLIC_URL="https://certs.bioproof.example.kr"):
        response = c.get(f"/training/certificates/{cert.code}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_fonts_embedded(response.content)  # every font a TrueType subset in the file
    text = text_of(response.content)
    assert "수료증" in text and cert.holder_name in text and cert.code in text
    assert f"https://certs.bioproof.example.kr/training/verify/{cert.code}/" in text
    other = Client()
    other.force_login(tp["trainee_b"])
    assert other.get(f"/training/certificates/{cert.code}/pdf/").status_code == 404


def test_credential_round_trip(cert: Certificate) -> None:
    result = credentials.verify(cert.credential_jwt, checkpoints.jwks())
    assert not result.expired and result.certificate == cert.code
    assert result.header == {"alg": "EdDSA", "typ": "JWT", "kid": checkpoints.key_id()}
    vc = result.claims["vc"]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["credentialSubject"]["achievement"]["name"] == (
        "Upstream cell culture and bioreactor operation"
    )
    assert vc["expirationDate"].startswith(cert.expires_on.isoformat())
    later = dt.datetime.combine(cert.expires_on, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=2)
    assert credentials.verify(cert.credential_jwt, checkpoints.jwks(), now=later).expired


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tampering_is_detected(cert: Certificate) -> None:
    header, payload, signature = cert.credential_jwt.split(".")
    claims = json.loads(credentials.b64url_decode(payload))
    claims["vc"]["credentialSubject"]["identifier"][0]["identityHash"] = "Somebody Else"
    forged = f"{header}.{_b64(claims)}.{signature}"
    with pytest.raises(credentials.CredentialError, match="altered"):
        credentials.verify(forged, checkpoints.jwks())
    none_alg = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    with pytest.raises(credentials.CredentialError, match="not accepted"):
        credentials.verify(none_alg, checkpoints.jwks())
    other_key = {"keys": [{**checkpoints.jwks()["keys"][0], "x": _b64({"k": 1})[:43]}]}
    with pytest.raises(credentials.CredentialError):
        credentials.verify(cert.credential_jwt, other_key)
    with pytest.raises(credentials.CredentialError, match="compact JWS"):
        credentials.verify("not-a-token", checkpoints.jwks())


def test_cli_verifies_offline(cert: Certificate, tmp_path: Any, capsys: Any) -> None:
    token = tmp_path / "cert.jwt"
    token.write_text(cert.credential_jwt)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(checkpoints.jwks()))
    call_command("credential", "verify", str(token), "--jwks", str(jwks))
    out = capsys.readouterr().out
    assert "credential VALID" in out and cert.code in out and "Jiwoo Kim" in out
    header, payload, signature = cert.credential_jwt.split(".")
    token.write_text(f"{header}.{payload}.{signature[:-4]}AAAA")
    with pytest.raises(CommandError, match="INVALID"):
        call_command("credential", "verify", str(token), "--jwks", str(jwks))
    with pytest.raises(CommandError, match="no such file"):
        call_command("credential", "verify", str(tmp_path / "missing.jwt"))


def test_only_the_holder_downloads_the_credential(cert: Certificate, tp: dict) -> None:
    c = Client()
    c.force_login(tp["trainee_a"])
    response = c.get(f"/training/certificates/{cert.code}/credential.jwt")
    assert response.status_code == 200 and response.content.decode() == cert.credential_jwt
    c.force_login(tp["coordinator"])  # the provider sees the certificate, not the credential
    assert c.get(f"/training/certificates/{cert.code}/credential.jwt").status_code == 403
