"""The open-data catalogue: public records as a DCAT-AP (W3C DCAT 3) catalogue in JSON-LD.

One ``dcat:Dataset`` per public track record (its public page, its report PDF unless the need is
confidential, its evidence package), and one dataset of public certificate counts per course
(numbers only, no names). Served at ``/open-data/catalog.jsonld`` (stable) and
``/api/v1/interop/catalog``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.urls import reverse

from bioproof.interop.packages.build import LICENCE

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:issued": {"@type": "xsd:date"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dcat:byteSize": {"@type": "xsd:nonNegativeInteger"},
}
MAX_RECORDS = 5000


def _site(path: str) -> str:
    return f"{settings.BIOPROOF_SITE_URL}{path}"


def _agent(org: Any) -> dict[str, Any]:
    return {"@type": "foaf:Organization", "foaf:name": org.name_en}


def catalogue() -> dict[str, Any]:
    from bioproof.evaluations.models import TrackRecord
    from bioproof.training.models import Certificate

    records = (
        TrackRecord.objects.public()
        .filter(evaluation__is_current=True)
        .select_related(
            "evaluation__product__supplier",
            "evaluation__product__category",
            "evaluation__center",
            "evaluation__need",
            "report",
        )
        .order_by("-published_at")[:MAX_RECORDS]
    )
    datasets: list[dict[str, Any]] = []
    for record in records:
        ev = record.evaluation
        page = _site(reverse("track_record_detail", args=[ev.code]))
        distributions = [
            {
                "@type": "dcat:Distribution",
                "dct:title": "Evidence package (RO-Crate, signed manifest)",
                "dcat:accessURL": {"@id": page},
                "dcat:downloadURL": {
                    "@id": _site(reverse("interop_track_record_package", args=[ev.code]))
                },
                "dcat:mediaType": "application/zip",
                "dct:conformsTo": {"@id": "https://w3id.org/ro/crate/1.1"},
            }
        ]
        if not ev.need_is_confidential:
            distributions.append(
                {
                    "@type": "dcat:Distribution",
                    "dct:title": "Evaluation report (PDF)",
                    "dcat:accessURL": {"@id": page},
                    "dcat:downloadURL": {
                        "@id": _site(reverse("track_record_report", args=[ev.code]))
                    },
                    "dcat:mediaType": "application/pdf",
                    "spdx:checksum": {
                        "spdx:algorithm": "sha256",
                        "spdx:checksumValue": record.report.sha256,
                    },
                }
            )
        else:
            distributions = []  # a confidential need's package goes to its parties only
        datasets.append(
            {
                "@id": page,
                "@type": "dcat:Dataset",
                "dct:identifier": f"{ev.code} v{ev.version}",
                "dct:title": f"{ev.code} v{ev.version}: {ev.public_title}",
                "dct:description": (
                    f"Demonstration evaluation of {ev.product.name_en} by "
                    f"{ev.product.supplier.name_en} at {ev.center.name_en}."
                ),
                "dct:issued": record.published_at.date().isoformat(),
                "dct:publisher": _agent(ev.center),
                "dct:creator": _agent(ev.center),
                "dcat:keyword": [ev.product.category.name_en, "demonstration evaluation"],
                "dct:license": {"@id": LICENCE},
                "dcat:landingPage": {"@id": page},
                "dcat:distribution": distributions,
            }
        )
    counts = (
        Certificate.objects.filter(status="valid")
        .values("course_version__course__code")
        .annotate(n=Count("pk"))
        .order_by("course_version__course__code")
    )
    datasets.append(
        {
            "@id": _site("/open-data/catalog.jsonld#certificates"),
            "@type": "dcat:Dataset",
            "dct:title": "Valid training certificates per course",
            "dct:description": "Counts only; no names. Each certificate is verifiable by code.",
            "dct:license": {"@id": LICENCE},
            "dct:temporal": dt.date.today().isoformat(),
            "bioproof:counts": [
                {"course": row["course_version__course__code"], "valid_certificates": row["n"]}
                for row in counts
            ],
        }
    )
    return {
        "@context": {
            **CONTEXT,
            "spdx": "http://spdx.org/rdf/terms#",
            "bioproof": _site("/open-data/terms#"),
        },
        "@id": _site("/open-data/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": "BioProof open data: demonstration track records",
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": "BioProof"},
        "dct:license": {"@id": LICENCE},
        "dct:modified": dt.datetime.now(dt.UTC).isoformat(),
        "dcat:dataset": datasets,
    }
