"""Publishing a demand-tailored evaluation respects every party (review finding, issue 11.7).

The demand company's org admin must consent (audited, on the page and over the API) before the
supplier may publish; and whatever the consents, nothing of a need that is not public reaches a
public page, the public API, the public PDF, the search index or /verify/.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from bioproof.consortium.actions import issue_api_token
from bioproof.core.errors import InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.demand import actions as demand
from bioproof.evaluations import actions as evaluations
from bioproof.evaluations.models import Evaluation
from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv
from bioproof.search.models import SearchDocument
from bioproof.search.query import search

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Zorblax titer programme"
SECRET_INCUMBENT = "Quixotane CD medium"
SECRET_CONTEXT = "Vemurine line fed-batch"
SECRET_SCALE = "Plimsoll 2000 L"


@pytest.fixture
def demand_admin(make_user: Any) -> Any:
    return make_user("demand_admin", "demand", "org_admin")


def _tailored(people, orgs, make_need, listed_a, visibility: str) -> Evaluation:
    need = make_need(visibility, incumbent=SECRET_INCUMBENT, title="Need title x")
    if visibility == "private":
        demand.invite_supplier(by=people["demand"], need=need, product=listed_a)
    proposal = demand.submit_proposal(by=people["a_staff"], need=need, product=listed_a)
    demand.accept_proposal(by=people["demand"], proposal=proposal)
    ev = demand.request_tailored_evaluation(
        by=people["demand"],
        proposal=proposal,
        center=orgs["center"],
        title=SECRET_TITLE,
        scale=SECRET_SCALE,
        process_context=SECRET_CONTEXT,
    )
    evaluations.accept(by=people["evaluator"], evaluation=ev)
    evaluations.sign_protocol(by=people["approver"], evaluation=ev, password=PASSWORD)
    for arm, label, params in DEMO_RUNS:
        run = evaluations.add_run(by=people["evaluator"], evaluation=ev, arm=arm, label=label)
        evaluations.upload_run_data(
            by=people["evaluator"], run=run, filename=f"{label}.csv", data=fed_batch_csv(**params)
        )
    evaluations.analyse(by=people["evaluator"], evaluation=ev)
    for who, meaning in (
        ("evaluator", "authored"),
        ("reviewer", "reviewed"),
        ("approver", "approved"),
    ):
        evaluations.sign(by=people[who], evaluation=ev, meaning=meaning, password=PASSWORD)
    evaluations.generate_report(by=people["evaluator"], evaluation=ev, language="en")
    ev.refresh_from_db()
    return ev


@pytest.fixture(params=["private", "consortium"])
def tailored(request, people, orgs, make_need, listed_a) -> Evaluation:
    return _tailored(people, orgs, make_need, listed_a, request.param)


def test_publication_needs_the_demand_companys_consent(tailored, people, demand_admin) -> None:
    with pytest.raises(InvalidTransition, match=r"Demand Bio.*has not consented"):
        evaluations.publish(by=people["a_admin"], evaluation=tailored, consent=True)
    for who in (people["demand"], people["a_admin"], people["evaluator"]):  # staff is not admin
        with pytest.raises(PolicyDenied):
            evaluations.consent_demand(by=who, evaluation=tailored, consent=True)
    evaluations.consent_demand(by=demand_admin, evaluation=tailored, consent=True)
    event = AuditEvent.objects.get(action="evaluation.demand_consented")
    assert event.actor_id == demand_admin.pk and "Demand Bio" in event.after["consent_statement"]
    with pytest.raises(InvalidTransition, match="already"):
        evaluations.consent_demand(by=demand_admin, evaluation=tailored, consent=True)
    evaluations.publish(by=people["a_admin"], evaluation=tailored, consent=True)
    tailored.refresh_from_db()
    assert tailored.status == Evaluation.Status.PUBLISHED
    # the demand company may withdraw the publication of its evaluation
    evaluations.withdraw(by=demand_admin, evaluation=tailored, reason="need renegotiated")
    assert AuditEvent.objects.filter(action="evaluation.withdrawn").exists()


def test_consent_over_web_and_api(tailored, people, demand_admin) -> None:
    web = Client()
    web.force_login(demand_admin)
    page = web.get(f"/evaluations/{tailored.code}/").content.decode()
    assert 'data-step="consent_demand"' in page and 'id="demand-consent"' in page
    web.post(f"/evaluations/{tailored.code}/step/consent_demand/", {})  # no box ticked
    tailored.refresh_from_db()
    assert tailored.demand_consent_at is None
    _token, raw = issue_api_token(by=demand_admin, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    auth: dict[str, str] = {}
    refused = api.post(
        f"/api/evaluations/{tailored.code}/consent",
        {"consent": False},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 400 and "consent" in refused.json()["detail"]
    given = api.post(
        f"/api/evaluations/{tailored.code}/consent",
        {"consent": True},
        content_type="application/json",
        **auth,
    )
    assert given.status_code == 200, given.content
    assert given.json()["demand_consent_at"] and given.json()["need"] == tailored.need.code


def _public_texts(ev: Evaluation) -> str:
    anon = Client()
    pages = [
        anon.get(f"/track-records/{ev.code}/"),
        anon.get("/track-records/"),
        anon.get("/"),
        anon.get(f"/products/{ev.product.code}/"),
        anon.get(f"/api/track-records/{ev.code}"),
        anon.get("/api/track-records"),
        anon.get("/verify/", {"code": ev.reports.first().verification_code}),
    ]
    assert all(p.status_code == 200 for p in pages), [p.status_code for p in pages]
    return "".join(p.content.decode() for p in pages)


def test_nothing_of_a_confidential_need_is_public(tailored, people, demand_admin) -> None:
    evaluations.consent_demand(by=demand_admin, evaluation=tailored, consent=True)
    evaluations.publish(by=people["a_admin"], evaluation=tailored, consent=True)
    text = _public_texts(tailored)
    assert tailored.code in text and "Alpha CHO Medium" in text  # the result is public
    for secret in (SECRET_TITLE, SECRET_INCUMBENT, SECRET_CONTEXT, SECRET_SCALE, "Need title x"):
        assert secret not in text, secret
    # the need's own criterion (peak VCD ≥ 10) shows its verdict, not its value
    api = Client().get(f"/api/track-records/{tailored.code}").json()
    hidden = [c for c in api["criteria"] if c["confidential"]]
    assert hidden and all(c["value"] is None and c["result"] is None for c in hidden)
    # the PDF carries the need's details: parties only
    assert Client().get(f"/track-records/{tailored.code}/report.pdf").status_code == 404
    # the search index holds none of it, for anyone
    doc = SearchDocument.objects.get(kind="track_record")
    indexed = " ".join([doc.names, doc.body, doc.raw_names, doc.subtitle_en, doc.subtitle_ko])
    for word in ("zorblax", "quixotane", "vemurine", "plimsoll"):
        assert word not in indexed.lower()
        assert not search(AnonymousUser(), word).hits


def test_public_need_keeps_its_details(people, orgs, make_need, listed_a, demand_admin) -> None:
    ev = _tailored(people, orgs, make_need, listed_a, "public")
    evaluations.consent_demand(by=demand_admin, evaluation=ev, consent=True)
    evaluations.publish(by=people["a_admin"], evaluation=ev, consent=True)
    page = Client().get(f"/track-records/{ev.code}/").content.decode()
    assert SECRET_INCUMBENT in page and SECRET_CONTEXT in page


def test_correction_needs_the_consent_again(tailored, people, demand_admin) -> None:
    evaluations.consent_demand(by=demand_admin, evaluation=tailored, consent=True)
    new = evaluations.start_correction(by=people["approver"], evaluation=tailored, reason="typo")
    assert new.demand_consent_at is None
