"""Programme KPIs of the demand side: the need → proposal → evaluation → adoption funnel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from bioproof.demand.models import Adoption, Need, Proposal


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _start(since: dt.date | dt.datetime | None) -> dt.datetime | None:
    if since is None or isinstance(since, dt.datetime):
        return since
    return timezone.make_aware(dt.datetime.combine(since, dt.time.min))


def funnel(since: dt.date | dt.datetime | None = None) -> dict[str, Any]:
    """The demand-side conversion funnel for the needs posted since ``since`` (all if None).

    It follows one cohort, the needs N posted at or after ``since`` (a date means 00:00 Asia/Seoul
    of that day):

    - ``needs``                 = |N|
    - ``proposals``             = proposals on N that a supplier submitted (invitations not yet
      answered are not counted; declined ones are)
    - ``proposals_accepted``    = of those, the accepted ones
    - ``evaluations``           = demand-tailored evaluations requested from proposals on N
    - ``adoptions``             = adoptions recorded against a need of N
    - ``needs_with_proposal``, ``needs_with_accepted``, ``needs_with_evaluation``,
      ``needs_adopted``         = the needs of N reaching each stage (at least one proposal, one
      accepted proposal, one evaluation, one adoption)
    - ``adoptions_total``       = every adoption recorded since ``since`` (with or without a need)
    - ``adoptions_after_evaluation`` = of those, the ones citing an evaluation or track record

    Rates (None when the denominator is 0), each between 0 and 1:

    - ``need_to_proposal``       = needs_with_proposal / needs
    - ``proposal_to_acceptance`` = needs_with_accepted / needs_with_proposal
    - ``acceptance_to_evaluation`` = needs_with_evaluation / needs_with_accepted
    - ``evaluation_to_adoption`` = needs adopted among needs_with_evaluation / needs_with_evaluation
    - ``need_to_adoption``       = needs_adopted / needs
    - ``proposal_acceptance``    = proposals_accepted / proposals
    """
    start = _start(since)
    needs = Need.objects.all()
    adoptions_all = Adoption.objects.all()
    if start is not None:
        needs = needs.filter(created_at__gte=start)
        adoptions_all = adoptions_all.filter(recorded_at__gte=start)
    cohort = needs.values("id")
    n_needs = needs.count()
    answered = Proposal.objects.filter(need_id__in=cohort).exclude(status=Proposal.Status.INVITED)
    proposals = list(answered.values_list("need_id", "status", "evaluation_id"))
    accepted = [(n, e) for n, s, e in proposals if s == Proposal.Status.ACCEPTED]
    evaluated = [n for n, _s, e in proposals if e is not None]
    adopted = set(Adoption.objects.filter(need_id__in=cohort).values_list("need_id", flat=True))
    with_proposal = {n for n, _s, _e in proposals}
    with_accepted = {n for n, _e in accepted}
    with_evaluation = set(evaluated)
    counts = {
        "needs": n_needs,
        "proposals": len(proposals),
        "proposals_accepted": len(accepted),
        "evaluations": len(evaluated),
        "adoptions": Adoption.objects.filter(need_id__in=cohort).count(),
        "needs_with_proposal": len(with_proposal),
        "needs_with_accepted": len(with_accepted),
        "needs_with_evaluation": len(with_evaluation),
        "needs_adopted": len(adopted),
        "adoptions_total": adoptions_all.count(),
        "adoptions_after_evaluation": adoptions_all.filter(
            Q(evaluation__isnull=False) | Q(track_record__isnull=False)
        ).count(),
    }
    return {
        "since": start.isoformat() if start else None,
        **counts,
        "rates": {
            "need_to_proposal": _rate(len(with_proposal), n_needs),
            "proposal_to_acceptance": _rate(len(with_accepted), len(with_proposal)),
            "acceptance_to_evaluation": _rate(len(with_evaluation), len(with_accepted)),
            "evaluation_to_adoption": _rate(len(with_evaluation & adopted), len(with_evaluation)),
            "need_to_adoption": _rate(len(adopted), n_needs),
            "proposal_acceptance": _rate(len(accepted), len(proposals)),
        },
    }
