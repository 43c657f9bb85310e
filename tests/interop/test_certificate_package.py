"""The holder's evidence package of a training certificate."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from bioproof.core import checkpoints
from bioproof.interop.errors import NotFound
from bioproof.interop.packages import build, verify


def test_holder_downloads_a_package_that_verifies(client: Any, passed: Any, tp: Any) -> None:
    cert = passed.certificates.get()
    with pytest.raises(NotFound):
        build.certificate_for(cert.code, tp["instructor"])  # not the holder
    with pytest.raises(NotFound):
        build.certificate_for(cert.code, tp["trainee_b"])
    client.force_login(tp["trainee_a"])
    response = client.get(f"/training/certificates/{cert.code}/evidence-package.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        names = set(z.namelist())
        assert {"certificate.pdf", "credential.jwt", "audit/events.json"} <= names
        assert z.read("credential.jwt").decode().strip() == cert.credential_jwt.strip()
    report = verify.verify_package(io.BytesIO(response.content), jwks=checkpoints.jwks())
    assert report.ok, report.problems
    assert report.counts["events"] >= 1
    client.force_login(tp["trainee_b"])
    assert client.get(f"/training/certificates/{cert.code}/evidence-package.zip").status_code == 404


def test_tampered_credential_is_named(passed: Any, tp: Any) -> None:
    from tests.interop.test_packages import _members, _resign

    cert = passed.certificates.get()
    members = _members(build.certificate_package(cert))
    token = members["credential.jwt"].decode().strip()
    head, body, sig = token.split(".")
    members["credential.jwt"] = f"{head}.{body[:-2]}AA.{sig}".encode()
    report = verify.verify_package(io.BytesIO(_resign(members)), jwks=checkpoints.jwks())
    assert any(p.startswith("credential.jwt:") for p in report.problems), report.problems
