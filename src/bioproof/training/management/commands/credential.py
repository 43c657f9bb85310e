"""``bioproof credential verify FILE [--jwks FILE]``: check a certificate's Open Badges credential
offline (no network): the EdDSA signature against the key set (default: this platform's own
public key) and the validity period. Exits 0 when the credential holds, 1 naming the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bioproof.training.credentials import CredentialError, verify


class Command(BaseCommand):
    help = "Verify a certificate's Open Badges 3.0 credential (VC-JWT) offline."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        check = sub.add_parser("verify", help="verify a credential file (compact JWS)")
        check.add_argument("file", help="the credential (.jwt) downloaded by the holder")
        check.add_argument(
            "--jwks",
            help="a saved copy of /.well-known/jwks.json (default: this platform's public key)",
        )
        check.add_argument("--json", action="store_true", help="print the claims as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        token = _read(options["file"], "credential")
        if options.get("jwks"):
            try:
                jwks = json.loads(_read(options["jwks"], "key set"))
            except json.JSONDecodeError as exc:
                raise CommandError(f"{options['jwks']}: not JSON ({exc.msg})") from None
        else:
            from bioproof.core import checkpoints

            jwks = checkpoints.jwks()
        try:
            result = verify(token, jwks)
        except CredentialError as exc:
            raise CommandError(f"{options['file']}: INVALID — {exc}") from None
        if options.get("json"):
            self.stdout.write(json.dumps(result.claims, ensure_ascii=False, indent=2))
        vc = result.claims["vc"]
        subject = vc.get("credentialSubject", {})
        holder = next(
            (i.get("identityHash") for i in subject.get("identifier", []) if not i.get("hashed")),
            "",
        )
        lines = [
            f"signature: valid (EdDSA, key {result.header.get('kid')})",
            f"certificate: {result.certificate}",
            f"holder: {holder}",
            f"achievement: {subject.get('achievement', {}).get('name', '')}",
            f"issued: {vc.get('issuanceDate', '')}",
            f"expires: {vc.get('expirationDate', 'never')}",
            f"revocation status (online): {vc.get('credentialStatus', {}).get('id', '')}",
        ]
        self.stdout.write("\n".join(lines))
        if result.expired:
            raise CommandError(f"{options['file']}: signature valid but the credential EXPIRED")
        self.stdout.write(self.style.SUCCESS("credential VALID"))


def _read(path: str, what: str) -> str:
    p = Path(path)
    try:
        if p.stat().st_size > 1024 * 1024:
            raise CommandError(f"{path}: the {what} file is larger than 1 MB")
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: the {what} is not UTF-8 text") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror})") from None
