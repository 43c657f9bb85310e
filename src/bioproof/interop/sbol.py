"""SBOL3 exchange with biofoundries (pySBOL3).

**Export** (:func:`evaluation_document`): an evaluation's materials as SBOL3 — the candidate
product and the reference (incumbent) as ``Component`` designs (SBO "functional entity"), each run
as an ``Implementation`` built from its arm's component (the lot it used: batch ID, equipment),
each run's raw data files and ASM documents as ``Attachment`` objects carrying their SHA-256
(``hashAlgorithm`` "sha-256", the IANA name), grouped per run in ``ExperimentalData`` and in one
``Experiment``. Sorted N-Triples, so the same evaluation gives the same bytes.

**Import** (:func:`read_document`): a partner's SBOL3 document (bounded, parsed with pySBOL3,
validated) read for its implementations and attachments; :func:`match_attachments` says which
attachments are data BioProof holds (same SHA-256) and which are not. Errors name the problem
("not SBOL3: …", "invalid SBOL3: …").

**Extension point**: :func:`register_material_exporter` — another app adds its own materials to
the same document (e.g. ``bioproof.production`` registering its mRNA constructs as Components with
their RNA Sequences, and its batches as Implementations). The evaluation export itself is the
first exporter registered (``"evaluation"``); exporters are called with the document, the
namespace and the object, and return what they added.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sbol3
from django.conf import settings
from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
SBO_FUNCTIONAL_ENTITY = "https://identifiers.org/SBO:0000241"
HASH_ALGORITHM = "sha-256"

Exporter = Callable[[sbol3.Document, str, Any], list[sbol3.TopLevel]]
_exporters: dict[str, Exporter] = {}


def register_material_exporter(kind: str, exporter: Exporter) -> None:
    """Let an app contribute SBOL3 objects for its records (see the module docstring)."""
    _exporters[kind] = exporter


def exporter(kind: str) -> Exporter:
    return _exporters[kind]


def _id(text: str) -> str:
    """An SBOL3 displayId: letters, digits and underscores, not starting with a digit."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", text) or "x"
    return cleaned if not cleaned[0].isdigit() else f"_{cleaned}"


def namespace_for(code: str) -> str:
    return f"{settings.BIOPROOF_SITE_URL}/sbol/{_id(code)}"


def _attachment(
    doc: sbol3.Document, ns: str, name: str, source: str, sha: str, size: int, fmt: str
) -> sbol3.Attachment:
    att = sbol3.Attachment(
        f"{ns}/{_id(name)}",
        source,
        namespace=ns,
        format=fmt,
        size=size,
        hash=sha,
        hash_algorithm=HASH_ALGORITHM,
        name=name[:200],
    )
    doc.add(att)
    return att


def _export_evaluation(doc: sbol3.Document, ns: str, evaluation: Any) -> list[sbol3.TopLevel]:
    from bioproof.evaluations.models import RunDataFile
    from bioproof.interop.models import InstrumentFile

    product = evaluation.product
    added: list[sbol3.TopLevel] = []
    candidate = sbol3.Component(
        f"{ns}/candidate_{_id(product.code)}",
        SBO_FUNCTIONAL_ENTITY,
        namespace=ns,
        name=product.name_en,
        description=f"candidate material {product.code} of {product.supplier.name_en}",
    )
    reference = sbol3.Component(
        f"{ns}/reference",
        SBO_FUNCTIONAL_ENTITY,
        namespace=ns,
        name=evaluation.public_reference_product[:200],
        description="reference (incumbent) material",
    )
    doc.add(candidate)
    doc.add(reference)
    added += [candidate, reference]
    files = RunDataFile.objects.filter(run__evaluation=evaluation, is_current=True)
    by_run: dict[int, list[Any]] = {}
    for f in files:
        by_run.setdefault(f.run_id, []).append(f)
    asm: dict[int, list[Any]] = {}
    for item in InstrumentFile.objects.filter(run__evaluation=evaluation):
        asm.setdefault(item.run_id, []).append(item)
    data_members = []
    for run in evaluation.runs.order_by("arm", "label"):
        impl = sbol3.Implementation(
            f"{ns}/run_{_id(run.label)}",
            namespace=ns,
            built=candidate if run.arm == "candidate" else reference,
            name=f"{run.label} ({run.arm})",
            description=f"batch {run.batch_id or '—'}; equipment {run.equipment or '—'}",
        )
        doc.add(impl)
        added.append(impl)
        attachments = [
            _attachment(
                doc,
                ns,
                f"{run.label}_{f.layout}_v{f.version}",
                f"{settings.BIOPROOF_SITE_URL}/evaluations/{evaluation.code}/#run-{run.pk}",
                f.sha256,
                f.size,
                "https://identifiers.org/edam:format_3752",  # CSV
            )
            for f in by_run.get(run.pk, [])
        ]
        attachments += [
            _attachment(
                doc,
                ns,
                f"{run.label}_asm_{item.pk}",
                f"{settings.BIOPROOF_SITE_URL}/evaluations/{evaluation.code}/#run-{run.pk}",
                item.asm_sha256,
                item.asm_size,
                "https://identifiers.org/edam:format_3464",  # JSON
            )
            for item in asm.get(run.pk, [])
        ]
        data = sbol3.ExperimentalData(
            f"{ns}/data_{_id(run.label)}",
            namespace=ns,
            attachments=[a.identity for a in attachments],
            name=f"data of {run.label}",
            derived_from=[impl.identity],
        )
        doc.add(data)
        data_members.append(data.identity)
    experiment = sbol3.Experiment(
        f"{ns}/experiment",
        namespace=ns,
        members=data_members,
        name=f"{evaluation.code} v{evaluation.version}",
    )
    doc.add(experiment)
    added.append(experiment)
    return added


register_material_exporter("evaluation", _export_evaluation)


def evaluation_document(evaluation: Any) -> str:
    """The SBOL3 document (sorted N-Triples) of an evaluation's materials and data."""
    doc = sbol3.Document()
    ns = namespace_for(f"{evaluation.code}_v{evaluation.version}")
    exporter("evaluation")(doc, ns, evaluation)
    report = doc.validate()
    if len(report.errors):
        raise DomainError(
            _("The SBOL3 export does not validate: %(e)s") % {"e": str(report.errors[0])[:200]}
        )
    return doc.write_string(sbol3.SORTED_NTRIPLES)


@dataclass
class ImportedAttachment:
    identity: str
    source: str
    hash: str
    hash_algorithm: str
    size: int | None


@dataclass
class ImportedDocument:
    implementations: list[dict[str, str]] = field(default_factory=list)
    attachments: list[ImportedAttachment] = field(default_factory=list)
    components: list[dict[str, str]] = field(default_factory=list)


FORMATS = {
    "nt": sbol3.NTRIPLES,
    "ttl": sbol3.TURTLE,
    "jsonld": sbol3.JSONLD,
    "json": sbol3.JSONLD,
    "xml": sbol3.RDF_XML,
    "rdf": sbol3.RDF_XML,
}


def read_document(data: bytes, filename: str) -> ImportedDocument:
    """A partner's SBOL3 document read for its implementations and attachments."""
    if len(data) > MAX_BYTES:
        raise DomainError(
            _("'%(f)s' is larger than %(mb)d MB, the limit for SBOL3 documents.")
            % {"f": filename, "mb": MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    fmt = FORMATS.get(ext)
    if fmt is None:
        raise DomainError(
            _("'%(f)s': an SBOL3 document is .nt, .ttl, .jsonld or .xml.") % {"f": filename},
            field="file",
        )
    if fmt == sbol3.RDF_XML and b"<!ENTITY" in data[:65536].upper():
        raise DomainError(_("'%(f)s': XML entities are not accepted.") % {"f": filename})
    doc = sbol3.Document()
    try:
        doc.read_string(data.decode("utf-8"), file_format=fmt)
    except Exception as exc:  # rdflib and pySBOL3 raise many kinds: contain them
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise DomainError(
            _("'%(f)s' is not an SBOL3 document (%(r)s).") % {"f": filename, "r": reason},
            field="file",
        ) from None
    report = doc.validate()
    if len(report.errors):
        raise DomainError(
            _("'%(f)s' is not valid SBOL3: %(e)s")
            % {"f": filename, "e": "; ".join(str(e) for e in list(report.errors)[:3])[:300]},
            field="file",
        )
    out = ImportedDocument()
    for obj in doc.objects:
        if isinstance(obj, sbol3.Implementation):
            out.implementations.append(
                {"identity": obj.identity, "name": obj.name or "", "built": str(obj.built or "")}
            )
        elif isinstance(obj, sbol3.Attachment):
            out.attachments.append(
                ImportedAttachment(
                    obj.identity,
                    str(obj.source),
                    str(obj.hash or ""),
                    str(obj.hash_algorithm or ""),
                    obj.size,
                )
            )
        elif isinstance(obj, sbol3.Component):
            out.components.append({"identity": obj.identity, "name": obj.name or ""})
    if not out.implementations and not out.attachments:
        raise DomainError(
            _("'%(f)s' holds no Implementation and no Attachment to exchange.") % {"f": filename},
            field="file",
        )
    return out


def match_attachments(imported: ImportedDocument, user: Any) -> list[dict[str, Any]]:
    """For each attachment: the data BioProof holds with that SHA-256 that ``user`` may see."""
    from bioproof.evaluations.models import Evaluation, RunDataFile
    from bioproof.interop.models import InstrumentFile

    hashes = [
        a.hash.lower()
        for a in imported.attachments
        if a.hash and a.hash_algorithm.lower() in ("sha-256", "sha256", "sha2-256")
    ]
    visible = Evaluation.objects.visible_to(user)
    data = dict(
        RunDataFile.objects.filter(sha256__in=hashes, run__evaluation__in=visible).values_list(
            "sha256", "run__evaluation__code"
        )
    )
    data.update(
        InstrumentFile.objects.visible_to(user)
        .filter(asm_sha256__in=hashes)
        .values_list("asm_sha256", "run__evaluation__code")
    )
    return [
        {
            "attachment": a.identity,
            "sha256": a.hash,
            "matched": a.hash.lower() in data,
            "evaluation": data.get(a.hash.lower(), ""),
        }
        for a in imported.attachments
    ]
