"""Offline verification of an evidence package (``bioproof verify-package FILE``).

No database, no network: the package, and optionally the platform's published key set
(``/.well-known/jwks.json``) and checkpoints (``/transparency/checkpoints.json`` or a partner's
copy of the checkpoint log). Every mismatch is named: the member, the event, the run and KPI.

What is checked, in order:

1. the zip is read within bounds (:mod:`.zipsafe`);
2. ``manifest.json`` is signed (``manifest.sig``, Ed25519) by the key its ``key_id`` names, found in
   the published key set (``--jwks``; without it, the key the package carries, with a warning);
3. every member's SHA-256 and size equal the manifest's; no member is missing or unlisted;
4. the audit excerpt (``audit/events.json``): every event's hash is recomputed from its content
   (SHA-256 of its canonical JSON, the form of :mod:`bioproof.core.audit`), every span of the
   chain is contiguous and linked (each ``prev_hash`` is the previous event's ``hash``) and ends at
   a checkpoint whose signature verifies and whose hash is the span's last hash; with
   ``--checkpoints`` each checkpoint used must also be in the published list, unchanged;
5. the content against the audit trail: each run's KPIs, each criterion's verdict, each raw data
   file's and the report's SHA-256 equal what the audit trail recorded for that row; the CSV
   tables equal their JSON twins; the training credential's signature verifies.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from bioproof.interop.packages import zipsafe

FORMAT = "bioproof-evidence-package/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
EVENTS = "audit/events.json"
CHECKPOINTS = "audit/checkpoints.json"
MAX_JSON_BYTES = 64 * 1024 * 1024


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        self.problems.append(text)


# --- small pure helpers (the same forms as bioproof.core.audit / checkpoints) -------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


EVENT_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "organization_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "reason",
    "prev_hash",
)


def event_hash(event: Mapping[str, Any]) -> str:
    """An audit event's hash recomputed from its content."""
    return sha256_hex(canonical_json({k: event.get(k) for k in EVENT_FIELDS}))


def checkpoint_message(cp: Mapping[str, Any]) -> bytes:
    body = {
        "seq": cp["seq"],
        "hash": cp["hash"],
        "at": cp["at"],
        "key_id": cp["key_id"],
        "chain": "bioproof-audit",
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def keys_from_jwks(jwks: Any) -> dict[str, Ed25519PublicKey]:
    out: dict[str, Ed25519PublicKey] = {}
    items = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if isinstance(jwks, Mapping) and isinstance(jwks.get("public_key"), Mapping):
        items = [jwks["public_key"]]  # the transparency page's checkpoint document
    for key in items or []:
        if isinstance(key, Mapping) and key.get("kty") == "OKP" and key.get("crv") == "Ed25519":
            try:
                out[str(key.get("kid", ""))] = Ed25519PublicKey.from_public_bytes(
                    b64url_decode(str(key.get("x", "")))
                )
            except ValueError:
                continue
    return out


def _verify(key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(b64url_decode(signature.strip()), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def read_checkpoints(text: str) -> list[dict[str, Any]]:
    """Checkpoints from the transparency page's JSON document or a JSON-lines log copy."""
    stripped = text.lstrip()
    if stripped.startswith("{") and '"checkpoints"' in stripped[:400]:
        items = json.loads(text)["checkpoints"]
    else:
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
    out = []
    for item in items:
        out.append(
            {
                "seq": int(item["seq"]),
                "hash": str(item["hash"]),
                "at": str(item["at"]),
                "key_id": str(item["key_id"]),
                "signature": str(item["signature"]),
            }
        )
    return out


def _json(members: Mapping[str, bytes], name: str, report: Report) -> Any:
    data = members.get(name)
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        report.problem(f"member '{name}' is not valid JSON ({exc})")
        return None


# --- the checks ---------------------------------------------------------------------------------


def verify_package(
    source: str | Path | IO[bytes],
    *,
    jwks: Mapping[str, Any] | None = None,
    published_checkpoints: list[dict[str, Any]] | None = None,
    limits: zipsafe.Limits = zipsafe.DEFAULT_LIMITS,
) -> Report:
    report = Report()
    try:
        members = zipsafe.read_all(str(source) if isinstance(source, Path) else source, limits)
    except zipsafe.UnsafeArchive as exc:
        report.problem(f"archive refused: {exc}")
        return report
    report.counts["members"] = len(members)
    manifest = _check_manifest(members, jwks, report)
    if manifest is None:
        return report
    key = _key(manifest, members, jwks, report)
    _check_members(members, manifest, report)
    if key is not None and EVENTS in members:
        events = _check_audit(members, key, published_checkpoints, report)
        _check_content(members, events, report)
    elif EVENTS not in members:
        report.problem(f"member '{EVENTS}' (the audit excerpt) is missing")
    if key is not None and "credential.jwt" in members:
        _check_credential(members, jwks or _json(members, "jwks.json", report) or {}, report)
    return report


def _key(
    manifest: Mapping[str, Any],
    members: Mapping[str, bytes],
    jwks: Mapping[str, Any] | None,
    report: Report,
) -> Ed25519PublicKey | None:
    kid = str(manifest.get("key_id", ""))
    if jwks is None:
        jwks = _json(members, "jwks.json", report) or {}
        report.notes.append(
            "no published key set given (--jwks): the manifest was checked against the key the "
            "package carries, which proves integrity but not origin"
        )
    keys = keys_from_jwks(jwks)
    key = keys.get(kid)
    if key is None:
        known = ", ".join(sorted(keys)) or "none"
        report.problem(
            f"manifest is signed by key {kid or '(none)'}, which the published key set does not "
            f"hold (it holds: {known}): the package was not signed by this platform's key"
        )
        return None
    signature = members.get(SIGNATURE, b"").decode("ascii", "replace")
    if not _verify(key, members[MANIFEST], signature):
        report.problem(
            f"'{SIGNATURE}' does not verify the manifest with key {kid}: the manifest was altered "
            "or signed by another key"
        )
        return None
    return key


def _check_manifest(
    members: Mapping[str, bytes], jwks: Mapping[str, Any] | None, report: Report
) -> dict[str, Any] | None:
    for name in (MANIFEST, SIGNATURE):
        if name not in members:
            report.problem(f"member '{name}' is missing: the package cannot be verified")
            return None
    manifest = _json(members, MANIFEST, report)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        report.problem(f"'{MANIFEST}' holds no file list")
        return None
    if manifest.get("format") != FORMAT:
        report.problem(f"'{MANIFEST}': format {manifest.get('format')!r} is not {FORMAT!r}")
    return manifest


def _check_members(
    members: Mapping[str, bytes], manifest: Mapping[str, Any], report: Report
) -> None:
    listed: Mapping[str, Any] = manifest["files"]
    for name, entry in sorted(listed.items()):
        data = members.get(name)
        if data is None:
            report.problem(f"member '{name}' listed in the manifest is missing")
            continue
        want = str((entry or {}).get("sha256", ""))
        found = sha256_hex(data)
        if found != want:
            report.problem(
                f"member '{name}': SHA-256 {found[:16]}… does not match the manifest's "
                f"{want[:16]}… (the file was changed)"
            )
        elif int((entry or {}).get("size", -1)) != len(data):
            report.problem(f"member '{name}': size differs from the manifest")
    for name in sorted(set(members) - set(listed) - {MANIFEST, SIGNATURE}):
        report.problem(f"member '{name}' is not in the manifest (added after signing)")
    report.counts["files"] = len(listed)


def _check_audit(
    members: Mapping[str, bytes],
    key: Ed25519PublicKey,
    published: list[dict[str, Any]] | None,
    report: Report,
) -> list[dict[str, Any]]:
    doc = _json(members, EVENTS, report)
    cps_doc = _json(members, CHECKPOINTS, report)
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        report.problem(f"'{EVENTS}' holds no event list")
        return []
    events: list[dict[str, Any]] = [e for e in doc["events"] if isinstance(e, dict)]
    links: list[dict[str, Any]] = [e for e in doc.get("links") or [] if isinstance(e, dict)]
    by_seq: dict[int, dict[str, Any]] = {}
    for event in events:
        seq = event.get("seq")
        where = f"audit event seq {seq} ({event.get('action')} on {event.get('object_type')} " + (
            f"{event.get('object_id')})"
        )
        if not isinstance(seq, int) or seq in by_seq:
            report.problem(f"{where}: missing or repeated sequence number")
            continue
        if event_hash(event) != event.get("hash"):
            report.problem(f"{where}: content does not match its hash (the event was edited)")
        by_seq[seq] = event
    for link in links:
        seq = link.get("seq")
        if not isinstance(seq, int) or seq in by_seq:
            report.problem(f"audit link seq {seq}: missing or repeated sequence number")
            continue
        by_seq[seq] = {**link, "_opaque": True}
    # checkpoints: the package's, each signed by the platform key; and, given, the published list
    cps: dict[int, dict[str, Any]] = {}
    try:
        items = read_checkpoints(json.dumps(cps_doc)) if cps_doc is not None else []
    except (KeyError, TypeError, ValueError):
        items = []
        report.problem(f"'{CHECKPOINTS}' is not a checkpoint document")
    for cp in items:
        if not _verify(key, checkpoint_message(cp), cp["signature"]):
            report.problem(
                f"checkpoint seq {cp['seq']} ({cp['at']}): signature does not verify with the "
                "platform key"
            )
            continue
        cps[cp["seq"]] = cp
    if published is not None:
        pub = {cp["seq"]: cp for cp in published}
        for seq, cp in sorted(cps.items()):
            other = pub.get(seq)
            if other is None:
                report.problem(
                    f"checkpoint seq {seq} ({cp['at']}) is not among the published checkpoints"
                )
            elif other["hash"] != cp["hash"] or other["signature"] != cp["signature"]:
                report.problem(
                    f"checkpoint seq {seq}: the package's hash {cp['hash'][:16]}… differs from "
                    f"the published {other['hash'][:16]}… (the chain was rewritten)"
                )
    # spans: contiguous, linked, ending at a checkpoint
    covered: set[int] = set()
    bound = 0
    for span in doc.get("spans") or []:
        try:
            start, end = int(span["from"]), int(span["to"])
        except (KeyError, TypeError, ValueError):
            report.problem(f"'{EVENTS}': malformed span {span!r:.60}")
            continue
        if end - start > 1_000_000 or end < start:
            report.problem(f"'{EVENTS}': span {start}..{end} is not plausible")
            continue
        prev_hash = None
        opaque = False
        ok = True
        for seq in range(start, end + 1):
            entry = by_seq.get(seq)
            if entry is None:
                report.problem(f"audit chain excerpt: event seq {seq} is missing from the span")
                ok = False
                break
            if prev_hash is not None and entry.get("prev_hash") != prev_hash:
                report.problem(
                    f"audit chain excerpt: event seq {seq} does not link to event seq {seq - 1} "
                    "(prev_hash differs: an event was edited, inserted or removed)"
                )
                ok = False
            prev_hash = entry.get("hash")
            opaque = opaque or bool(entry.get("_opaque"))
            covered.add(seq)
        cp = cps.get(end)
        if cp is None:
            report.problem(f"audit chain excerpt: span {start}..{end} ends at no checkpoint")
        elif by_seq.get(end, {}).get("hash") != cp["hash"]:
            report.problem(
                f"audit event seq {end} does not match the checkpoint of {cp['at']}: expected "
                f"hash {cp['hash'][:16]}…, found {str(by_seq.get(end, {}).get('hash'))[:16]}…"
            )
        elif ok and not opaque:
            bound += sum(1 for s in range(start, end + 1) if s in by_seq)
    for seq in sorted(set(by_seq) - covered):
        if not by_seq[seq].get("_opaque"):
            report.problem(f"audit event seq {seq} is in no span anchored by a checkpoint")
    report.counts["events"] = len(events)
    report.counts["checkpoints"] = len(cps)
    if events and bound < len(events):
        report.notes.append(
            f"{len(events) - bound} of {len(events)} events reach their checkpoint through "
            "events of other records, included by hash only (their content is not public)"
        )
    return events


def _latest_rows(events: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[int, Any]]:
    out: dict[tuple[str, str], tuple[int, Any]] = {}
    for event in sorted(events, key=lambda e: e.get("seq") or 0):
        if event.get("action") == "row.saved" and isinstance(event.get("after"), dict):
            out[(str(event.get("object_type")), str(event.get("object_id")))] = (
                event["seq"],
                event["after"],
            )
    return out


def _same(recorded: Any, value: Any) -> bool:
    if isinstance(recorded, dict) and recorded.get("digest_of") == "value":
        return recorded.get("sha256") == sha256_hex(canonical_json(value))
    return canonical_json(recorded) == canonical_json(value)


def _diff_keys(recorded: Any, value: Any) -> list[str]:
    if not (isinstance(recorded, dict) and isinstance(value, dict)) or "digest_of" in recorded:
        return []
    keys = sorted(set(recorded) | set(value))
    return [k for k in keys if canonical_json(recorded.get(k)) != canonical_json(value.get(k))]


def _check_content(
    members: Mapping[str, bytes], events: list[dict[str, Any]], report: Report
) -> None:
    rows = _latest_rows(events)

    def recorded(object_type: str, pk: Any, name: str) -> tuple[int, Any] | None:
        row = rows.get((object_type, str(pk)))
        if row is None or name not in row[1]:
            return None
        return row[0], row[1][name]

    kpis = _json(members, "kpis.json", report)
    if isinstance(kpis, dict):
        for run in kpis.get("runs") or []:
            got = recorded("evaluations.run", run.get("id"), "kpis")
            if got is None:
                report.problem(f"kpis.json: run {run.get('label')} has no audit event")
            elif not _same(got[1], run.get("kpis")):
                named = _diff_keys(got[1], run.get("kpis"))
                what = f"KPI {', '.join(repr(k) for k in named)}" if named else "KPIs"
                report.problem(
                    f"kpis.json: run {run.get('label')} {what} differ from the audit trail "
                    f"(event seq {got[0]})"
                )
        _check_csv(members, "kpis.csv", kpis, report)
    verdicts = _json(members, "verdicts.json", report)
    if isinstance(verdicts, dict):
        for crit in verdicts.get("criteria") or []:
            for name in ("passed", "result", "value", "comparison", "kpi"):
                if name not in crit:
                    continue
                got = recorded("evaluations.criterion", crit.get("id"), name)
                if got is None:
                    report.problem(f"verdicts.json: criterion {crit.get('kpi')} has no audit event")
                    break
                if not _same(got[1], crit.get(name)):
                    report.problem(
                        f"verdicts.json: criterion {crit.get('kpi')} field '{name}' differs from "
                        f"the audit trail (event seq {got[0]})"
                    )
    data = _json(members, "data/files.json", report)
    for entry in (data or {}).get("files") or []:
        got = recorded(str(entry.get("object_type")), entry.get("id"), "sha256")
        path = entry.get("path")
        if got is None:
            report.problem(f"data file '{path}' has no audit event")
        elif got[1] != entry.get("sha256"):
            report.problem(
                f"data file '{path}': SHA-256 differs from the one the audit trail recorded "
                f"(event seq {got[0]})"
            )
        elif path in members and sha256_hex(members[path]) != entry.get("sha256"):
            report.problem(f"data file '{path}': content does not match its recorded SHA-256")
    report.counts["data_files"] = len((data or {}).get("files") or [])


def _float(text: str) -> float | None:
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return math.nan


def _check_csv(members: Mapping[str, bytes], name: str, kpis: Any, report: Report) -> None:
    data = members.get(name)
    if data is None:
        return
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        report.problem(f"'{name}' is not a readable CSV ({exc})")
        return
    by_label = {str(r.get("label")): r for r in kpis.get("runs") or []}
    for number, row in enumerate(rows, 2):
        run = by_label.get(str(row.get("run")))
        if run is None:
            report.problem(f"{name}, line {number}: run {row.get('run')!r} is not in kpis.json")
            continue
        for key in kpis.get("keys") or []:
            want = (run.get("kpis") or {}).get(key)
            got = _float(row.get(key, ""))
            same = (want is None and got is None) or (
                isinstance(want, int | float)
                and got is not None
                and math.isclose(float(want), got, rel_tol=1e-12, abs_tol=0)
            )
            if not same:
                report.problem(
                    f"{name}, line {number}, column '{key}': {row.get(key)!r} differs from "
                    f"kpis.json ({want!r})"
                )
    if len(rows) != len(by_label):
        report.problem(f"'{name}' has {len(rows)} runs, kpis.json {len(by_label)}")


def _check_credential(
    members: Mapping[str, bytes], jwks: Mapping[str, Any], report: Report
) -> None:
    from bioproof.training.credentials import CredentialError, verify

    try:
        verify(members["credential.jwt"].decode("ascii", "replace"), jwks)
    except CredentialError as exc:
        report.problem(f"credential.jwt: {exc}")


def verify_file(
    path: str | Path,
    *,
    jwks_path: str | Path | None = None,
    checkpoints_path: str | Path | None = None,
) -> Report:
    """:func:`verify_package` with the key set and the checkpoints read from files."""
    jwks = None
    published = None
    pre = Report()
    if jwks_path is not None:
        try:
            jwks = json.loads(Path(jwks_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            pre.problem(f"key set {jwks_path}: cannot be read as JSON ({exc})")
    if checkpoints_path is not None:
        try:
            published = read_checkpoints(Path(checkpoints_path).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            pre.problem(f"checkpoints {checkpoints_path}: not a checkpoint list ({exc})")
    if pre.problems:
        return pre
    return verify_package(Path(path), jwks=jwks, published_checkpoints=published)
