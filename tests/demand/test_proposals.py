"""Proposals (invite, submit, accept, decline) and the demand-tailored evaluation request."""

from __future__ import annotations

import pytest

from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.demand import actions
from bioproof.demand.models import Proposal
from bioproof.evaluations.models import Criterion, Evaluation

pytestmark = pytest.mark.django_db


def test_submit_proposal_happy_path(need, more_people, listed_a) -> None:
    proposal = actions.submit_proposal(
        by=more_people["a_staff"], need=need, product=listed_a, message="Try our medium"
    )
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.supplier == listed_a.supplier and proposal.submitted_at is not None
    event = AuditEvent.objects.get(action="proposal.submitted")
    assert event.organization_id == listed_a.supplier_id
    assert event.after["status"] == "submitted" and event.after["product"] == listed_a.pk


def test_submit_proposal_policy(need, more_people, listed_a, make_need) -> None:
    for who in ("b_admin", "demand", "evaluator"):  # not the product's supplier
        with pytest.raises(PolicyDenied):
            actions.submit_proposal(by=more_people[who], need=need, product=listed_a)
    private = make_need("private")
    with pytest.raises(PolicyDenied, match="not open to your organization"):
        actions.submit_proposal(by=more_people["a_staff"], need=private, product=listed_a)
    assert not Proposal.objects.exists()


def test_submit_proposal_bad_input(need, more_people, listed_a, product_a, make_product) -> None:
    draft = make_product("초안 배지", "Draft medium", listed=False)
    with pytest.raises(DomainError, match="is a draft"):
        actions.submit_proposal(by=more_people["a_staff"], need=need, product=draft)
    actions.submit_proposal(by=more_people["a_staff"], need=need, product=listed_a)
    with pytest.raises(DomainError, match="proposed for this need already"):
        actions.submit_proposal(by=more_people["a_staff"], need=need, product=listed_a)
    actions.close_need(by=more_people["demand"], need=need)
    other = make_product("다른 배지", "Other medium")
    with pytest.raises(InvalidTransition, match="closed"):
        actions.submit_proposal(by=more_people["a_staff"], need=need, product=other)


def test_invite_then_submit(need, more_people, listed_a) -> None:
    with pytest.raises(PolicyDenied):
        actions.invite_supplier(by=more_people["demand2"], need=need, product=listed_a)
    invitation = actions.invite_supplier(
        by=more_people["demand"], need=need, product=listed_a, message="Please propose"
    )
    assert invitation.status == Proposal.Status.INVITED and invitation.invitation
    assert AuditEvent.objects.filter(action="proposal.invited").count() == 1
    with pytest.raises(DomainError, match="already"):
        actions.invite_supplier(by=more_people["demand"], need=need, product=listed_a)
    with pytest.raises(InvalidTransition):  # nothing to decide on yet
        actions.accept_proposal(by=more_people["demand"], proposal=invitation)
    proposal = actions.submit_proposal(by=more_people["a_staff"], need=need, product=listed_a)
    assert proposal.pk == invitation.pk and proposal.status == Proposal.Status.SUBMITTED
    event = AuditEvent.objects.get(action="proposal.submitted")
    assert event.before["status"] == "invited" and event.after["status"] == "submitted"


def test_accept_and_decline(need, more_people, listed_a, make_product) -> None:
    other = make_product("베타 배지", "Beta medium", supplier="supplier_b")
    p1 = actions.submit_proposal(by=more_people["a_staff"], need=need, product=listed_a)
    p2 = actions.submit_proposal(by=more_people["b_admin"], need=need, product=other)
    for who in ("a_staff", "demand2", "demand_viewer"):
        with pytest.raises(PolicyDenied):
            actions.accept_proposal(by=more_people[who], proposal=p1)
    with pytest.raises(DomainError, match="reason"):
        actions.decline_proposal(by=more_people["demand"], proposal=p2, reason=" ")
    actions.accept_proposal(by=more_people["demand"], proposal=p1, reason="good fit")
    actions.decline_proposal(by=more_people["demand"], proposal=p2, reason="no CoA")
    p1.refresh_from_db()
    p2.refresh_from_db()
    assert (p1.status, p2.status) == ("accepted", "declined")
    assert p2.decision_reason == "no CoA" and p1.decided_by == more_people["demand"]
    assert AuditEvent.objects.get(action="proposal.accepted").after["status"] == "accepted"
    assert AuditEvent.objects.get(action="proposal.declined").reason == "no CoA"
    with pytest.raises(InvalidTransition):
        actions.decline_proposal(by=more_people["demand"], proposal=p1, reason="changed mind")
    # a declined product may be proposed again
    again = actions.submit_proposal(by=more_people["b_admin"], need=need, product=other)
    assert again.pk != p2.pk
    assert need.has_accepted_proposal_for(listed_a) and not need.has_accepted_proposal_for(other)


def test_tailored_evaluation_request(need, more_people, orgs, listed_a) -> None:
    proposal = actions.submit_proposal(by=more_people["a_staff"], need=need, product=listed_a)
    kwargs = dict(center=orgs["center"], title="Tailored", scale="200 L SUB")
    with pytest.raises(InvalidTransition, match="Accept the proposal"):
        actions.request_tailored_evaluation(by=more_people["demand"], proposal=proposal, **kwargs)
    actions.accept_proposal(by=more_people["demand"], proposal=proposal)
    for who in ("a_staff", "demand2"):
        with pytest.raises(PolicyDenied):
            actions.request_tailored_evaluation(by=more_people[who], proposal=proposal, **kwargs)
    with pytest.raises(DomainError) as info:
        actions.request_tailored_evaluation(
            by=more_people["demand"],
            proposal=proposal,
            center=orgs["supplier_b"],
            title="x",
            scale="y",
        )
    assert info.value.field == "center"
    evaluation = actions.request_tailored_evaluation(
        by=more_people["demand"], proposal=proposal, **kwargs
    )
    assert isinstance(evaluation, Evaluation)
    assert evaluation.need == need
    assert evaluation.product == listed_a and evaluation.reference_product == need.incumbent
    assert evaluation.process_context == need.process_context
    criteria = {(c.kpi, c.comparison): c for c in evaluation.criteria.all()}
    assert set(criteria) == {("final_titer", "equivalence"), ("peak_vcd", "minimum")}
    assert all(c.source == Criterion.Source.NEED for c in criteria.values())
    assert criteria["final_titer", "equivalence"].value == pytest.approx(0.1)
    proposal.refresh_from_db()
    assert proposal.evaluation == evaluation
    # the demand company follows the evaluation it commissioned; another one does not see it
    visible = Evaluation.objects.visible_to
    assert visible(more_people["demand"]).filter(pk=evaluation.pk).exists()
    assert not visible(more_people["demand2"]).filter(pk=evaluation.pk).exists()
    requested = AuditEvent.objects.get(action="evaluation.requested")
    assert requested.after["need"] == need.code
    assert (
        AuditEvent.objects.get(action="proposal.evaluation_requested").after["evaluation"]
        == evaluation.code
    )
    with pytest.raises(InvalidTransition, match="already"):
        actions.request_tailored_evaluation(by=more_people["demand"], proposal=proposal, **kwargs)


def test_tailored_evaluation_adds_titer_margin_when_need_has_none(
    make_need, more_people, orgs, listed_a
) -> None:
    need = make_need(criteria=[{"kpi": "peak_vcd", "comparison": "minimum", "value": 10}])
    proposal = actions.submit_proposal(by=more_people["a_staff"], need=need, product=listed_a)
    actions.accept_proposal(by=more_people["demand"], proposal=proposal)
    evaluation = actions.request_tailored_evaluation(
        by=more_people["demand"],
        proposal=proposal,
        center=orgs["center"],
        title="T",
        scale="",
        titer_margin=0.15,
    )
    sources = {c.kpi: c.source for c in evaluation.criteria.all()}
    assert sources == {"peak_vcd": "need", "final_titer": "request"}
    assert evaluation.scale == need.scale  # taken from the need when not given
