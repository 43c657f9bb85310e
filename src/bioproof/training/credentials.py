"""Certificates as Open Badges 3.0 credentials (W3C Verifiable Credentials, VC-JWT).

Each certificate is issued as an ``OpenBadgeCredential`` in the JWT encoding of the VC data model
(Open Badges 3.0 §8.2): a compact JWS, header ``{"alg": "EdDSA", "typ": "JWT", "kid": …}``, signed
with the platform's Ed25519 key (:mod:`bioproof.core.checkpoints`), whose public half is published
at ``/.well-known/jwks.json``. The claims are ``iss``, ``jti``, ``sub``, ``nbf``, ``iat``, ``exp``
(when the certificate expires) and ``vc`` (the credential).

:func:`verify` needs no network and no database: give it the token and a JWKS (the platform's
``/.well-known/jwks.json`` saved beforehand). It checks the algorithm, the key id, the signature
and the validity period; revocation is answered by the verification page named in the
credential's ``credentialStatus`` (the only step that needs the network).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

VC_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MAX_TOKEN_BYTES = 64 * 1024


class CredentialError(Exception):
    """The credential is malformed, not signed by a known key, or outside its validity."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise CredentialError("not base64url") from exc


def _json_part(data: Mapping[str, Any]) -> str:
    return b64url(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())


def _timestamp(value: dt.date | dt.datetime) -> int:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min, tzinfo=dt.UTC)
    return int(value.timestamp())


def build_claims(
    *,
    base_url: str,
    code: str,
    credential_id: str,
    holder_name: str,
    holder_id: str,
    course_code: str,
    course_version: int,
    title_ko: str,
    title_en: str,
    description: str,
    criteria: str,
    provider_name: str,
    issued_at: dt.datetime,
    expires_on: dt.date | None,
    qualifications: list[Mapping[str, Any]],
) -> dict[str, Any]:
    """The JWT claims of one certificate's OpenBadgeCredential."""
    base = base_url.rstrip("/")
    verify_url = f"{base}/training/verify/{code}/"
    expires_at = (
        dt.datetime.combine(expires_on, dt.time(23, 59, 59), tzinfo=dt.UTC) if expires_on else None
    )
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{title_en} ({code})",
        "issuer": {"id": base + "/", "type": ["Profile"], "name": "BioProof"},
        "issuanceDate": issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": holder_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "identityHash": holder_name,
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": f"{base}/training/courses/{course_code}/?version={course_version}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": title_en,
                "description": description,
                "criteria": {"narrative": criteria},
                "creator": {"id": base + "/", "type": ["Profile"], "name": provider_name},
                "alignment": [],
                "tag": [q["key"] for q in qualifications],
            },
            "result": [],
        },
        "credentialStatus": {"id": verify_url, "type": "BioProofVerificationPage"},
        "evidence": [
            {
                "id": verify_url,
                "type": ["Evidence"],
                "name": title_ko,
                "description": "; ".join(
                    f"{q['key']}"
                    + (f" (until {q['expires_on']})" if q.get("expires_on") else " (no expiry)")
                    for q in qualifications
                ),
            }
        ],
    }
    if expires_at:
        credential["expirationDate"] = expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    claims: dict[str, Any] = {
        "iss": base + "/",
        "jti": credential_id,
        "sub": holder_id,
        "iat": _timestamp(issued_at),
        "nbf": _timestamp(issued_at),
        "vc": credential,
        "bioproof": {"certificate": code, "verify": verify_url},
    }
    if expires_at:
        claims["exp"] = _timestamp(expires_at)
    return claims


def sign(claims: Mapping[str, Any]) -> str:
    """A compact JWS (EdDSA) of ``claims`` with the platform key."""
    from bioproof.core import checkpoints

    header = {"alg": "EdDSA", "typ": "JWT", "kid": checkpoints.key_id()}
    signing_input = f"{_json_part(header)}.{_json_part(claims)}"
    return f"{signing_input}.{checkpoints.sign(signing_input.encode())}"


@dataclass(frozen=True)
class Verified:
    header: dict[str, Any]
    claims: dict[str, Any]
    expired: bool

    @property
    def certificate(self) -> str:
        return str(self.claims.get("bioproof", {}).get("certificate", ""))


def _keys(jwks: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    out: dict[str, Ed25519PublicKey] = {}
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise CredentialError("the key set has no 'keys' list")
    for key in keys:
        if not isinstance(key, Mapping):
            continue
        if key.get("kty") == "OKP" and key.get("crv") == "Ed25519" and key.get("x"):
            try:
                out[str(key.get("kid", ""))] = Ed25519PublicKey.from_public_bytes(
                    b64url_decode(str(key["x"]))
                )
            except ValueError as exc:
                raise CredentialError(f"key {key.get('kid')!r} is not an Ed25519 key") from exc
    if not out:
        raise CredentialError("the key set holds no Ed25519 key")
    return out


def verify(token: str, jwks: Mapping[str, Any], *, now: dt.datetime | None = None) -> Verified:
    """Check the token's signature against ``jwks`` and its validity period; raise
    :class:`CredentialError` naming what is wrong. An expired credential is reported through
    ``Verified.expired`` (its signature still holds), a not-yet-valid one raises."""
    token = token.strip()
    if len(token) > MAX_TOKEN_BYTES:
        raise CredentialError("the credential is too large")
    parts = token.split(".")
    if len(parts) != 3:
        raise CredentialError("not a compact JWS (header.payload.signature)")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CredentialError("the header or the payload is not JSON") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise CredentialError("the header or the payload is not a JSON object")
    if header.get("alg") != "EdDSA":
        raise CredentialError(f"algorithm {header.get('alg')!r} is not accepted (EdDSA only)")
    keys = _keys(jwks)
    kid = str(header.get("kid", ""))
    key = keys.get(kid)
    if key is None:
        raise CredentialError(f"signed with key {kid!r}, which the key set does not hold")
    try:
        key.verify(b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode())
    except (InvalidSignature, CredentialError) as exc:
        raise CredentialError("the signature does not match: the credential was altered") from exc
    vc = claims.get("vc")
    if not isinstance(vc, dict) or "OpenBadgeCredential" not in (vc.get("type") or []):
        raise CredentialError("the payload holds no OpenBadgeCredential")
    moment = int((now or dt.datetime.now(dt.UTC)).timestamp())
    nbf = claims.get("nbf")
    if isinstance(nbf, int) and moment < nbf:
        raise CredentialError("the credential is not valid yet")
    exp = claims.get("exp")
    expired = isinstance(exp, int) and moment > exp
    return Verified(header, claims, expired)
