"""Demand side (수요-공급 연계): needs, proposals, adoptions and product documents."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Category, Product
from bioproof.consortium.models import Organization


class NeedQuerySet(models.QuerySet["Need"]):
    def visible_to(self, user: Any) -> NeedQuerySet:
        from bioproof.demand import policy

        return self.filter(policy.need_visibility(user))


class Need(models.Model):
    """A demand company's need: a domestic alternative for a product it imports (수요)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public (everyone)")
        CONSORTIUM = "consortium", _("Consortium (suppliers and consortium members)")
        PRIVATE = "private", _("Private (my organization and invited suppliers)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Mode(models.TextChoices):
        BATCH = "batch", _("Batch")
        FED_BATCH = "fed_batch", _("Fed-batch")
        PERFUSION = "perfusion", _("Perfusion")
        CONTINUOUS = "continuous", _("Continuous")
        DOWNSTREAM = "downstream", _("Downstream processing")
        OTHER = "other", _("Other")

    code = models.CharField(max_length=20, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="needs")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="needs")
    incumbent = models.CharField(_("incumbent product to replace"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organism = models.CharField(_("cell line or organism"), max_length=120, blank=True)
    scale = models.CharField(_("scale"), max_length=100, blank=True)
    mode = models.CharField(_("process mode"), max_length=20, choices=Mode.choices, blank=True)
    required_specs = models.JSONField(
        _("required specifications"),
        default=list,
        blank=True,
        help_text=_("list of {key, comparison: min|max|equals, value}"),
    )
    criteria = models.JSONField(
        _("acceptance criteria"),
        default=list,
        blank=True,
        help_text=_("list of {kpi, comparison, value, relative, unit}"),
    )
    yearly_volume = models.FloatField(_("yearly volume"), null=True, blank=True)
    volume_unit = models.CharField(_("volume unit"), max_length=20, blank=True)
    yearly_value_krw = models.PositiveBigIntegerField(
        _("yearly value (KRW)"), null=True, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.CONSORTIUM
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    status_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [
            models.Index(fields=["visibility", "status"]),
            models.Index(fields=["-created_at", "-id"], name="need_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def process_context(self) -> str:
        """Cell line or organism · mode · scale, as one line for an evaluation request."""
        parts = [self.organism, self.get_mode_display() if self.mode else "", self.scale]
        return " · ".join(str(p) for p in parts if p)

    def has_accepted_proposal_for(self, product: Product) -> bool:
        """True when the product's supplier answered this need and the demand company accepted.

        Used by :func:`bioproof.evaluations.policy.can_request` for demand-tailored requests.
        """
        return self.proposals.filter(
            product_id=product.pk, status=Proposal.Status.ACCEPTED
        ).exists()


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def visible_to(self, user: Any) -> ProposalQuerySet:
        from bioproof.demand import policy

        return self.filter(policy.proposal_visibility(user))


class Proposal(models.Model):
    """A supplier's answer to a need with one of its products (invited → submitted → decided)."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited by the demand company")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="proposals")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="proposals")
    supplier = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="proposals")
    message = models.TextField(_("message"), blank=True)
    invitation = models.TextField(_("invitation"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    decision_reason = models.TextField(blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    evaluation = models.ForeignKey(
        "evaluations.Evaluation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "product"],
                condition=~models.Q(status="declined"),
                name="one_open_proposal_per_need_product",
            )
        ]

    def __str__(self) -> str:
        return f"{self.need.code} ← {self.product.code}"


class AdoptionQuerySet(models.QuerySet["Adoption"]):
    def visible_to(self, user: Any) -> AdoptionQuerySet:
        from bioproof.demand import policy

        return self.filter(policy.adoption_visibility(user))


class Adoption(models.Model):
    """A demand company adopted a product (after an evaluation, ideally)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="adoptions"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="adoptions")
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.PROTECT, related_name="adoptions"
    )
    evaluation = models.ForeignKey(
        "evaluations.Evaluation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    track_record = models.ForeignKey(
        "evaluations.TrackRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    adopted_on = models.DateField(_("adopted on"))
    yearly_volume = models.FloatField(_("yearly volume"), null=True, blank=True)
    volume_unit = models.CharField(_("volume unit"), max_length=20, blank=True)
    yearly_value_krw = models.PositiveBigIntegerField(
        _("yearly value (KRW)"), null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")

    def __str__(self) -> str:
        return f"{self.organization} adopted {self.product.code}"


class ProductDocumentQuerySet(models.QuerySet["ProductDocument"]):
    def visible_to(self, user: Any) -> ProductDocumentQuerySet:
        from bioproof.demand import policy

        return self.filter(policy.document_visibility(user))

    def current(self) -> ProductDocumentQuerySet:
        return self.filter(is_current=True)


def document_path(instance: ProductDocument, filename: str) -> str:
    # Kept for the migrations: bioproof.core.files.store names documents the same way
    # (content-addressed) and writes them only once the transaction commits.
    return f"product-documents/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class ProductDocument(models.Model):
    """A product's document (CoA, regulatory support file, extractables data …), versioned by kind:
    a re-upload of the same kind adds version n+1 and keeps the earlier ones."""

    class Kind(models.TextChoices):
        COA = "coa", _("Certificate of analysis (CoA)")
        REGULATORY = "regulatory", _("Regulatory support file")
        EXTRACTABLES = "extractables", _("Extractables / leachables data")
        DATASHEET = "datasheet", _("Data sheet")
        OTHER = "other", _("Other")

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to=document_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ProductDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["product", "kind", "-version"]
        verbose_name = _("product document")
        verbose_name_plural = _("product documents")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "kind", "version"], name="unique_product_document_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} v{self.version}"


class ProposalAttachment(models.Model):
    """A document a supplier attaches to its proposal (CoA, SDS, quote), in the shared file
    store with its SHA-256; seen by whoever sees the proposal."""

    class Kind(models.TextChoices):
        COA = "coa", _("Certificate of analysis (CoA)")
        SDS = "sds", _("Safety data sheet (SDS)")
        QUOTE = "quote", _("Quote")
        OTHER = "other", _("Other")

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    filename = models.CharField(max_length=200)
    file = models.FileField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "uploaded_at", "id"]
        verbose_name = _("proposal attachment")
        verbose_name_plural = _("proposal attachments")

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.get_kind_display()} {self.filename}"
