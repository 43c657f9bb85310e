"""Method templates: centers revise them; a version used by a signed protocol is frozen and a
revision then becomes version n+1 (the only writers)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bioproof.consortium.models import Membership, Organization
from bioproof.core import audit
from bioproof.core.errors import DomainError
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.core.policy import is_authenticated, require
from bioproof.evaluations import criteria as criteria_rules
from bioproof.evaluations import layouts
from bioproof.evaluations.models import Criterion, Evaluation, MethodTemplate

FIELDS = (
    "name_en",
    "name_ko",
    "description",
    "candidate_runs",
    "reference_runs",
    "layouts",
    "kpis",
    "default_criteria",
)


def can_revise(user: Any) -> bool:
    """Staff and evaluators of any demonstration center revise method templates."""
    return is_authenticated(user) and any(
        user.has_role(org_id, Membership.Role.STAFF, Membership.Role.EVALUATOR)
        for org_id in Organization.objects.filter(
            kind=Organization.Kind.CENTER, pk__in=user.organization_ids
        ).values_list("pk", flat=True)
    )


def may_revise(user: Any, template: MethodTemplate) -> bool:
    """A center's own template is revised by that center's staff or evaluators only; the
    programme's shared templates (no owning center) by those of any center."""
    if template.center_id is None:
        return can_revise(user)
    return is_authenticated(user) and user.has_role(
        template.center_id, Membership.Role.STAFF, Membership.Role.EVALUATOR
    )


def parse_criteria_lines(text: str) -> list[dict[str, Any]]:
    """``kpi comparison value[%] [lower]`` per line, e.g. ``dbc non_inferiority 10%``."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = re.fullmatch(r"\s*(\w+)\s+(\w+)\s+([-+0-9.eE]+)\s*(%?)\s*(lower)?\s*", line)
        if not m:
            raise DomainError(
                _("Criteria line %(n)d: write 'kpi comparison value[%%] [lower]'.") % {"n": number},
                field="default_criteria",
            )
        kpi, comparison, value, percent, lower = m.groups()
        out.append(
            {
                "kpi": kpi,
                "comparison": comparison,
                "value": float(value) / 100 if percent else float(value),
                "relative": bool(percent),
                "higher_is_better": not lower,
            }
        )
    return out


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in changes.items() if k in FIELDS}
    for key in ("candidate_runs", "reference_runs"):
        if key in out and not 1 <= int(out[key]) <= 50:
            raise DomainError(_("Runs per arm must be between 1 and 50."), field=key)
    if "layouts" in out:
        out["layouts"] = [layouts.get(k).key for k in out["layouts"]]
        if not out["layouts"]:
            raise DomainError(_("Name at least one data layout."), field="layouts")
    if "kpis" in out:
        known = criteria_rules.known_kpis()
        unknown = [k for k in out["kpis"] if k not in known]
        if unknown:
            raise DomainError(_("Unknown KPI(s): %(k)s") % {"k": ", ".join(unknown)}, field="kpis")
    if "default_criteria" in out:
        cleaned = [
            criteria_rules.clean(c, source=Criterion.Source.TEMPLATE)
            for c in out["default_criteria"]
        ]
        out["default_criteria"] = [
            {k: c[k] for k in ("kpi", "comparison", "value", "relative", "higher_is_better")}
            | (
                {"min_fraction": round(1.0 - c["alpha"], 6)}
                if c["comparison"] == "quality_range"
                else {}
            )
            for c in cleaned
        ]
    for key in ("name_en", "name_ko"):
        if key in out and not str(out[key]).strip():
            raise DomainError(_("This field is required."), field=key)
    return out


@transaction.atomic
def revise_template(
    *, by: Any, template: MethodTemplate, reason: str, **changes: Any
) -> MethodTemplate:
    """Change a template. A version that is frozen, or that any evaluation already uses (even
    a protocol still in preparation, at this or another center), is left as it is and version
    n+1 carries the change, owned as the old one was; so no revision ever changes a protocol.
    A center's own template is revised only by that center."""
    require(can_revise(by), _("Only demonstration-center staff revise method templates."))
    template = lock(template)
    require(
        may_revise(by, template),
        _("%(code)s belongs to %(center)s; only its staff may revise it.")
        % {"code": template.code, "center": getattr(template.center, "name", "")},
    )
    if not template.is_current:
        raise DomainError(_("Revise the current version of the template."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."), field="reason")
    changes = _clean(changes)
    before = audit.snapshot(template, ["code", "version", *FIELDS])
    in_use = Evaluation.objects.filter(template=template).exists()
    if template.frozen or in_use:
        MethodTemplate.objects.filter(pk=template.pk).update(is_current=False)
        values = {f: getattr(template, f) for f in ("code", "family", "categories", *FIELDS)}
        with unique_or_conflict(
            _("Version %(v)s of %(code)s was made at the same time; reload the page.")
            % {"v": template.version + 1, "code": template.code}
        ):
            template = MethodTemplate.objects.create(
                **(values | changes),
                version=template.version + 1,
                is_current=True,
                frozen=False,
                center=template.center,
            )
    else:
        for key, value in changes.items():
            setattr(template, key, value)
        template.save()
    audit.record(
        actor=by,
        action="method_template.revised",
        obj=template,
        organization=template.center or by.primary_organization,
        before=before,
        after=audit.snapshot(template, ["code", "version", *FIELDS]),
        reason=reason,
    )
    return template
