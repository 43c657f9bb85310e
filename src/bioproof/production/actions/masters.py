"""Master batch records and product specifications: versioned, approved by QA with an
e-signature; change control — a new version needs a reason and QA approval; the approved
version in force is superseded only when the next one is approved. Approved versions never
change (no action writes them); batches and samples point at the version they started with."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.consortium.models import Organization
from bioproof.core import signatures
from bioproof.core.errors import DomainError, InvalidTransition
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.core.policy import require
from bioproof.production import policy, recipes
from bioproof.production.actions._common import content_hash, number, record, require_user, text
from bioproof.production.models import MasterRecipe, MBRVersion, Specification, SpecVersion

V = MBRVersion.Status


def mbr_content(version: MBRVersion) -> dict[str, Any]:
    return {
        "recipe": version.recipe.code,
        "product": version.recipe.product,
        "version": version.version,
        "reason": version.reason,
        "batch_size": version.batch_size,
        "batch_unit": version.batch_unit,
        "procedure": version.procedure,
        "bom": version.bom,
    }


def spec_content(version: SpecVersion) -> dict[str, Any]:
    return {
        "specification": version.specification.code,
        "product": version.specification.product,
        "version": version.version,
        "reason": version.reason,
        "tests": version.tests,
    }


def _mbr_fields(batch_size: Any, batch_unit: str, procedure: Any, bom: Any) -> dict[str, Any]:
    size = number(batch_size, "batch_size", low=1e-6, high=1e9)
    unit = recipes.clean_unit(batch_unit, _("batch size"), "batch_unit")
    clean = recipes.clean_bom(bom or [])
    return {
        "batch_size": size,
        "batch_unit": unit,
        "bom": clean,
        "procedure": recipes.clean_procedure(procedure, {b["material"] for b in clean}),
    }


@transaction.atomic
def create_mbr(
    *,
    by: Any,
    facility: Organization,
    code: str,
    product: str,
    batch_size: float,
    batch_unit: str,
    procedure: Any,
    bom: Any,
) -> MBRVersion:
    require_user(by)
    require(
        policy.is_facility_staff(by, facility.pk), _("Only the facility's staff may author MBRs.")
    )
    code = text(code, "code", required=True, max_length=30)
    fields = _mbr_fields(batch_size, batch_unit, procedure, bom)
    with unique_or_conflict(_("MBR %(c)s exists already.") % {"c": code}, field="code"):
        recipe = MasterRecipe.objects.create(
            facility=facility, code=code, product=text(product, "product", required=True)
        )
    version = MBRVersion.objects.create(recipe=recipe, version=1, created_by=by, **fields)
    record(by, "production.mbr_created", version, facility, after={"code": code, "version": 1})
    return version


@transaction.atomic
def revise_mbr(
    *,
    by: Any,
    recipe: MasterRecipe,
    reason: str,
    batch_size: float,
    batch_unit: str,
    procedure: Any,
    bom: Any,
) -> MBRVersion:
    """Change control: the next version, with its reason, waiting for QA approval."""
    require_user(by)
    recipe = lock(recipe)
    require(
        policy.is_facility_staff(by, recipe.facility_id),
        _("Only the facility's staff may revise MBRs."),
    )
    reason = text(reason, "reason", required=True, max_length=2000)
    if recipe.versions.filter(status=V.DRAFT).exists():
        raise InvalidTransition(
            _("%(c)s has a draft version waiting for approval; approve it before revising again.")
            % {"c": recipe.code}
        )
    fields = _mbr_fields(batch_size, batch_unit, procedure, bom)
    n = (recipe.versions.aggregate(m=Max("version"))["m"] or 0) + 1
    version = MBRVersion.objects.create(
        recipe=recipe, version=n, reason=reason, created_by=by, **fields
    )
    record(
        by, "production.mbr_revised", version, recipe.facility, after={"version": n}, reason=reason
    )
    return version


def _approve(
    by: Any,
    version: Any,
    parent: Any,
    facility_id: int,
    content: dict[str, Any],
    password: str,
    label: str,
) -> None:
    require(policy.is_qa(by, facility_id), _("Only QA (an approver of the facility) may approve."))
    if version.status != V.DRAFT:
        raise InvalidTransition(
            _("%(v)s is %(s)s; only a draft is approved.")
            % {"v": version, "s": version.get_status_display()}
        )
    if version.created_by_id == by.pk:
        raise DomainError(
            _("The author of %(v)s cannot approve it; QA approval is independent.") % {"v": version}
        )
    h = content_hash(content)
    signatures.apply_signature(
        by=by,
        password=password,
        obj=version,
        code=label,
        version=version.version,
        meaning="approved",
        content_hash=h,
        organization=version_facility(parent),
    )
    type(version).objects.filter(**{_parent_field(version): parent, "status": V.APPROVED}).update(
        status=V.SUPERSEDED
    )
    version.status = V.APPROVED
    version.content_hash = h
    version.approved_by = by
    version.approved_at = timezone.now()
    version.save(update_fields=["status", "content_hash", "approved_by", "approved_at"])


def _parent_field(version: Any) -> str:
    return "recipe" if isinstance(version, MBRVersion) else "specification"


def version_facility(parent: Any) -> Organization:
    return parent.facility


@transaction.atomic
def approve_mbr(*, by: Any, version: MBRVersion, password: str) -> MBRVersion:
    require_user(by)
    recipe = lock(version.recipe)
    version = lock(version)
    _approve(
        by,
        version,
        recipe,
        recipe.facility_id,
        mbr_content(version),
        password,
        f"{recipe.code} v{version.version}",
    )
    record(
        by,
        "production.mbr_approved",
        version,
        recipe.facility,
        after={"version": version.version, "content_hash": version.content_hash},
    )
    return version


def current_mbr(recipe: MasterRecipe) -> MBRVersion | None:
    return recipe.versions.filter(status=V.APPROVED).order_by("-version").first()


@transaction.atomic
def create_spec(
    *, by: Any, facility: Organization, code: str, product: str, tests: Any
) -> SpecVersion:
    require_user(by)
    require(
        policy.is_facility_staff(by, facility.pk),
        _("Only the facility's staff may author specifications."),
    )
    code = text(code, "code", required=True, max_length=30)
    clean = recipes.clean_spec_tests(tests)
    with unique_or_conflict(_("Specification %(c)s exists already.") % {"c": code}, field="code"):
        spec = Specification.objects.create(
            facility=facility, code=code, product=text(product, "product", required=True)
        )
    version = SpecVersion.objects.create(specification=spec, version=1, tests=clean, created_by=by)
    record(by, "production.spec_created", version, facility, after={"code": code, "version": 1})
    return version


@transaction.atomic
def revise_spec(*, by: Any, specification: Specification, reason: str, tests: Any) -> SpecVersion:
    require_user(by)
    spec = lock(specification)
    require(
        policy.is_facility_staff(by, spec.facility_id),
        _("Only the facility's staff may revise specifications."),
    )
    reason = text(reason, "reason", required=True, max_length=2000)
    if spec.versions.filter(status=V.DRAFT).exists():
        raise InvalidTransition(
            _("%(c)s has a draft version waiting for approval; approve it before revising again.")
            % {"c": spec.code}
        )
    clean = recipes.clean_spec_tests(tests)
    n = (spec.versions.aggregate(m=Max("version"))["m"] or 0) + 1
    version = SpecVersion.objects.create(
        specification=spec, version=n, reason=reason, tests=clean, created_by=by
    )
    record(
        by, "production.spec_revised", version, spec.facility, after={"version": n}, reason=reason
    )
    return version


@transaction.atomic
def approve_spec(*, by: Any, version: SpecVersion, password: str) -> SpecVersion:
    require_user(by)
    spec = lock(version.specification)
    version = lock(version)
    _approve(
        by,
        version,
        spec,
        spec.facility_id,
        spec_content(version),
        password,
        f"{spec.code} v{version.version}",
    )
    record(
        by,
        "production.spec_approved",
        version,
        spec.facility,
        after={"version": version.version, "content_hash": version.content_hash},
    )
    return version


def current_spec(spec: Specification) -> SpecVersion | None:
    return spec.versions.filter(status=V.APPROVED).order_by("-version").first()
