"""Build evidence packages: an RO-Crate 1.x zip of a published track record (or, for its
holder, a training certificate), with DataCite 4.5 metadata, the audit excerpt anchored by signed
checkpoints and a manifest of SHA-256s signed with the platform's Ed25519 key.

Who may download what is decided here, once (:func:`track_record_for`, :func:`certificate_for`):
a public track record by anyone, unless its need is confidential — then by its parties only, as
its report; a certificate by its holder (and whoever may see it under the training policy).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rocrate.rocrate import ROCrate

from bioproof.core import audit, checkpoints
from bioproof.core.errors import DomainError
from bioproof.core.files import safe_filename
from bioproof.core.models import AuditCheckpoint, AuditEvent
from bioproof.core.signatures import signatures_for
from bioproof.interop.errors import NotFound
from bioproof.interop.packages import datacite
from bioproof.interop.packages.verify import CHECKPOINTS, EVENTS, FORMAT, MANIFEST, SIGNATURE

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
_FIXED = (2026, 1, 1, 0, 0, 0)  # zip member time: the same package bytes for the same content


def _site(path: str) -> str:
    return f"{settings.BIOPROOF_SITE_URL}{path}"


def _json_bytes(value: Any) -> bytes:
    return (
        json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"
    ).encode()


# --- the audit excerpt --------------------------------------------------------------------------


def event_dict(event: AuditEvent) -> dict[str, Any]:
    """The event as its hash was computed (``at`` as the canonical UTC text) plus ``hash``."""
    out = json.loads(audit.canonical_json(audit._event_payload(event)))
    out["hash"] = event.hash
    return out


def audit_excerpt(objects: Iterable[tuple[str, Iterable[Any]]]) -> tuple[dict, dict]:
    """The events of ``objects`` ((model label, pks) pairs), each span of the chain from them to
    the nearest checkpoint (other records' events by hash only), and those checkpoints."""
    query = Q()
    for label, pks in objects:
        ids = [str(pk) for pk in pks if pk is not None]
        if ids:
            query |= Q(object_type=label, object_id__in=ids)
    events = list(AuditEvent.objects.filter(query).order_by("seq")) if query else []
    if events:
        checkpoints.checkpoint()  # anchor the head if the last commit's checkpoint is missing
    spans: list[tuple[int, int]] = []
    used: list[AuditCheckpoint] = []
    i = 0
    while i < len(events):
        cp = AuditCheckpoint.objects.filter(seq__gte=events[i].seq).order_by("seq").first()
        if cp is None:
            raise DomainError(
                _(
                    "The audit events of this record are not anchored by a signed checkpoint yet "
                    "(the checkpoint log cannot be written); try again later."
                )
            )
        spans.append((events[i].seq, cp.seq))
        used.append(cp)
        while i < len(events) and events[i].seq <= cp.seq:
            i += 1
    own = {e.seq for e in events}
    span_q = Q()
    for start, end in spans:
        span_q |= Q(seq__gte=start, seq__lte=end)
    links = (
        [
            {"seq": s, "prev_hash": p, "hash": h}
            for s, p, h in AuditEvent.objects.filter(span_q)
            .exclude(seq__in=own)
            .order_by("seq")
            .values_list("seq", "prev_hash", "hash")
        ]
        if spans
        else []
    )
    events_doc = {
        "chain": "bioproof-audit",
        "hash_rule": "hash = SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the "
        "event's fields except 'hash'; each prev_hash is the previous event's hash",
        "events": [event_dict(e) for e in events],
        "links": links,
        "spans": [{"from": a, "to": b} for a, b in spans],
    }
    checkpoints_doc = {
        "chain": "bioproof-audit",
        "public_key": checkpoints.jwks()["keys"][0],
        "checkpoints": [
            {"seq": c.seq, "hash": c.hash, "at": c.at, "key_id": c.key_id, "signature": c.signature}
            for c in used
        ],
    }
    return events_doc, checkpoints_doc


# --- assembling ---------------------------------------------------------------------------------


def assemble(
    members: dict[str, bytes],
    *,
    name: str,
    description: str,
    subject: dict[str, Any],
    describe: dict[str, dict[str, Any]],
    datacite_record: dict[str, Any],
) -> bytes:
    """RO-Crate metadata, DataCite record, key set and the signed manifest around ``members``."""
    members = dict(members)
    members["datacite.json"] = _json_bytes(datacite_record)
    members["jwks.json"] = _json_bytes(checkpoints.jwks())
    crate = ROCrate()
    crate.name = name
    crate.description = description
    crate.license = LICENCE
    crate.datePublished = timezone.now().astimezone(dt.UTC).isoformat()
    for path in sorted(members):
        props = {"name": path, "contentSize": str(len(members[path]))}
        props["sha256"] = audit.sha256_hex(members[path])
        props.update(describe.get(path, {}))
        crate.add_file(None, dest_path=path, properties=props)
    members["ro-crate-metadata.json"] = _json_bytes(crate.metadata.generate())
    manifest = {
        "format": FORMAT,
        "created": timezone.now().astimezone(dt.UTC).isoformat(),
        "subject": subject,
        "algorithm": "Ed25519",
        "key_id": checkpoints.key_id(),
        "key_set": _site(reverse("jwks")),
        "checkpoints": _site(reverse("transparency_checkpoints")),
        "files": {
            path: {"sha256": audit.sha256_hex(data), "size": len(data)}
            for path, data in sorted(members.items())
        },
    }
    manifest_bytes = _json_bytes(manifest)
    members[MANIFEST] = manifest_bytes
    members[SIGNATURE] = (checkpoints.sign(manifest_bytes) + "\n").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(members):
            info = zipfile.ZipInfo(path, date_time=_FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[path])
    return out.getvalue()


def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            ["" if v is None else (repr(v) if isinstance(v, float) else v) for v in row]
        )
    return buf.getvalue().encode("utf-8")


# --- track records ------------------------------------------------------------------------------


def track_record_for(code: str, user: Any) -> Any:
    """The public track record ``code`` if ``user`` may download its package, else NotFound."""
    from bioproof.evaluations.models import Evaluation, TrackRecord

    record = (
        TrackRecord.objects.public()
        .select_related(
            "evaluation__product__supplier",
            "evaluation__product__category",
            "evaluation__center",
            "evaluation__need",
            "evaluation__protocol",
            "evaluation__template",
            "report",
        )
        .filter(evaluation__code=code, evaluation__is_current=True)
        .first()
    )
    if record is None:
        raise NotFound(_("No public track record has the code %(code)s.") % {"code": code})
    evaluation = record.evaluation
    if (
        evaluation.need_is_confidential
        and not Evaluation.objects.visible_to(user).filter(pk=evaluation.pk).exists()
    ):
        raise NotFound(
            _("This evidence package is shared with the parties of the evaluation only.")
        )
    return record


def track_record_package(record: Any) -> bytes:
    """The evidence package of a public track record (see the module docstring)."""
    from bioproof.evaluations import reporting
    from bioproof.evaluations.models import RunDataFile

    evaluation = record.evaluation
    runs = list(evaluation.runs.order_by("arm", "label"))
    keys = reporting.kpi_keys(evaluation)
    criteria = list(evaluation.criteria.order_by("id"))
    members: dict[str, bytes] = {}
    describe: dict[str, dict[str, Any]] = {}

    with record.report.file.open("rb") as fh:
        members["report.pdf"] = fh.read()
    describe["report.pdf"] = {
        "encodingFormat": "application/pdf",
        "description": f"signed evaluation report, verification code "
        f"{record.report.verification_code}",
    }
    kpi_doc = {
        "keys": keys,
        "units": {k: reporting.kpi_unit(k) for k in keys},
        "labels": {k: reporting.kpi_label(k, "en") for k in keys},
        "engine_version": evaluation.engine_version,
        "runs": [
            {
                "id": r.pk,
                "label": r.label,
                "arm": r.arm,
                "batch_id": r.batch_id,
                "equipment": r.equipment,
                "kpis": r.kpis,
            }
            for r in runs
        ],
    }
    members["kpis.json"] = _json_bytes(kpi_doc)
    members["kpis.csv"] = _csv(
        ["run", "arm", "batch_id", *keys],
        ([r.label, r.arm, r.batch_id, *((r.kpis or {}).get(k) for k in keys)] for r in runs),
    )
    describe["kpis.csv"] = {"encodingFormat": "text/csv", "description": "KPIs per run"}
    describe["kpis.json"] = {"encodingFormat": "application/json", "description": "KPIs per run"}
    verdicts = {
        "criteria": [
            {
                "id": c.pk,
                "kpi": c.kpi,
                "comparison": c.comparison,
                "value": c.value,
                "relative": c.relative,
                "alpha": c.alpha,
                "unit": c.unit,
                "source": c.source,
                "passed": c.passed,
                "result": c.result,
            }
            for c in criteria
        ]
    }
    members["verdicts.json"] = _json_bytes(verdicts)
    members["verdicts.csv"] = _csv(
        ["kpi", "comparison", "value", "relative", "unit", "passed"],
        ([c.kpi, c.comparison, c.value, c.relative, c.unit, c.passed] for c in criteria),
    )
    describe["verdicts.csv"] = {"encodingFormat": "text/csv", "description": "verdicts"}
    protocol = evaluation.protocol
    if protocol is not None:
        members["protocol.json"] = _json_bytes(
            {
                "code": protocol.code,
                "template": str(evaluation.template) if evaluation.template else None,
                "content_hash": protocol.content_hash,
                "plan": protocol.plan,
            }
        )
        describe["protocol.json"] = {"description": "the signed evaluation protocol"}
    files = list(
        RunDataFile.objects.filter(run__evaluation=evaluation, is_current=True)
        .select_related("run")
        .order_by("run__arm", "run__label", "layout")
    )
    index = []
    for f in files:
        path = (
            f"data/{f.run_id}-{safe_filename(f.run.label)}/"
            f"{f.layout}-v{f.version}-{safe_filename(f.filename)}"
        )
        with f.file.open("rb") as fh:
            members[path] = fh.read()
        index.append(
            {
                "path": path,
                "object_type": "evaluations.rundatafile",
                "id": f.pk,
                "run": f.run.label,
                "layout": f.layout,
                "version": f.version,
                "sha256": f.sha256,
                "size": f.size,
            }
        )
        describe[path] = {"description": f"raw data, run {f.run.label}, layout {f.layout}"}
    members["data/files.json"] = _json_bytes({"files": index})
    from bioproof.interop.packages import asm_members

    asm_objects = asm_members(files, members, describe)
    sigs = list(signatures_for(evaluation))
    if protocol is not None:
        sigs += list(signatures_for(protocol))
    members["signatures.json"] = _json_bytes(
        [
            {
                "id": s.pk,
                "object": s.object_code,
                "version": s.object_version,
                "meaning": s.meaning,
                "signer": s.signer_name,
                "organization": s.organization.name_en,
                "signed_at": s.signed_at.astimezone(dt.UTC).isoformat(),
                "content_hash": s.content_hash,
            }
            for s in sigs
        ]
    )
    events, cps = audit_excerpt(
        [
            ("evaluations.evaluation", [evaluation.pk]),
            ("evaluations.protocol", [evaluation.protocol_id]),
            ("evaluations.run", [r.pk for r in runs]),
            ("evaluations.rundatafile", [f.pk for f in files]),
            ("evaluations.criterion", [c.pk for c in criteria]),
            ("evaluations.deviation", evaluation.deviations.values_list("pk", flat=True)),
            ("evaluations.report", evaluation.reports.values_list("pk", flat=True)),
            ("evaluations.trackrecord", [record.pk]),
            ("core.signature", [s.pk for s in sigs]),
            *asm_objects,
        ]
    )
    members[EVENTS] = _json_bytes(events)
    members[CHECKPOINTS] = _json_bytes(cps)
    product = evaluation.product
    title = f"{evaluation.code} v{evaluation.version}: {evaluation.public_title}"
    url = _site(reverse("track_record_detail", args=[evaluation.code]))
    record_dc = datacite.record(
        titles=[{"title": title, "lang": "en"}],
        creators=[
            {"name": evaluation.center.name_en, "nameType": "Organizational"},
        ],
        contributors=[
            {
                "name": product.supplier.name_en,
                "nameType": "Organizational",
                "contributorType": "Sponsor",
            }
        ],
        year=str(record.published_at.year),
        resource_type="Demonstration evaluation track record",
        url=url,
        identifiers=[
            ("BioProof evaluation code", f"{evaluation.code} v{evaluation.version}"),
            ("BioProof report verification code", record.report.verification_code),
        ],
        dates=[
            ("Issued", record.published_at.date().isoformat()),
            ("Created", record.report.generated_at.date().isoformat()),
        ],
        description=(
            f"Demonstration evaluation of {product.name_en} ({product.code}) by "
            f"{product.supplier.name_en} at {evaluation.center.name_en}: {len(runs)} runs, "
            f"{len(criteria)} acceptance criteria, "
            f"{sum(1 for c in criteria if c.passed)} met."
        ),
        subjects=[product.category.name_en, "bioprocess", "demonstration evaluation"],
        version=str(evaluation.version),
        related=[("URL", _site(reverse("verify")), "IsDocumentedBy")],
        rights=LICENCE,
    )
    return assemble(
        members,
        name=title,
        description=record_dc["descriptions"][0]["description"],
        subject={
            "type": "track_record",
            "code": evaluation.code,
            "version": evaluation.version,
            "report": record.report.verification_code,
        },
        describe=describe,
        datacite_record=record_dc,
    )


# --- certificates -------------------------------------------------------------------------------


def certificate_for(code: str, user: Any) -> Any:
    """The certificate ``code`` if ``user`` holds it."""
    from bioproof.training.models import Certificate

    cert = (
        Certificate.objects.visible_to(user)
        .select_related("course_version__course", "provider__organization")
        .filter(code=code)
        .first()
    )
    # the credential is the holder's alone (as its own download is, training/views.py)
    if cert is None or cert.holder_id != getattr(user, "pk", None):
        raise NotFound(_("No certificate %(code)s is visible to you.") % {"code": code})
    return cert


def certificate_package(cert: Any) -> bytes:
    from bioproof.training import actions as training
    from bioproof.training import documents

    verify_url = f"{training.public_url()}{reverse('training_verify_code', args=[cert.code])}"
    members = {
        "certificate.pdf": documents.certificate_pdf(cert, verify_url),
        "credential.jwt": cert.credential_jwt.strip().encode("ascii") + b"\n",
        "certificate.json": _json_bytes(
            {
                "code": cert.code,
                "holder": cert.holder_name,
                "course": str(cert.course_version),
                "issued_on": cert.issued_on.isoformat(),
                "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
                "status": cert.status,
                "credential_id": cert.credential_id,
                "verify_url": verify_url,
            }
        ),
    }
    events, cps = audit_excerpt([("training.certificate", [cert.pk])])
    members[EVENTS] = _json_bytes(events)
    members[CHECKPOINTS] = _json_bytes(cps)
    title = f"{cert.code}: {cert.course_version}"
    dc = datacite.record(
        titles=[{"title": title, "lang": "en"}],
        creators=[{"name": cert.provider.organization.name_en, "nameType": "Organizational"}],
        year=str(cert.issued_on.year),
        resource_type="Training certificate (Open Badges 3.0)",
        general="Text",
        url=verify_url,
        identifiers=[("BioProof certificate code", cert.code)],
        dates=[("Issued", cert.issued_on.isoformat())]
        + ([("Valid", cert.expires_on.isoformat())] if cert.expires_on else []),
        description=f"Certificate {cert.code} issued to {cert.holder_name}.",
    )
    return assemble(
        members,
        name=title,
        description=dc["descriptions"][0]["description"],
        subject={"type": "certificate", "code": cert.code},
        describe={
            "certificate.pdf": {"encodingFormat": "application/pdf"},
            "credential.jwt": {"encodingFormat": "application/jwt"},
        },
        datacite_record=dc,
    )
