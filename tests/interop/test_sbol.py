"""SBOL3 export/import of an evaluation's materials with data attached by hash."""

from __future__ import annotations

from typing import Any

import pytest
import sbol3
from django.core.files.uploadedfile import SimpleUploadedFile

from bioproof.consortium.actions import issue_api_token
from bioproof.core.errors import DomainError
from bioproof.interop import sbol


def test_export_round_trips_and_matches_by_hash(published: Any, people: Any) -> None:
    text = sbol.evaluation_document(published)
    assert text == sbol.evaluation_document(published)  # deterministic
    doc = sbol3.Document()
    doc.read_string(text, file_format=sbol3.SORTED_NTRIPLES)
    assert len(doc.validate().errors) == 0
    impls = [o for o in doc.objects if isinstance(o, sbol3.Implementation)]
    assert len(impls) == published.runs.count()
    imported = sbol.read_document(text.encode(), "partner.nt")
    hashes = {a.hash for a in imported.attachments}
    stored = set(published.runs.values_list("data_files__sha256", flat=True))
    assert hashes == stored
    matches = sbol.match_attachments(imported, people["a_admin"])
    assert all(m["matched"] and m["evaluation"] == published.code for m in matches)
    # a competitor learns nothing from matching
    assert not any(m["matched"] for m in sbol.match_attachments(imported, people["b_admin"]))


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"<not rdf", "x.nt", "is not an SBOL3 document"),
        (b"x", "x.docx", "an SBOL3 document is"),
        (
            b"<https://a.example/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            b"<http://sbols.org/v3#Implementation> .\n",
            "x.nt",
            "not valid SBOL3",
        ),
        (
            b"<https://a.example/s/c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            b"<http://sbols.org/v3#Collection> .\n"
            b'<https://a.example/s/c> <http://sbols.org/v3#displayId> "c" .\n'
            b"<https://a.example/s/c> <http://sbols.org/v3#hasNamespace> <https://a.example/s> .\n",
            "x.nt",
            "holds no Implementation",
        ),
    ],
)
def test_invalid_sbol_is_named(data: bytes, name: str, message: str) -> None:
    with pytest.raises(DomainError) as exc:
        sbol.read_document(data, name)
    assert message in exc.value.message


def test_sbol_over_the_api(client: Any, published: Any, people: Any) -> None:
    public = client.get(f"/api/v1/interop/evaluations/{published.code}/sbol3")
    assert public.status_code == 200
    assert b"http://sbols.org/v3#Implementation" in public.content
    _t, raw = issue_api_token(by=people["a_admin"], name="bf")
    response = client.post(
        "/api/v1/interop/sbol3/match",
        {"file": SimpleUploadedFile("partner.nt", public.content)},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["attachments"] and all(a["matched"] for a in body["attachments"])


def test_unpublished_evaluation_sbol_only_for_parties(client: Any, requested: Any) -> None:
    assert client.get(f"/api/v1/interop/evaluations/{requested.code}/sbol3").status_code == 404


def test_extension_point_is_used_by_the_evaluation_export() -> None:
    assert sbol.exporter("evaluation") is sbol._export_evaluation
