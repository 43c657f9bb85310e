"""The programme's targets (versioned), investment pledges and the materialized indicators.

Targets and core items are the programme office's data; each edit is a new :class:`TargetSet`
version with a reason. Pledges and executions are the member companies' declarations, each with
evidence files in the shared file store. :class:`Snapshot` holds the indicator tables computed
from the records (never typed in) by the job queue; it is derived data, recomputed at will.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Category
from bioproof.consortium.models import Organization


class TargetSet(models.Model):
    """One version of the programme's targets and its list of core items."""

    version = models.PositiveIntegerField(unique=True)
    reason = models.TextField(_("reason for this version"))
    is_current = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"targets v{self.version}"


class CoreItem(models.Model):
    """A core item of the strategy (e.g. cell-culture media): a catalog category subtree whose
    domestic share of adopted volume and value is tracked against ``target_share_pct``."""

    target_set = models.ForeignKey(TargetSet, on_delete=models.CASCADE, related_name="core_items")
    code = models.SlugField(max_length=40)
    name_ko = models.CharField(_("name (Korean)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    volume_unit = models.CharField(_("volume unit"), max_length=20)
    target_share_pct = models.FloatField(_("target domestic share (%)"))
    target_year = models.PositiveSmallIntegerField(_("target year"), default=2030)

    class Meta:
        ordering = ["target_set", "code"]
        constraints = [
            models.UniqueConstraint(fields=["target_set", "code"], name="programme_item_unique"),
            models.UniqueConstraint(
                fields=["target_set", "category"], name="programme_item_category_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return self.name_ko if (get_language() or "ko").startswith("ko") else self.name_en


class Target(models.Model):
    """A programme target: the value an indicator should reach by the end of ``year``."""

    class Indicator(models.TextChoices):
        INVESTMENT = "investment_krw", _("Private investment executed (KRW, cumulative)")
        LOCALISATION = "localisation_pct", _("Domestic share of core items (%)")
        TRACK_RECORDS = "track_records", _("Published track records (cumulative)")
        ADOPTIONS = "adoptions", _("Adoptions (cumulative)")
        TRAINEES = "trainees_passed", _("Trainees who passed (cumulative)")

    target_set = models.ForeignKey(TargetSet, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(max_length=30, choices=Indicator.choices)
    year = models.PositiveSmallIntegerField()
    value = models.FloatField()

    class Meta:
        ordering = ["target_set", "indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_set", "indicator", "year"], name="programme_target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value:g}"


class PledgeQuerySet(models.QuerySet["Pledge"]):
    def visible_to(self, user: Any) -> PledgeQuerySet:
        from bioproof.programme.policy import pledge_visibility

        return self.filter(pledge_visibility(user))


class Pledge(models.Model):
    """An investment pledge of a member company, or an execution against one (audited)."""

    class Kind(models.TextChoices):
        PLEDGE = "pledge", _("Pledge")
        EXECUTION = "execution", _("Execution")

    class Category(models.TextChoices):
        FACILITY = "facility", _("Manufacturing facility")
        EQUIPMENT = "equipment", _("Equipment")
        RND = "rnd", _("R&D")
        WORKFORCE = "workforce", _("Workforce")
        OTHER = "other", _("Other")

    code = models.CharField(max_length=20, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    pledge = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="executions",
        verbose_name=_("pledge executed"),
    )
    amount_krw = models.PositiveBigIntegerField(_("amount (KRW)"))
    year = models.PositiveSmallIntegerField(_("year"))
    site = models.CharField(_("site"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "code"]
        indexes = [models.Index(fields=["organization", "year"], name="programme_pledge_org_year")]

    def __str__(self) -> str:
        return self.code


def evidence_path(instance: Any, filename: str) -> str:  # pragma: no cover - store() names files
    return f"programme/evidence/{filename}"


class PledgeEvidence(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="evidence")
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pledge", "uploaded_at"]

    def __str__(self) -> str:
        return self.filename


class Snapshot(models.Model):
    """The indicator tables computed from the records at ``computed_at`` (derived data).

    ``audit_head`` is the last audit event id the computation saw: the pages know the snapshot
    is stale when the chain has grown since, and queue a refresh.
    """

    computed_at = models.DateTimeField()
    audit_head = models.BigIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    data = models.JSONField()

    class Meta:
        ordering = ["-computed_at"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"snapshot {self.computed_at:%Y-%m-%d %H:%M}"
