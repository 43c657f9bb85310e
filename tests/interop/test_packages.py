"""Evidence packages: a good package verifies offline; every kind of damage is named."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError

from bioproof.core import checkpoints
from bioproof.interop.errors import NotFound
from bioproof.interop.packages import build, datacite, verify, zipsafe


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _resign(members: dict[str, bytes], key: Ed25519PrivateKey | None = None) -> bytes:
    """The package with its manifest recomputed and signed (by the platform key unless
    ``key``): damage only the deep checks can find."""
    manifest = json.loads(members["manifest.json"])
    for name in list(manifest["files"]):
        if name in members:
            manifest["files"][name] = {
                "sha256": verify.sha256_hex(members[name]),
                "size": len(members[name]),
            }
    if key is not None:
        raw = key.public_key().public_bytes_raw()
        manifest["key_id"] = checkpoints.key_id(raw)
    body = json.dumps(manifest).encode()
    members = {**members, "manifest.json": body}
    sig = (verify.b64url(key.sign(body)) if key is not None else checkpoints.sign(body)).encode()
    members["manifest.sig"] = sig
    return _zip(members)


def _check(data: bytes, **kw: Any) -> verify.Report:
    kw.setdefault("jwks", checkpoints.jwks())
    kw.setdefault("published_checkpoints", [c.to_dict() for c in checkpoints.read_log()])
    return verify.verify_package(io.BytesIO(data), **kw)


@pytest.fixture
def package(published: Any) -> bytes:
    record = build.track_record_for(published.code, AnonymousUser())
    return build.track_record_package(record)


def test_good_package_verifies_with_everything_inside(package: bytes, published: Any) -> None:
    members = _members(package)
    for name in (
        "report.pdf",
        "kpis.csv",
        "kpis.json",
        "verdicts.csv",
        "verdicts.json",
        "protocol.json",
        "signatures.json",
        "datacite.json",
        "ro-crate-metadata.json",
        "audit/events.json",
        "audit/checkpoints.json",
        "manifest.json",
        "manifest.sig",
    ):
        assert name in members, name
    raw = [n for n in members if n.startswith("data/") and n.endswith(".csv")]
    assert len(raw) == published.runs.count()
    report = _check(package)
    assert report.ok, report.problems
    assert report.counts["events"] > 10
    assert report.counts["data_files"] == len(raw)
    assert datacite.errors(json.loads(members["datacite.json"])) == []
    crate = json.loads(members["ro-crate-metadata.json"])
    ids = {e["@id"] for e in crate["@graph"]}
    assert "report.pdf" in ids and "./" in ids
    kpis = json.loads(members["kpis.json"])
    run = published.runs.order_by("arm", "label").first()
    assert kpis["runs"][0]["kpis"] == run.kpis


def test_every_flipped_byte_is_named(package: bytes) -> None:
    members = _members(package)
    for name in members:
        damaged = dict(members)
        data = bytearray(damaged[name])
        data[len(data) // 2] ^= 0x01
        damaged[name] = bytes(data)
        report = _check(_zip(damaged))
        assert not report.ok, name
        text = "\n".join(report.problems)
        if name in ("manifest.json", "manifest.sig"):
            assert "does not verify the manifest" in text or "not valid JSON" in text, text
        else:
            assert f"member '{name}': SHA-256" in text, (name, text)


def test_removed_and_added_members_are_named(package: bytes) -> None:
    members = _members(package)
    gone = dict(members)
    del gone["verdicts.csv"]
    report = _check(_zip(gone))
    assert "member 'verdicts.csv' listed in the manifest is missing" in report.problems
    extra = {**members, "data/extra.csv": b"x\n"}
    report = _check(_zip(extra))
    assert "member 'data/extra.csv' is not in the manifest (added after signing)" in report.problems
    nosig = dict(members)
    del nosig["manifest.sig"]
    assert "manifest.sig" in _check(_zip(nosig)).problems[0]


def test_edited_event_is_named_even_when_the_manifest_is_resigned(package: bytes) -> None:
    members = _members(package)
    doc = json.loads(members["audit/events.json"])
    victim = next(e for e in doc["events"] if e["action"] == "evaluation.published")
    victim["reason"] = "edited"
    members["audit/events.json"] = json.dumps(doc).encode()
    report = _check(_resign(members))
    assert any(
        f"audit event seq {victim['seq']} (evaluation.published" in p
        and "does not match its hash" in p
        for p in report.problems
    ), report.problems
    # an event removed from the middle breaks the span
    doc = json.loads(_members(package)["audit/events.json"])
    removed = doc["events"].pop(3)
    members["audit/events.json"] = json.dumps(doc).encode()
    report = _check(_resign(members))
    assert f"audit chain excerpt: event seq {removed['seq']} is missing from the span" in (
        report.problems
    )


def test_rehashed_event_breaks_the_link_or_the_checkpoint(package: bytes) -> None:
    members = _members(package)
    doc = json.loads(members["audit/events.json"])
    victim = doc["events"][2]
    victim["reason"] = "rewritten"
    victim["hash"] = verify.event_hash(victim)
    members["audit/events.json"] = json.dumps(doc).encode()
    report = _check(_resign(members))
    assert any(
        f"event seq {victim['seq'] + 1} does not link to event seq {victim['seq']}" in p
        or f"audit event seq {victim['seq']} does not match the checkpoint" in p
        for p in report.problems
    ), report.problems


def test_edited_kpi_is_named(package: bytes, published: Any) -> None:
    members = _members(package)
    kpis = json.loads(members["kpis.json"])
    run = kpis["runs"][1]
    key = kpis["keys"][0]
    run["kpis"][key] = (run["kpis"][key] or 0) * 1.1 + 1
    members["kpis.json"] = json.dumps(kpis).encode()
    # without re-signing: the member's hash
    assert any("member 'kpis.json': SHA-256" in p for p in _check(_zip(members)).problems)
    # re-signed (a platform that lies): the audit trail still names the run
    report = _check(_resign(members))
    assert any(f"kpis.json: run {run['label']}" in p for p in report.problems), report.problems
    # the CSV twin edited alone
    members = _members(package)
    lines = members["kpis.csv"].decode().splitlines()
    cells = lines[1].split(",")
    cells[3] = "123.456"
    lines[1] = ",".join(cells)
    members["kpis.csv"] = ("\n".join(lines) + "\n").encode()
    report = _check(_resign(members))
    assert any(f"kpis.csv, line 2, column '{kpis['keys'][0]}'" in p for p in report.problems)


def test_edited_verdict_and_raw_data_are_named(package: bytes) -> None:
    members = _members(package)
    verdicts = json.loads(members["verdicts.json"])
    crit = verdicts["criteria"][0]
    crit["passed"] = not crit["passed"]
    members["verdicts.json"] = json.dumps(verdicts).encode()
    report = _check(_resign(members))
    assert any(
        f"verdicts.json: criterion {crit['kpi']} field 'passed'" in p for p in report.problems
    )
    members = _members(package)
    raw = next(n for n in members if n.startswith("data/") and n.endswith(".csv"))
    members[raw] = members[raw].replace(b"1", b"2", 1)
    report = _check(_resign(members))
    assert any(f"data file '{raw}'" in p for p in report.problems), report.problems


def test_another_key_is_named(package: bytes) -> None:
    other = Ed25519PrivateKey.generate()
    raw = other.public_key().public_bytes_raw()
    other_jwks = {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": verify.b64url(raw),
                "kid": checkpoints.key_id(raw),
            }
        ]
    }
    report = _check(package, jwks=other_jwks)
    assert any(
        f"manifest is signed by key {checkpoints.key_id()}, which the published key set does not "
        "hold" in p
        for p in report.problems
    )
    # a package re-signed by another key, checked against the platform's published key
    report = _check(_resign(_members(package), key=other))
    assert any(f"signed by key {checkpoints.key_id(raw)}" in p for p in report.problems)
    # without --jwks the package's own key is used, with a warning
    report = verify.verify_package(io.BytesIO(package))
    assert report.ok and any("--jwks" in n for n in report.notes)


def test_checkpoints_against_the_published_list(package: bytes) -> None:
    members = _members(package)
    cps = json.loads(members["audit/checkpoints.json"])["checkpoints"]
    forged = [{**c, "hash": "f" * 64} for c in cps]
    report = _check(package, published_checkpoints=forged)
    assert any("differs from the published" in p for p in report.problems)
    report = _check(package, published_checkpoints=[])
    assert any("is not among the published checkpoints" in p for p in report.problems)
    # a checkpoint in the package whose signature was tampered
    doc = json.loads(members["audit/checkpoints.json"])
    doc["checkpoints"][0]["hash"] = "0" * 64
    members["audit/checkpoints.json"] = json.dumps(doc).encode()
    report = _check(_resign(members))
    assert any("signature does not verify with the platform key" in p for p in report.problems)


def test_unsafe_archives_are_refused(tmp_path: Any) -> None:
    traversal = _zip({"../evil.txt": b"x", "manifest.json": b"{}"})
    report = verify.verify_package(io.BytesIO(traversal))
    assert "path traversal" in report.problems[0]
    absolute = _zip({"/etc/passwd": b"x"})
    assert "absolute" in verify.verify_package(io.BytesIO(absolute)).problems[0]
    bomb = _zip({"bomb.bin": b"\0" * (8 * 1024 * 1024)})
    assert "zip bomb" in verify.verify_package(io.BytesIO(bomb)).problems[0]
    many = _zip({f"f{i}": b"" for i in range(20)})
    limits = zipsafe.Limits(members=10)
    assert "more than the 10" in verify.verify_package(io.BytesIO(many), limits=limits).problems[0]
    assert "not a readable zip" in verify.verify_package(io.BytesIO(b"PK\3\4junk")).problems[0]


def test_lying_header_is_stopped_at_the_cap() -> None:
    data = bytearray(_zip({"a.txt": b"A" * 5000}))
    # shrink the declared size in the central directory: the reader stops at the cap
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("a.txt")
        with pytest.raises(zipsafe.UnsafeArchive, match=r"a\.txt"):
            info.file_size = 100
            zipsafe.read_member(z, info)


def test_cli_exit_codes(package: bytes, tmp_path: Any) -> None:
    good = tmp_path / "good.zip"
    good.write_bytes(package)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(checkpoints.jwks()))
    cps = tmp_path / "checkpoints.jsonl"
    cps.write_text(checkpoints.log_path().read_text())
    out = io.StringIO()
    call_command("verify-package", str(good), jwks=str(jwks), checkpoints=str(cps), stdout=out)
    assert "package verifies" in out.getvalue()
    members = _members(package)
    del members["report.pdf"]
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_zip(members))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify-package", str(bad), jwks=str(jwks), stderr=err)
    assert "member 'report.pdf' listed in the manifest is missing" in err.getvalue()


def test_download_over_http_and_confidentiality(
    client: Any, package: bytes, published: Any
) -> None:
    response = client.get(f"/track-records/{published.code}/evidence-package.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert _check(response.content).ok
    assert client.get("/track-records/EV-0000-0000/evidence-package.zip").status_code == 404


def test_confidential_need_package_only_for_parties(
    published: Any, people: Any, monkeypatch: Any
) -> None:
    from bioproof.evaluations.models import Evaluation

    # the record answers a confidential need: the same rule as its report (parties only)
    monkeypatch.setattr(Evaluation, "need_is_confidential", property(lambda self: True))
    with pytest.raises(NotFound):
        build.track_record_for(published.code, AnonymousUser())
    with pytest.raises(NotFound):
        build.track_record_for(published.code, people["b_admin"])
    assert build.track_record_for(published.code, people["a_admin"]) is not None
    assert build.track_record_for(published.code, people["evaluator"]) is not None


def test_public_page_links_the_package_and_the_catalogue(client: Any, published: Any) -> None:
    page = client.get(f"/track-records/{published.code}/").content.decode()
    assert f"/track-records/{published.code}/evidence-package.zip" in page
    assert "/open-data/catalog.jsonld" in page
