"""Attachments (CoA, SDS, quotes) on proposals and on evaluation requests: through the shared
file store with their SHA-256, audited, seen only by who sees the proposal or evaluation."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bioproof.core.errors import InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.demand import actions
from bioproof.demand.models import ProposalAttachment
from bioproof.evaluations import actions as evaluations
from bioproof.evaluations.models import Attachment

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 certificate of analysis lot 7\n"


def test_proposal_attachment_through_the_web_and_policy(
    client: Any, people: Any, need: Any, listed_a: Any
) -> None:
    proposal = actions.submit_proposal(by=people["a_staff"], need=need, product=listed_a)
    client.force_login(people["a_staff"])
    r = client.post(
        f"/needs/proposals/{proposal.pk}/attachments/",
        {"kind": "coa", "title": "CoA lot 7", "file": SimpleUploadedFile("coa.pdf", PDF)},
    )
    assert r.status_code == 302
    attachment = ProposalAttachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest() and attachment.size == len(PDF)
    assert AuditEvent.objects.filter(action="proposal.attachment_added").count() == 1
    url = f"/needs/proposals/{proposal.pk}/attachments/{attachment.pk}/"
    client.force_login(people["demand"])  # the demand company sees its proposals' documents
    got = client.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    client.force_login(people["b_admin"])  # a competing supplier does not
    assert client.get(url).status_code == 404
    with pytest.raises(PolicyDenied):
        actions.attach_to_proposal(
            by=people["b_admin"], proposal=proposal, kind="sds", filename="x.pdf", data=PDF
        )


def test_request_attachments_by_stage_and_confidential(
    client: Any, people: Any, requested: Any
) -> None:
    evaluations.attach(
        by=people["a_staff"], evaluation=requested, kind="sds", filename="sds.pdf", data=PDF
    )
    evaluations.request_info(by=people["evaluator"], evaluation=requested, reason="CoA?")
    reply = evaluations.attach(
        by=people["a_staff"], evaluation=requested, kind="coa", filename="coa.pdf", data=PDF + b"2"
    )
    quote = evaluations.attach(
        by=people["evaluator"], evaluation=requested, kind="quote", filename="q.pdf", data=b"Q"
    )
    assert [a.stage for a in Attachment.objects.order_by("id")] == ["request", "reply", "center"]
    assert reply.stage == "reply" and quote.stage == "center"
    with pytest.raises(PolicyDenied):
        evaluations.attach(
            by=people["b_admin"], evaluation=requested, kind="coa", filename="x.pdf", data=PDF
        )
    url = f"/evaluations/{requested.code}/attachments/{reply.pk}/"
    client.force_login(people["evaluator"])
    assert client.get(url).status_code == 200
    assert "coa.pdf" in client.get(f"/evaluations/{requested.code}/").content.decode()
    client.force_login(people["b_admin"])
    assert client.get(url).status_code == 404
    evaluations.reject(by=people["evaluator"], evaluation=requested, reason="no")
    with pytest.raises(InvalidTransition):
        evaluations.attach(
            by=people["a_staff"], evaluation=requested, kind="coa", filename="y.pdf", data=PDF
        )
