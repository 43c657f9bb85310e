"""mRNA production service: orders and constructs, master batch records (ISA-88), executed
batch records, QC against versioned specifications, deviations and CAPA, certificates of analysis,
QA disposition and shipment.

Who sees what is in :mod:`bioproof.production.policy`; every write is in
:mod:`bioproof.production.actions`. Rules: docs/production.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Organization

USER = settings.AUTH_USER_MODEL


def _qs(name: str) -> type[models.QuerySet[Any]]:
    """A queryset class with ``visible_to(user)`` from policy.VISIBILITY[name]."""

    def visible_to(self: models.QuerySet[Any], user: Any) -> models.QuerySet[Any]:
        from bioproof.production import policy

        if name == "result":
            return self.filter(policy.result_visibility(user))
        return self.filter(policy.visibility(name, user))

    return type(f"{name.title()}QuerySet", (models.QuerySet,), {"visible_to": visible_to})


class Grade(models.TextChoices):
    RESEARCH = "research", _("Research grade")
    NON_GMP = "non_gmp", _("Non-GMP (tox)")
    GMP = "gmp_clinical", _("GMP clinical")


# ------------------------------------------------------------------------------- orders


class Order(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        QUOTED = "quoted", _("Quoted")
        ACCEPTED = "accepted", _("Accepted")
        IN_PRODUCTION = "in_production", _("In production")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    facility = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    deliverables = models.JSONField(_("deliverables"), default=list, blank=True)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    quote_krw = models.PositiveBigIntegerField(null=True, blank=True)
    quote_lead_days = models.PositiveIntegerField(null=True, blank=True)
    quote_note = models.TextField(blank=True)
    quoted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("order").as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("production order")
        verbose_name_plural = _("production orders")

    def __str__(self) -> str:
        return self.code


class Construct(models.Model):
    class Cap(models.TextChoices):
        CO_TRANSCRIPTIONAL = "co_transcriptional", _("Co-transcriptional (e.g. CleanCap AG)")
        ENZYMATIC = "enzymatic", _("Enzymatic (vaccinia capping enzyme)")
        NONE = "none", _("Uncapped")

    class Formulation(models.TextChoices):
        NAKED = "naked", _("Naked mRNA")
        LNP = "lnp", _("Lipid nanoparticle (LNP)")

    class Modification(models.TextChoices):
        NONE = "none", _("Unmodified")
        PSEUDO = "pseudouridine", _("Pseudouridine (Ψ)")
        M1PSI = "n1-methylpseudouridine", _("N1-methylpseudouridine (m1Ψ)")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="constructs")
    name = models.CharField(_("name"), max_length=100)
    sequence = models.TextField()
    sequence_sha256 = models.CharField(max_length=64)
    file = models.CharField(max_length=300, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_format = models.CharField(max_length=10)
    report = models.JSONField(default=dict)
    enzyme = models.CharField(_("linearization enzyme"), max_length=20)
    modification = models.CharField(max_length=30, choices=Modification.choices)
    cap_strategy = models.CharField(max_length=20, choices=Cap.choices)
    cap_reagent = models.CharField(max_length=60, blank=True)
    quantity_mg = models.DecimalField(_("quantity (mg)"), max_digits=10, decimal_places=3)
    formulation = models.CharField(max_length=10, choices=Formulation.choices)
    lipids = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("construct").as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "name"], name="unique_construct_name")
        ]
        verbose_name = _("construct")
        verbose_name_plural = _("constructs")

    def __str__(self) -> str:
        return f"{self.order.code} {self.name}"


# ------------------------------------------------------------------- master batch records


class MasterRecipe(models.Model):
    """An MBR family (ISA-88 master recipe) of a facility; its content lives in versions."""

    facility = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=30, unique=True)
    product = models.CharField(_("product"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("facility").as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("master batch record")
        verbose_name_plural = _("master batch records")

    def __str__(self) -> str:
        return self.code


class Versioned(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    reason = models.TextField(_("reason for change"), blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class MBRVersion(Versioned):
    """One version of an MBR: procedure → unit procedures → operations → steps (JSON, validated
    by :func:`bioproof.production.recipes.clean_procedure`), a BOM for ``batch_size``."""

    recipe = models.ForeignKey(MasterRecipe, on_delete=models.PROTECT, related_name="versions")
    batch_size = models.FloatField()
    batch_unit = models.CharField(max_length=20)
    procedure = models.JSONField()
    bom = models.JSONField(default=list)

    objects = _qs("mbr_version").as_manager()

    class Meta:
        ordering = ["recipe", "version"]
        constraints = [
            models.UniqueConstraint(fields=["recipe", "version"], name="unique_mbr_version")
        ]
        verbose_name = _("MBR version")
        verbose_name_plural = _("MBR versions")

    def __str__(self) -> str:
        return f"{self.recipe.code} v{self.version}"


# ------------------------------------------------------------------ executed batch records


class MaterialLot(models.Model):
    facility = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    material = models.CharField(_("material"), max_length=100)
    lot = models.CharField(_("lot"), max_length=40)
    quantity = models.FloatField()
    unit = models.CharField(max_length=20)
    remaining = models.FloatField()
    expires_on = models.DateField(null=True, blank=True)
    released = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("facility").as_manager()

    class Meta:
        ordering = ["material", "lot"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "material", "lot"], name="unique_lot")
        ]
        verbose_name = _("material lot")
        verbose_name_plural = _("material lots")

    def __str__(self) -> str:
        return f"{self.material} {self.lot}"


class Batch(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        EXECUTED = "executed", _("Executed")
        REVIEWED = "reviewed", _("Record reviewed")
        QUARANTINED = "quarantined", _("Quarantined")
        RELEASED = "released", _("Released")
        REJECTED = "rejected", _("Rejected")

    code = models.CharField(max_length=20, unique=True)
    facility = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="batches")
    construct = models.ForeignKey(Construct, on_delete=models.PROTECT, related_name="batches")
    mbr_version = models.ForeignKey(MBRVersion, on_delete=models.PROTECT, related_name="batches")
    grade = models.CharField(max_length=20, choices=Grade.choices)
    scale = models.FloatField(help_text="batch size / the MBR's nominal batch size")
    batch_size = models.FloatField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField()
    executed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = _qs("batch").as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("batch record")
        verbose_name_plural = _("batch records")

    def __str__(self) -> str:
        return self.code

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.RELEASED, self.Status.REJECTED)


class BatchStep(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        VERIFIED = "verified", _("Verified")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="steps")
    seq = models.PositiveIntegerField()
    key = models.CharField(max_length=40)
    unit_procedure = models.CharField(max_length=100)
    operation = models.CharField(max_length=100)
    definition = models.JSONField()
    critical = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    operator = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    equipment_code = models.CharField(max_length=40, blank=True)
    equipment_checked = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    verifier = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = _qs("step").as_manager()

    class Meta:
        ordering = ["batch", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "seq"], name="unique_batch_step"),
            models.CheckConstraint(
                condition=models.Q(verifier__isnull=True)
                | ~models.Q(verifier=models.F("operator")),
                name="step_verifier_not_operator",
            ),
        ]
        verbose_name = _("batch step")
        verbose_name_plural = _("batch steps")

    def __str__(self) -> str:
        return f"{self.batch.code} #{self.seq} {self.key}"


class StepEntry(models.Model):
    step = models.ForeignKey(BatchStep, on_delete=models.PROTECT, related_name="entries")
    key = models.CharField(max_length=40)
    kind = models.CharField(max_length=10)  # parameter | ipc
    value = models.FloatField()
    unit = models.CharField(max_length=30)
    value_canonical = models.FloatField()
    canonical_unit = models.CharField(max_length=30)
    in_limits = models.BooleanField()
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    objects = _qs("entry").as_manager()

    class Meta:
        ordering = ["step", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "key"], name="unique_step_entry")]
        verbose_name = _("step entry")
        verbose_name_plural = _("step entries")

    def __str__(self) -> str:
        return f"{self.key}={self.value} {self.unit}"


class Consumption(models.Model):
    """Genealogy: a material lot consumed by a step of a batch."""

    step = models.ForeignKey(BatchStep, on_delete=models.PROTECT, related_name="consumptions")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="consumptions")
    lot = models.ForeignKey(MaterialLot, on_delete=models.PROTECT, related_name="consumptions")
    quantity = models.FloatField()
    unit = models.CharField(max_length=20)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    objects = _qs("batch_child").as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("material consumption")
        verbose_name_plural = _("material consumptions")

    def __str__(self) -> str:
        return f"{self.lot} → {self.batch.code}"


# -------------------------------------------------------------------------------- QC


class Specification(models.Model):
    facility = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=30, unique=True)
    product = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("facility").as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("product specification")
        verbose_name_plural = _("product specifications")

    def __str__(self) -> str:
        return self.code


class SpecVersion(Versioned):
    """One version of a specification: its tests (attribute, stage, method, unit, limits)."""

    specification = models.ForeignKey(
        Specification, on_delete=models.PROTECT, related_name="versions"
    )
    tests = models.JSONField()

    objects = _qs("spec_version").as_manager()

    class Meta:
        ordering = ["specification", "version"]
        constraints = [
            models.UniqueConstraint(fields=["specification", "version"], name="unique_spec_version")
        ]
        verbose_name = _("specification version")
        verbose_name_plural = _("specification versions")

    def __str__(self) -> str:
        return f"{self.specification.code} v{self.version}"


class Sample(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="samples")
    spec_version = models.ForeignKey(SpecVersion, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40, unique=True)
    stage = models.CharField(max_length=4)  # DS | DP
    drawn_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField()

    objects = _qs("batch_child").as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("QC sample")
        verbose_name_plural = _("QC samples")

    def __str__(self) -> str:
        return self.code


class TestResult(models.Model):
    __test__ = False  # not a pytest class

    class Status(models.TextChoices):
        ENTERED = "entered", _("Entered")
        VERIFIED = "verified", _("Verified")
        INVALIDATED = "invalidated", _("Invalidated")

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="results")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="results")
    test_key = models.CharField(max_length=40)
    value = models.FloatField(null=True, blank=True)
    text = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    value_spec_unit = models.FloatField(null=True, blank=True)
    conforms = models.BooleanField()
    instrument_code = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ENTERED)
    analyst = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    verifier = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    invalidated_reason = models.TextField(blank=True)

    objects = _qs("result").as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "test_key"],
                condition=~models.Q(status="invalidated"),
                name="one_valid_result_per_test",
            ),
            models.CheckConstraint(
                condition=models.Q(verifier__isnull=True) | ~models.Q(verifier=models.F("analyst")),
                name="result_verifier_not_analyst",
            ),
        ]
        verbose_name = _("test result")
        verbose_name_plural = _("test results")

    def __str__(self) -> str:
        return f"{self.sample.code} {self.test_key}"


# ------------------------------------------------------------------------ deviations, CAPA


class Deviation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        INVESTIGATION = "investigation", _("Under investigation")
        CAPA = "capa", _("CAPA in progress")
        EFFECTIVENESS = "effectiveness", _("Effectiveness check")
        CLOSED = "closed", _("Closed")

    class Classification(models.TextChoices):
        UNCLASSIFIED = "", _("Not yet classified")
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        CRITICAL = "critical", _("Critical")

    code = models.CharField(max_length=20, unique=True)
    facility = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12)  # process | oos | equipment | other
    title = models.CharField(max_length=200)
    description = models.TextField()
    classification = models.CharField(
        max_length=10, choices=Classification.choices, blank=True, default=""
    )
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="deviations"
    )
    step = models.ForeignKey(
        BatchStep, null=True, blank=True, on_delete=models.PROTECT, related_name="deviations"
    )
    result = models.ForeignKey(
        TestResult, null=True, blank=True, on_delete=models.PROTECT, related_name="deviations"
    )
    change_control = models.ForeignKey(
        MBRVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="deviations"
    )
    investigation = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    effectiveness = models.TextField(blank=True)
    release_assessment = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = _qs("deviation").as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")

    def __str__(self) -> str:
        return self.code


class CapaAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    deviation = models.ForeignKey(Deviation, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=12)  # corrective | preventive
    description = models.TextField()
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    objects = _qs("capa").as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("CAPA action")
        verbose_name_plural = _("CAPA actions")

    def __str__(self) -> str:
        return f"{self.deviation.code} {self.kind}"


# ------------------------------------------------------------------ CoA, release, shipment


class Certificate(models.Model):
    """A certificate of analysis of a batch (one per batch; a new one replaces it only by a
    new record with a reason — not offered: a released batch is immutable)."""

    batch = models.OneToOneField(Batch, on_delete=models.PROTECT, related_name="coa")
    code = models.CharField(max_length=20, unique=True)
    verification_code = models.CharField(max_length=32, unique=True)
    spec_version = models.ForeignKey(SpecVersion, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    file = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    generated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField()

    objects = _qs("batch_child").as_manager()

    class Meta:
        verbose_name = _("certificate of analysis")
        verbose_name_plural = _("certificates of analysis")

    def __str__(self) -> str:
        return self.code


class Disposition(models.Model):
    class Decision(models.TextChoices):
        RELEASE = "release", _("Release")
        REJECT = "reject", _("Reject")
        QUARANTINE = "quarantine", _("Quarantine")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="dispositions")
    decision = models.CharField(max_length=12, choices=Decision.choices)
    reason = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    objects = _qs("batch_child").as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("QA disposition")
        verbose_name_plural = _("QA dispositions")

    def __str__(self) -> str:
        return f"{self.batch.code} {self.decision}"


class Shipment(models.Model):
    class Status(models.TextChoices):
        PACKED = "packed", _("Packed")
        IN_TRANSIT = "in_transit", _("In transit")
        DELIVERED = "delivered", _("Delivered")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="shipments")
    code = models.CharField(max_length=20, unique=True)
    recipient = models.CharField(max_length=200)
    quantity = models.CharField(max_length=60)
    condition = models.CharField(max_length=60)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PACKED)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = _qs("batch_child").as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return self.code


class CustodyEvent(models.Model):
    """Chain of custody: each hand-over of a shipment (who handed, who received, where, when)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="custody")
    seq = models.PositiveIntegerField()
    event = models.CharField(max_length=12)  # packed | handed_over | delivered
    handed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    received_by = models.CharField(max_length=200)
    location = models.CharField(max_length=200)
    temperature_c = models.FloatField(null=True, blank=True)
    at = models.DateTimeField()

    objects = _qs("custody").as_manager()

    class Meta:
        ordering = ["shipment", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "seq"], name="unique_custody_seq")
        ]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")

    def __str__(self) -> str:
        return f"{self.shipment.code} #{self.seq} {self.event}"


# ------------------------------------------------------------------------------- scheduling


class OrderBooking(models.Model):
    """A facilities booking made for an accepted order (``actions.schedule_order``). The customer
    sees only the dates of its own order's bookings; the facility sees the booking itself."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="bookings")
    booking = models.OneToOneField(
        "facilities.Booking", on_delete=models.PROTECT, related_name="production_order"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _qs("order_booking").as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("order booking")
        verbose_name_plural = _("order bookings")

    def __str__(self) -> str:
        return f"{self.order_id} → {self.booking_id}"
