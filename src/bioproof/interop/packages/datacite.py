"""DataCite Metadata Schema 4.5 records for evidence packages, validated against the vendored
JSON schema (``interop/schemas/datacite-v4.5.json``, from inveniosoftware/datacite, Revised BSD
licence — see ``schemas/LICENSE-datacite-schema.txt``). Nothing is fetched at run time."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "datacite-v4.5.json"
SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"


class MetadataError(ValueError):
    """The DataCite record does not validate: the message names the field."""


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(record: dict[str, Any]) -> list[str]:
    """Every schema violation as ``field.path: message``; empty when valid."""
    out = []
    for err in sorted(_validator().iter_errors(record), key=lambda e: list(e.path)):
        where = ".".join(str(p) for p in err.path) or "(record)"
        out.append(f"{where}: {err.message}")
    return out


def validate(record: dict[str, Any]) -> dict[str, Any]:
    problems = errors(record)
    if problems:
        raise MetadataError("DataCite 4.5: " + "; ".join(problems[:5]))
    return record


def record(
    *,
    titles: list[dict[str, str]],
    creators: list[dict[str, Any]],
    year: str,
    resource_type: str,
    url: str,
    identifiers: list[tuple[str, str]],
    dates: list[tuple[str, str]],
    description: str,
    subjects: list[str] = (),  # type: ignore[assignment]
    contributors: list[dict[str, Any]] = (),  # type: ignore[assignment]
    version: str = "1",
    related: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    rights: str = "",
    language: str = "en",
    general: str = "Dataset",
    publisher: str = "BioProof (Korea bio-manufacturing demonstration consortium)",
) -> dict[str, Any]:
    """A DataCite 4.5 record (JSON form) ready for DOI registration: the DOI itself is added by
    the registering agent (``doi``); everything else the schema requires is here."""
    out: dict[str, Any] = {
        "types": {"resourceTypeGeneral": general, "resourceType": resource_type},
        "creators": list(creators),
        "titles": titles,
        "publisher": {"name": publisher},
        "publicationYear": year,
        "schemaVersion": SCHEMA_VERSION,
        "url": url,
        "language": language,
        "version": version,
        "alternateIdentifiers": [
            {"alternateIdentifier": value, "alternateIdentifierType": kind}
            for kind, value in identifiers
        ],
        "dates": [{"date": d, "dateType": t} for t, d in dates],
        "descriptions": [{"description": description, "descriptionType": "Abstract"}],
        "formats": ["application/zip", "application/ld+json"],
    }
    if subjects:
        out["subjects"] = [{"subject": s} for s in dict.fromkeys(subjects)]
    if contributors:
        out["contributors"] = list(contributors)
    if related:
        out["relatedIdentifiers"] = [
            {"relatedIdentifier": ident, "relatedIdentifierType": kind, "relationType": rel}
            for kind, ident, rel in related
        ]
    if rights:
        out["rightsList"] = [{"rights": rights}]
    return validate(out)
