"""Interop records: instrument exports converted to Allotrope ASM (kept beside the raw file)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Organization


class Instrument(models.TextChoices):
    """Instrument exports BioProof converts with allotropy (its ``Vendor`` names)."""

    VI_CELL_BLU = "BECKMAN_VI_CELL_BLU", _("Beckman Coulter Vi-CELL BLU (cell counter)")
    VI_CELL_XR = "BECKMAN_VI_CELL_XR", _("Beckman Coulter Vi-CELL XR (cell counter)")
    CEDEX_BIOHT = "ROCHE_CEDEX_BIOHT", _("Roche Cedex Bio HT (bioanalyzer)")
    NOVABIO_FLEX2 = "NOVABIO_FLEX2", _("Nova Biomedical BioProfile FLEX2 (bioanalyzer)")
    NANODROP_8000 = "THERMO_FISHER_NANODROP_8000", _("Thermo NanoDrop 8000 (spectrophotometer)")
    NANODROP_EIGHT = "THERMO_FISHER_NANODROP_EIGHT", _("Thermo NanoDrop Eight (spectrophotometer)")
    NANODROP_ONE = "THERMO_FISHER_NANODROP_ONE", _("Thermo NanoDrop One (spectrophotometer)")
    TAPESTATION = "AGILENT_TAPESTATION_ANALYSIS", _("Agilent TapeStation (electrophoresis)")
    UNICORN = "CYTIVA_UNICORN", _("Cytiva UNICORN (chromatography)")


class _Visible(models.QuerySet):
    rule = ""

    def visible_to(self, user: Any) -> models.QuerySet:
        from bioproof.interop import policy

        return self.filter(getattr(policy, self.rule)(user))


class InstrumentFileQuerySet(_Visible):
    rule = "instrument_file_visibility"


class SubscriptionQuerySet(_Visible):
    rule = "subscription_visibility"


class DeliveryQuerySet(_Visible):
    rule = "delivery_visibility"


def _upload_path(instance: models.Model, filename: str) -> str:
    # Kept for the migrations: files are written by bioproof.core.files.store.
    return f"instrument/{filename}"


class InstrumentFile(models.Model):
    """One instrument export and its Allotrope ASM JSON, both stored and hashed; optionally
    imported into a run as a data file of an evaluation layout."""

    instrument = models.CharField(max_length=40, choices=Instrument.choices)
    converter_version = models.CharField(max_length=20)
    raw = models.FileField(upload_to=_upload_path, max_length=300)
    raw_filename = models.CharField(max_length=200)
    raw_sha256 = models.CharField(max_length=64)
    raw_size = models.PositiveBigIntegerField()
    asm = models.FileField(upload_to=_upload_path, max_length=300)
    asm_sha256 = models.CharField(max_length=64)
    asm_size = models.PositiveBigIntegerField()
    asm_manifest = models.CharField(max_length=300, help_text=_("the ASM schema ($asm.manifest)"))
    summary = models.JSONField(default=dict, help_text=_("samples and measurements found"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(
        "evaluations.Run",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instrument_files",
    )
    data_file = models.ForeignKey(
        "evaluations.RunDataFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instrument_files",
        help_text=_("the run data file laid out from this export (with the others imported)"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstrumentFileQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("instrument file")
        verbose_name_plural = _("instrument files")

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.raw_filename}"


class ApiTokenScope(models.Model):
    """What a partner's API token may do (kept beside the consortium's ``ApiToken``).

    ``scopes``: ``read`` (every module, safe methods), ``read:<module>``, ``write`` (every
    module), ``write:<module>`` — module = the API's first path segment (``evaluations``,
    ``track-records``, ``training``, ``interop`` …). A token without a scope row keeps full
    access (tokens issued before scopes existed). ``per_minute``: its rate limit."""

    token = models.OneToOneField(
        "consortium.ApiToken", on_delete=models.CASCADE, related_name="interop_scope"
    )
    scopes = models.JSONField(default=list)
    per_minute = models.PositiveIntegerField(default=120)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("API token scope")
        verbose_name_plural = _("API token scopes")

    def __str__(self) -> str:
        return f"{self.token} {' '.join(self.scopes)}"


class WebhookSubscription(models.Model):
    """An organization's endpoint for event types; payloads are HMAC-SHA256 signed with
    ``secret`` (shown once when the subscription is made)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("whose view of the records decides which events are delivered"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.organization} → {self.url}"


class WebhookDelivery(models.Model):
    """One event for one subscription, with its attempts (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (gave up)")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("core.AuditEvent", on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=80)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    log = models.JSONField(default=list, help_text=_("every attempt: time, status, error"))
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="one_delivery_per_event_interop"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.status})"


class BiofoundryProjectQuerySet(_Visible):
    rule = "biofoundry_visibility"


class BiofoundryProject(models.Model):
    """A biofoundry project (e.g. with the KRIBB biofoundry) and its hierarchy of codes:
    project → service → workflow → unit operation."""

    code = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BiofoundryProjectQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("biofoundry project")
        verbose_name_plural = _("biofoundry projects")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class BiofoundryStep(models.Model):
    """One service, workflow or unit operation of a project (its code as the biofoundry gives
    it), optionally linked to an evaluation (or its service request)."""

    class Level(models.TextChoices):
        SERVICE = "service", _("Service")
        WORKFLOW = "workflow", _("Workflow")
        UNIT_OPERATION = "unit_operation", _("Unit operation")

    project = models.ForeignKey(BiofoundryProject, on_delete=models.CASCADE, related_name="steps")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(max_length=16, choices=Level.choices)
    code = models.CharField(max_length=20, db_index=True)
    name = models.CharField(max_length=200)
    evaluation = models.ForeignKey(
        "evaluations.Evaluation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="biofoundry_steps",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "parent", "code"], name="unique_biofoundry_step_interop"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code}/{self.code}"


class BiofoundryLinkQuerySet(_Visible):
    rule = "biofoundry_link_visibility"


class BiofoundryLink(models.Model):
    """A biofoundry step (service, workflow or unit operation code) linked to a facilities
    booking or to a process-development project (a center's service request). Exactly one of
    the two is set. Seen only by who sees both ends."""

    step = models.ForeignKey(BiofoundryStep, on_delete=models.PROTECT, related_name="links")
    booking = models.ForeignKey(
        "facilities.Booking",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="biofoundry_links",
    )
    facility_project = models.ForeignKey(
        "facilities.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="biofoundry_links",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BiofoundryLinkQuerySet.as_manager()

    class Meta:
        ordering = ["step", "id"]
        verbose_name = _("biofoundry link")
        verbose_name_plural = _("biofoundry links")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(booking__isnull=False, facility_project__isnull=True)
                    | models.Q(booking__isnull=True, facility_project__isnull=False)
                ),
                name="biofoundry_link_one_target_interop",
            ),
            models.UniqueConstraint(
                fields=["step", "booking"], name="unique_biofoundry_link_booking_interop"
            ),
            models.UniqueConstraint(
                fields=["step", "facility_project"],
                name="unique_biofoundry_link_project_interop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} → {self.booking_id or self.facility_project_id}"
