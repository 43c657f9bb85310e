"""Center services (facilities): suites and equipment of the demonstration centers with their
booking rules and rate tables, bookings (no double booking, enforced by the database),
blackouts, a waitlist, iCal feed tokens, process-development projects (request → quote →
signed acceptance → work packages → deliverables → completion and invoice) and schedule
proposals.

Who sees what is in :mod:`bioproof.facilities.policy`; every write is in
:mod:`bioproof.facilities.actions`. Rules: docs/facilities.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Organization


def _lang_en() -> bool:
    return (get_language() or "ko").startswith("en")


class CustomerType(models.TextChoices):
    MEMBER = "member", _("Consortium member")
    SME = "sme", _("SME")
    LARGE = "large", _("Large company")
    ACADEMIC = "academic", _("Academic")


class FundingLine(models.TextChoices):
    """The national equipment registry's split of fee income (장비 자체활용 vs 시험분석 서비스)."""

    SELF_USE = "self_use", _("Self-use")
    TEST_SERVICE = "test_service", _("Test/analysis service")


class UseMode(models.TextChoices):
    SELF = "self", _("Self-use")
    ASSISTED = "assisted", _("Assisted")


class VisibleQuerySet(models.QuerySet):
    policy_name = ""

    def visible_to(self, user: Any) -> Any:
        from bioproof.facilities import policy

        return self.filter(getattr(policy, self.policy_name)(user))


def _qs(name: str) -> Any:
    return type(f"{name}QuerySet", (VisibleQuerySet,), {"policy_name": name})


class Suite(models.Model):
    """A room or suite of a center (e.g. the mRNA GMP suite)."""

    center = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="suites")
    code = models.CharField(_("code"), max_length=30, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    location = models.CharField(_("location"), max_length=200, blank=True)
    gmp = models.BooleanField(_("GMP suite"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("equipment_visibility").as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("suite")
        verbose_name_plural = _("suites")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return self.name_en if _lang_en() else self.name_ko


class Equipment(models.Model):
    """One piece of equipment with its state, due dates, required qualifications and rules."""

    class Kind(models.TextChoices):
        FERMENTER = "fermenter", _("Fermenter")
        SUB = "sub", _("Single-use bioreactor")
        STR = "str", _("Stirred-tank bioreactor")
        CHROMATOGRAPHY = "chromatography", _("Chromatography system")
        TFF = "tff", _("TFF system")
        FILLING = "filling", _("Filling line")
        IVT = "ivt", _("IVT reactor")
        LNP = "lnp", _("LNP formulation system")
        ANALYTICAL = "analytical", _("Analytical instrument")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        MAINTENANCE = "maintenance", _("Maintenance")
        OUT_OF_SERVICE = "out_of_service", _("Out of service")

    class Modes(models.TextChoices):
        SELF = "self", _("Self-use only")
        ASSISTED = "assisted", _("Assisted only")
        BOTH = "both", _("Self-use or assisted")

    center = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="equipment")
    suite = models.ForeignKey(
        Suite, on_delete=models.PROTECT, null=True, blank=True, related_name="equipment"
    )
    code = models.CharField(_("equipment code"), max_length=30, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    #: the qualification key a self-user needs (training's equipment class),
    #: e.g. bioreactor.single-use
    equipment_class = models.CharField(_("equipment class"), max_length=60)
    working_volume_l = models.DecimalField(
        _("working volume (L)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AVAILABLE
    )
    status_reason = models.TextField(_("status reason"), blank=True)
    status_from = models.DateTimeField(_("status since"), null=True, blank=True)
    status_until = models.DateTimeField(_("status expected until"), null=True, blank=True)
    registry_number = models.CharField(
        _("national equipment registry number"), max_length=40, blank=True
    )
    calibration_due = models.DateField(_("calibration due"), null=True, blank=True)
    qualification_due = models.DateField(_("qualification (IQ/OQ/PQ) due"), null=True, blank=True)
    #: further qualification keys a self-user needs besides the equipment class (e.g. clean room)
    required_qualifications = models.JSONField(
        _("required qualifications"), default=list, blank=True
    )
    gmp = models.BooleanField(_("GMP equipment"), default=False)
    # booking rules
    min_minutes = models.PositiveIntegerField(_("minimum booking (min)"), default=60)
    max_minutes = models.PositiveIntegerField(_("maximum booking (min)"), default=14 * 24 * 60)
    notice_book_hours = models.PositiveIntegerField(_("notice to book (h)"), default=0)
    notice_change_hours = models.PositiveIntegerField(_("notice to change (h)"), default=0)
    notice_cancel_hours = models.PositiveIntegerField(_("notice to cancel (h)"), default=0)
    buffer_minutes = models.PositiveIntegerField(_("buffer after a booking (min)"), default=0)
    approval_required = models.BooleanField(_("approval required"), default=False)
    modes = models.CharField(
        _("use modes"), max_length=10, choices=Modes.choices, default=Modes.BOTH
    )
    no_show_minutes = models.PositiveIntegerField(_("no-show release after (min)"), default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("equipment_visibility").as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        indexes = [models.Index(fields=["center", "code"])]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return self.name_en if _lang_en() else self.name_ko

    @property
    def qualification_keys(self) -> list[str]:
        keys = [self.equipment_class]
        keys += [k for k in self.required_qualifications or [] if k not in keys]
        return keys


class Rate(models.Model):
    """Fee of one equipment for one customer type (KRW, VAT excluded)."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="rates")
    customer_type = models.CharField(max_length=10, choices=CustomerType.choices)
    per_hour_krw = models.PositiveBigIntegerField(_("per hour (KRW)"))
    per_day_krw = models.PositiveBigIntegerField(_("per day (KRW)"))
    assisted_surcharge_krw = models.PositiveBigIntegerField(
        _("assisted surcharge per hour (KRW)"), default=0
    )

    objects = _qs("equipment_visibility_rate").as_manager()

    class Meta:
        ordering = ["equipment", "customer_type"]
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [
            models.UniqueConstraint(fields=["equipment", "customer_type"], name="unique_rate")
        ]

    def __str__(self) -> str:
        return f"{self.equipment.code} {self.customer_type}"


class Blackout(models.Model):
    """A period an equipment cannot be booked (maintenance, calibration, shutdown)."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="blackouts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    cancelled = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("blackout_visibility").as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("blackout")
        verbose_name_plural = _("blackouts")
        indexes = [models.Index(fields=["equipment", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.equipment.code} {self.starts_at:%Y-%m-%d}"


class Project(models.Model):
    """A process-development project: a company's service request to a center, its quotes, work
    packages, bookings, deliverables, completion and invoice. Confidential between the two."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        QUOTED = "quoted", _("Quoted")
        ACCEPTED = "accepted", _("Accepted")
        COMPLETED = "completed", _("Completed")
        INVOICED = "invoiced", _("Invoiced")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(max_length=20, unique=True)
    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    center = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    organism = models.CharField(_("organism or cell line"), max_length=200)
    process_steps = models.TextField(_("process steps"))
    scale = models.CharField(_("scale"), max_length=100)
    timeline = models.CharField(_("timeline"), max_length=200, blank=True)
    confidentiality = models.TextField(_("confidentiality terms"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("project_visibility").as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("process-development project")
        verbose_name_plural = _("process-development projects")

    def __str__(self) -> str:
        return self.code


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        SUPERSEDED = "superseded", _("Superseded")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="quotes")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    customer_type = models.CharField(max_length=10, choices=CustomerType.choices)
    funding_line = models.CharField(max_length=14, choices=FundingLine.choices)
    vat_pct = models.PositiveIntegerField(default=10)
    subtotal_krw = models.PositiveBigIntegerField(default=0)
    vat_krw = models.PositiveBigIntegerField(default=0)
    total_krw = models.PositiveBigIntegerField(default=0)
    valid_until = models.DateField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = _qs("quote_visibility").as_manager()

    class Meta:
        ordering = ["project", "version"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="unique_quote_version")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} Q{self.version}"

    @property
    def code(self) -> str:
        return f"{self.project.code}-Q{self.version}"


class QuoteLine(models.Model):
    class Kind(models.TextChoices):
        EQUIPMENT = "equipment", _("Equipment")
        STAFF = "staff", _("Staff hours")
        CONSUMABLE = "consumable", _("Consumables")
        ANALYTICS = "analytics", _("Analytics")

    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=10, decimal_places=2)
    unit = models.CharField(max_length=10)
    unit_price_krw = models.PositiveBigIntegerField()
    amount_krw = models.PositiveBigIntegerField()

    objects = _qs("quote_line_visibility").as_manager()

    class Meta:
        ordering = ["quote", "position"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return f"{self.quote_id}/{self.position} {self.description}"


class WorkPackage(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="work_packages")
    position = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    equipment_class = models.CharField(_("equipment class"), max_length=60)
    duration_hours = models.PositiveIntegerField(_("duration (h)"))
    release_at = models.DateTimeField(_("earliest start"))
    due_at = models.DateTimeField(_("due"))
    needs_staff = models.BooleanField(_("needs an assisting staff member"), default=True)
    predecessors = models.ManyToManyField("self", symmetrical=False, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    objects = _qs("work_package_visibility").as_manager()

    class Meta:
        ordering = ["project", "position"]
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        constraints = [
            models.UniqueConstraint(fields=["project", "position"], name="unique_wp_position")
        ]

    def __str__(self) -> str:
        return f"{self.project.code}-WP{self.position}"


class BookingSeries(models.Model):
    """A recurring booking (weekly, N occurrences), created all or nothing."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=100)
    count = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.rule}"


#: Booking states that hold the equipment (the exclusion constraint's condition).
HOLDING = ("requested", "confirmed", "checked_in", "completed")


class Booking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        CHECKED_IN = "checked_in", _("Checked in")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")
        RELEASED = "released", _("Released (no-show)")

    code = models.CharField(max_length=20, unique=True)
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="bookings")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="facility_bookings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facility_bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assisted_bookings",
    )
    mode = models.CharField(max_length=10, choices=UseMode.choices)
    gmp = models.BooleanField(_("GMP work"), default=False)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    customer_type = models.CharField(max_length=10, choices=CustomerType.choices)
    funding_line = models.CharField(
        max_length=14, choices=FundingLine.choices, default=FundingLine.SELF_USE
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    #: ``ends_at`` plus the equipment's buffer: the range the exclusion constraint guards
    block_until = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    work_package = models.ForeignKey(
        WorkPackage, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    series = models.ForeignKey(
        BookingSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    used_minutes = models.PositiveIntegerField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("booking_visibility").as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["equipment", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            # lists newest (or oldest) first over every equipment, and their keyset pages:
            # the programme's drill-down to 1M bookings read them all and sorted (0.9 s)
            models.Index(fields=["starts_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_positive"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def holds(self) -> bool:
        return self.status in HOLDING


class WaitlistEntry(models.Model):
    """ "Notify me if this slot frees": told once when a holding booking over it ends."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("waitlist_visibility").as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")

    def __str__(self) -> str:
        return f"{self.equipment.code} {self.starts_at:%Y-%m-%d %H:%M}"


class FeedToken(models.Model):
    """A secret iCal feed URL (per user, equipment or center); only the SHA-256 is kept."""

    class Scope(models.TextChoices):
        USER = "user", _("My bookings")
        EQUIPMENT = "equipment", _("Equipment")
        CENTER = "center", _("Center")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feed_tokens"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices)
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    center = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prefix = models.CharField(max_length=8)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.scope} {self.prefix}…"


class Deliverable(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="deliverables")
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(max_length=200)
    file = models.FileField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("deliverable_visibility").as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")

    def __str__(self) -> str:
        return self.title


class Invoice(models.Model):
    """The completion record of a project: final charges (lines) and the invoice."""

    code = models.CharField(max_length=20, unique=True)
    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="invoice")
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="+")
    customer_type = models.CharField(max_length=10, choices=CustomerType.choices)
    funding_line = models.CharField(max_length=14, choices=FundingLine.choices)
    #: [{"kind", "description", "quantity", "unit", "unit_price_krw", "amount_krw"}]
    lines = models.JSONField(default=list)
    subtotal_krw = models.PositiveBigIntegerField()
    vat_krw = models.PositiveBigIntegerField()
    total_krw = models.PositiveBigIntegerField()
    summary = models.TextField(_("completion summary"))
    issued_on = models.DateField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = _qs("invoice_visibility").as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.code


class RunBooking(models.Model):
    """Which booking an evaluation run used (kept here so evaluations' models stay untouched)."""

    run = models.ForeignKey("evaluations.Run", on_delete=models.PROTECT, related_name="+")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="runs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("run booking")
        verbose_name_plural = _("run bookings")
        constraints = [
            models.UniqueConstraint(fields=["run", "booking"], name="unique_run_booking")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} → booking {self.booking_id}"


class ScheduleProposal(models.Model):
    """A solver's proposal for a center's open work packages; a planner adjusts and commits it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        COMMITTED = "committed", _("Committed")
        DISCARDED = "discarded", _("Discarded")

    center = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    #: [{"work_package": id, "equipment": id, "staff": id|None, "start": iso, "end": iso}]
    assignments = models.JSONField(default=list)
    objective_hours = models.FloatField(default=0)
    bound_hours = models.FloatField(default=0)
    solver_status = models.CharField(max_length=20, blank=True)
    wall_seconds = models.FloatField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("proposal_visibility").as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("schedule proposal")
        verbose_name_plural = _("schedule proposals")

    def __str__(self) -> str:
        return f"{self.center_id} {self.created_at:%Y-%m-%d %H:%M} {self.status}"


def overlaps(start: dt.datetime, end: dt.datetime) -> models.Q:
    """Bookings whose guarded range [starts_at, block_until) meets [start, end)."""
    return models.Q(starts_at__lt=end, block_until__gt=start)
